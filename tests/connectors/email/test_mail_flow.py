"""Mail in, replies out, through the real pipeline: threading, CC, bounces, loops, storms.

Inbound mail is stored as the SMTP listener stores it (accept_mail) and processed by the
task it enqueues; replies leave through Django's SMTP backend to a real SMTP sink.
"""

from email.utils import make_msgid, parseaddr

import pytest

from parley.connectors.email.inbox import stored_mail
from parley.conversations.actions import send_reply, set_status
from parley.conversations.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    InboundEvent,
    InboundStatus,
    Status,
)
from parley.conversations.tasks import deliver_message
from parley.customers.models import Identity

from .conftest import ADDRESS, customer_mail


def only_conversation() -> Conversation:
    conversations = list(Conversation.objects.all())
    assert len(conversations) == 1
    return conversations[0]


def reply(agent, conversation, commit, text="We are on it.", **details):
    with commit():
        return send_reply(agent, conversation, text, details=details or None)


def test_new_mail_opens_a_conversation_for_its_sender(mailbox, receive):
    receive(mailbox, customer_mail("Where is my order #1042?", subject="주문 문의"))

    conversation = only_conversation()
    message = conversation.messages.get()
    assert conversation.subject == "주문 문의"
    assert conversation.status == Status.NEW
    assert message.text.strip() == "Where is my order #1042?"
    assert message.details["email"]["from"] == "Ann Lee <ann@example.com>"
    assert message.details["email"]["to"] == [ADDRESS]
    identity = Identity.objects.get(kind="email")
    assert (identity.value, identity.customer.name) == ("ann@example.com", "Ann Lee")


def test_the_same_mail_twice_is_one_message(mailbox, receive):
    raw = customer_mail(message_id="<once@mail.example.com>")
    receive(mailbox, raw)
    receive(mailbox, raw)

    assert only_conversation().messages.count() == 1
    assert InboundEvent.objects.filter(status=InboundStatus.PROCESSED).count() == 2


def test_a_three_message_exchange_threads_across_mail_clients(
    mailbox, receive, sink, agent, commit
):
    gmail_id = "<CAF=abc123+XyZ@mail.gmail.com>"
    receive(mailbox, customer_mail("My parcel is late.", message_id=gmail_id))
    conversation = only_conversation()

    reply(agent, conversation, commit, "Sorry! Checking with the courier.")
    first = sink.delivered[-1].message
    ours_1 = first["Message-ID"]
    assert parseaddr(first["From"]) == ("Sam Agent (Shop Support)", ADDRESS)
    assert first["To"] == "ann@example.com"
    assert first["Subject"] == f"Re: Order question [#{conversation.pk}]"
    assert (first["In-Reply-To"], first["References"]) == (gmail_id, gmail_id)
    assert conversation.messages.get(direction=Direction.OUTBOUND).external_id == ours_1

    # Outlook: "RE:", In-Reply-To only, Exchange's own threading headers.
    receive(
        mailbox,
        customer_mail(
            "Any news?",
            subject=f"RE: Order question [#{conversation.pk}]",
            message_id="<DB9PR01MB1234.eurprd01.prod.outlook.com>",
            in_reply_to=ours_1,
            extra={"Thread-Topic": "Order question", "Thread-Index": "AQHZ1234=="},
        ),
    )
    reply(agent, conversation, commit, "It ships today.")
    second = sink.delivered[-1].message
    assert second["References"].split() == [
        gmail_id,
        ours_1,
        "<DB9PR01MB1234.eurprd01.prod.outlook.com>",
    ]

    # Apple Mail: the whole chain in References, quoting the previous mail.
    receive(
        mailbox,
        customer_mail(
            f"Thanks!\n\nOn 27 Nov 2026, at 10:00, Shop <{ADDRESS}> wrote:\n> It ships today.",
            subject="Re: Order question",
            message_id="<8F2C1E40-1A2B-4C3D-9E8F-0123456789AB@icloud.com>",
            in_reply_to=second["Message-ID"],
            references=" ".join([gmail_id, ours_1, second["Message-ID"]]),
        ),
    )

    conversation = only_conversation()
    directions = list(conversation.messages.values_list("direction", flat=True))
    assert directions == ["in", "out", "in", "out", "in"]


def test_a_ticket_reference_threads_only_for_people_on_the_ticket(mailbox, receive):
    receive(mailbox, customer_mail("First mail"))
    conversation = only_conversation()
    subject = f"Another thing [#{conversation.pk}]"

    receive(mailbox, customer_mail("Also this", subject=subject))
    receive(mailbox, customer_mail("Let me in", subject=subject, sender="mallory@evil.example"))

    assert conversation.messages.count() == 2
    intruder = Conversation.objects.exclude(pk=conversation.pk).get()
    assert intruder.customer.identities.get().value == "mallory@evil.example"


def test_a_plus_address_threads_onto_its_ticket(mailbox, receive):
    receive(mailbox, customer_mail("First mail"))
    conversation = only_conversation()
    plus = ADDRESS.replace("@", f"+{conversation.pk}@")

    receive(mailbox, customer_mail("By the plus address", to=plus, subject="no reference"))

    assert conversation.messages.count() == 2


def test_without_any_reference_the_same_subject_is_a_new_conversation(mailbox, receive):
    receive(mailbox, customer_mail("One"))
    receive(mailbox, customer_mail("Two"))

    assert Conversation.objects.count() == 2


def test_a_reply_reopens_a_resolved_conversation_but_not_a_closed_one(
    mailbox, receive, sink, agent, commit
):
    receive(mailbox, customer_mail("Help"))
    conversation = only_conversation()
    reply(agent, conversation, commit)
    ours = sink.delivered[-1].message["Message-ID"]
    set_status(agent, conversation, Status.RESOLVED)

    receive(mailbox, customer_mail("Still broken", in_reply_to=ours))
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN

    set_status(agent, conversation, Status.CLOSED)
    receive(mailbox, customer_mail("And again", in_reply_to=ours))
    assert Conversation.objects.count() == 2


def test_customers_in_cc_stay_on_the_thread(mailbox, receive, sink, agent, commit):
    receive(mailbox, customer_mail("Hi", cc="Bob <bob@example.com>, " + ADDRESS))
    conversation = only_conversation()

    reply(agent, conversation, commit)
    sent = sink.delivered[-1]
    assert sent.message["Cc"] == "Bob <bob@example.com>"
    assert sorted(sent.rcpt_tos) == ["ann@example.com", "bob@example.com"]

    # Bob answers all: his mail joins Ann's conversation.
    receive(
        mailbox,
        customer_mail(
            "Adding a detail",
            sender="Bob <bob@example.com>",
            cc="ann@example.com",
            in_reply_to=sent.message["Message-ID"],
        ),
    )
    assert conversation.messages.filter(direction=Direction.INBOUND).count() == 2

    reply(agent, conversation, commit, "Noted, copying our courier.", cc=["ops@courier.example"])
    assert sorted(sink.delivered[-1].rcpt_tos) == ["ann@example.com", "ops@courier.example"]


def test_the_agents_signature_closes_the_reply(mailbox, receive, sink, agent, commit):
    agent.signature = "Sam\nShop Support · +82 2 1234 5678"
    agent.save()
    receive(mailbox, customer_mail())

    reply(agent, only_conversation(), commit, "Done.")

    body = sink.delivered[-1].message.get_body(("plain",)).get_content()
    signed = "Done.\n\n-- \nSam\nShop Support · +82 2 1234 5678"
    assert body.replace("\r\n", "\n").rstrip().endswith(signed)


def test_a_bounce_marks_our_reply_failed_instead_of_opening_a_ticket(
    mailbox, receive, sink, agent, commit
):
    receive(mailbox, customer_mail(sender="nobody@example.com"))
    conversation = only_conversation()
    sent = reply(agent, conversation, commit)
    ours = sink.delivered[-1]

    receive(mailbox, delivery_status_notification(ours.raw, "nobody@example.com"))

    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.FAILED
    assert "5.1.1" in sent.failure_reason
    assert Conversation.objects.count() == 1


def test_auto_replies_thread_without_reopening_and_never_get_an_acknowledgement(
    mailbox, receive, sink, agent, commit
):
    mailbox.settings["acknowledgement"] = "Thanks, we got your message."
    mailbox.save()
    receive(mailbox, customer_mail("Help"))
    conversation = only_conversation()
    acknowledgement = sink.delivered[-1].message
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    assert "Thanks, we got your message." in acknowledgement.get_body(("plain",)).get_content()
    set_status(agent, conversation, Status.PENDING)

    out_of_office = {"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}
    receive(
        mailbox,
        customer_mail(
            "I am away until Monday.",
            in_reply_to=acknowledgement["Message-ID"],
            extra=out_of_office,
        ),
    )
    receive(mailbox, customer_mail("Away", extra=out_of_office))

    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING
    assert conversation.messages.filter(direction=Direction.INBOUND).count() == 2
    assert len(sink.delivered) == 1
    ignored = InboundEvent.objects.get(status=InboundStatus.IGNORED)
    assert "automatic reply" in ignored.error


def test_a_mail_storm_is_stopped_per_sender(mailbox, receive, settings):
    settings.PARLEY_EMAIL_SENDER_LIMIT = 3
    for n in range(5):
        receive(mailbox, customer_mail(f"Mail {n}"))

    assert Conversation.objects.count() == 3
    storms = InboundEvent.objects.filter(status=InboundStatus.IGNORED)
    assert storms.count() == 2
    assert "mail storm" in storms.first().error


def test_oversized_mail_is_recorded_with_its_headers(mailbox, receive, settings):
    settings.PARLEY_MAX_EMAIL_BYTES = 2000
    event = receive(mailbox, customer_mail("x" * 5000, subject="Huge"))

    event.refresh_from_db()
    assert event.status == InboundStatus.FAILED
    assert "is over the 2.0 KB limit (PARLEY_MAX_EMAIL_BYTES)" in event.error
    assert "Subject: Huge" in stored_mail(event.headers, event.body).decode()
    assert Conversation.objects.count() == 0


@pytest.mark.parametrize(
    ("answer", "status", "reason"),
    [
        ("451 4.3.0 Mailbox busy", DeliveryStatus.QUEUED, ""),
        ("550 5.7.1 Relaying denied", DeliveryStatus.FAILED, "550 5.7.1 Relaying denied"),
    ],
)
def test_a_refused_reply_is_retried_or_failed_with_the_servers_words(
    mailbox, receive, sink, agent, commit, settings, answer, status, reason
):
    receive(mailbox, customer_mail())
    sink.refuse.append(answer)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    sent = reply(agent, only_conversation(), commit)
    deliver_message.call(sent.pk)

    sent.refresh_from_db()
    assert sent.status == status
    assert reason in sent.failure_reason
    assert sent.attempts == 1


def test_a_wrong_smtp_password_is_a_channel_problem(db, receive, agent, commit):
    from tests import factories
    from tests.fakes.smtp_sink import SmtpSink

    sink = SmtpSink(password="right").start()
    try:
        smtp = {**sink.smtp_settings(), "username": "parley"}
        mailbox = factories.make_channel("email", address=ADDRESS, smtp=smtp)
        mailbox.set_secret("smtp_password", "wrong")
        mailbox.save()
        receive(mailbox, customer_mail())

        sent = reply(agent, only_conversation(), commit)
    finally:
        sink.stop()

    sent.refresh_from_db()
    mailbox.refresh_from_db()
    assert sent.status == DeliveryStatus.FAILED
    assert "535" in mailbox.health_problem


def delivery_status_notification(original: bytes, recipient: str) -> bytes:
    boundary = "dsn-boundary"
    return (
        (
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
            f"To: {ADDRESS}\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            f"Message-ID: {make_msgid(domain='mx.example.com')}\r\n"
            "Auto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;\r\n"
            f' boundary="{boundary}"\r\n'
            "\r\n"
            f"--{boundary}\r\n"
            "Content-Type: text/plain\r\n\r\n"
            "Your message could not be delivered.\r\n"
            f"--{boundary}\r\n"
            "Content-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.com\r\n\r\n"
            f"Final-Recipient: rfc822; {recipient}\r\n"
            "Action: failed\r\n"
            "Status: 5.1.1\r\n"
            "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
            f"--{boundary}\r\n"
            "Content-Type: message/rfc822\r\n\r\n"
        ).encode()
        + original
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_a_reference_is_not_followed_for_lookalike_or_reply_to_only_senders(mailbox, receive):
    receive(mailbox, customer_mail("Hello", cc="bob.smith@example.com"))
    conversation = only_conversation()
    subject = f"Re: Hello [#{conversation.pk}]"

    receive(mailbox, customer_mail("Me too", subject=subject, sender="ith@example.com"))
    spoofed = {"Reply-To": "ann@example.com"}
    receive(mailbox, customer_mail("Me", subject=subject, sender="eve@evil.example", extra=spoofed))
    receive(mailbox, customer_mail("Bob here", subject=subject, sender="bob.smith@example.com"))

    assert conversation.messages.count() == 2
    assert Conversation.objects.count() == 3


def test_a_subject_with_line_breaks_is_one_line_and_replies_still_go(
    mailbox, receive, sink, agent, commit
):
    receive(mailbox, customer_mail(subject="=?utf-8?q?Hi=0D=0ABcc=3A_victim=40example=2Ecom?="))
    conversation = only_conversation()
    assert "\n" not in conversation.subject and "\r" not in conversation.subject

    sent = reply(agent, conversation, commit)

    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT
    assert sink.delivered[-1].rcpt_tos == ["ann@example.com"]


def test_names_with_commas_stay_one_address_in_cc(mailbox, receive, sink, agent, commit):
    receive(mailbox, customer_mail(cc='"Doe, John" <john@example.com>'))

    reply(agent, only_conversation(), commit)

    assert sorted(sink.delivered[-1].rcpt_tos) == ["ann@example.com", "john@example.com"]
