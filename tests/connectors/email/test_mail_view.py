"""What an agent sees of an email conversation, and the composer's Cc."""

from django.test import Client

from parley.conversations.models import Conversation, Direction

from .conftest import customer_mail

GMAIL_REPLY = """Yes, the blue one please.

On Fri, Nov 27, 2026 at 10:00 AM Shop Support <support@shop.example> wrote:
> Which colour would you like?
> We have blue and red.
"""


def page(admin, conversation) -> str:
    client = Client()
    client.force_login(admin)
    return client.get(f"/c/{conversation.pk}/").content.decode()


def test_quoted_history_is_folded_under_the_new_text(mailbox, receive, admin):
    receive(mailbox, customer_mail(GMAIL_REPLY, cc="Bob <bob@example.com>"))
    conversation = Conversation.objects.get()

    html = page(admin, conversation)

    body, _, folded = html.partition('<details class="quoted-history">')
    assert "Yes, the blue one please." in body
    assert "We have blue and red." not in body
    assert "We have blue and red." in folded
    assert "From Ann Lee &lt;ann@example.com&gt;" in html
    assert 'name="cc" value="Bob &lt;bob@example.com&gt;"' in html


def test_the_composer_cc_goes_with_the_reply_and_a_bad_address_is_refused(
    mailbox, receive, sink, admin, commit
):
    receive(mailbox, customer_mail())
    conversation = Conversation.objects.get()
    client = Client()
    client.force_login(admin)

    bad = client.post(
        f"/c/{conversation.pk}/reply/",
        {"mode": "reply", "text": "Hello", "cc": "not an address"},
        follow=True,
    )
    assert "not an address is not an email address." in bad.content.decode()
    assert not conversation.messages.filter(direction=Direction.OUTBOUND).exists()

    with commit():
        client.post(
            f"/c/{conversation.pk}/reply/",
            {"mode": "reply", "text": "Hello", "cc": "Dan <dan@example.com>"},
        )
    assert sorted(sink.delivered[-1].rcpt_tos) == ["ann@example.com", "dan@example.com"]


def test_mailbox_settings_are_saved_from_the_channel_form_and_checked(db):
    from parley.connectors.admin import ChannelForm
    from parley.connectors.models import Channel

    base = {"kind": "email", "name": "Support", "active": "on", "address": "Help@Shop.example"}
    imap = {"imap_host": "imap.shop.example", "imap_username": "help", "imap_after": "move"}
    refused = ChannelForm(data={**base, **imap})
    assert not refused.is_valid()
    assert "moving processed mail needs a folder" in str(refused.errors["imap_host"])

    form = ChannelForm(
        data={
            **base,
            **imap,
            "imap_move_to": "Parley",
            "imap_password": "secret-imap",
            "smtp_host": "smtp.shop.example",
            "smtp_port": "587",
            "smtp_security": "starttls",
            "aliases": "orders@shop.example",
            "acknowledgement": "Thanks, we got it.",
        }
    )
    assert form.is_valid(), form.errors
    channel = Channel.objects.get(pk=form.save().pk)

    assert channel.settings["address"] == "help@shop.example"
    assert channel.settings["aliases"] == ["orders@shop.example"]
    assert channel.settings["imap"]["move_to"] == "Parley"
    assert channel.settings["smtp"]["port"] == 587
    assert channel.secret("imap_password") == "secret-imap"
    assert channel.settings["acknowledgement"] == "Thanks, we got it."


def test_files_customers_send_cannot_run_in_the_workspace(mailbox, receive, admin):
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "ann@example.com", "support@shop.example", "x"
    mail.set_content("see attached")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    mail.add_attachment(svg, maintype="image", subtype="svg+xml", filename="pic.svg")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    mail.add_attachment(png, maintype="image", subtype="png", filename="pic.png")
    receive(mailbox, bytes(mail))
    client = Client()
    client.force_login(admin)
    files = {a.filename: a.pk for a in Conversation.objects.get().messages.get().attachments.all()}

    svg_response = client.get(f"/attachments/{files['pic.svg']}/")
    png_response = client.get(f"/attachments/{files['pic.png']}/")

    assert svg_response["Content-Type"] == "application/octet-stream"
    assert svg_response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in svg_response["Content-Security-Policy"]
    assert png_response["Content-Type"] == "image/png"
    assert png_response["Content-Disposition"].startswith("inline")
