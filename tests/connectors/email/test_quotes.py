"""Quoted history folded away from replies: real client mail from the corpus, then the
attribution styles, separators and HTML containers one by one."""

import pytest

from parley.connectors.email.mime import html_to_text, parse_mail
from parley.connectors.email.quotes import split_html, split_text

from .test_parse_corpus import CORPUS

# file → (the reply text, how the history begins)
REPLIES = {
    "talon_android.eml": ("Hello", "02.04.2012 14:20 пользователь"),
    "talon_aol.eml": ("Hello", "-----Original Message-----"),
    "talon_apple_mail.eml": ("Hello", "On Apr 3, 2012, at 4:19 PM, bob wrote:"),
    "talon_apple_mail_2.eml": ("Hello", "> On 22 Aug 2015"),
    "talon_comcast.eml": ("Hello", "----- Original Message -----"),
    "talon_gmail.eml": ("Hello", "On Mon, Apr 2, 2012 at 6:26 PM, Megan One"),
    "talon_hotmail.eml": ("Hello", "> Subject: Test"),
    "talon_iphone.eml": ("Hello", "Sent from my iPhone"),
    "talon_outlook.eml": ("Hello", "From: xxx@xxx.mailgun.org [mailto:"),
    "talon_sparrow.eml": ("Hello", "-- \nxxx\nSent with Sparrow"),
    "talon_thunderbird.eml": ("Hello", "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi"),
    "talon_yahoo.eml": ("Hello", "----- Original Message -----"),
    "helpdesk_forwarded-message.eml": ("This is email body", "-----Original Message-----"),
    "flanker_from-encoding.eml": (
        "Isn't that the case for almost every other server you care to mention?\n"
        "What about switching to an EUID of nobody early in the request\n"
        "processing stage?\n\n---/dev/il",
        "Marc Slemko wrote:\n> If you have a real uid of root",
    ),
    "imaptools_attachment_8bit.eml": ("SCR\n\n/\nS19\n07FEB\nwat", "-- \n"),
    "rubymail_raw_email_reply.eml": ("Message body", ""),
}


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_corpus_replies(name):
    reply, history_start = REPLIES[name]
    mail = parse_mail((CORPUS / name).read_bytes())
    got_reply, history = split_text(mail.text)
    assert got_reply.strip() == reply
    assert history.startswith(history_start)
    if not history_start:
        assert history == ""


def test_yahoo_history_in_the_same_block_as_the_answer():
    mail = parse_mail((CORPUS / "talon_reply-quotations-share-block.eml").read_bytes())
    reply, history = split_text(mail.text)
    assert reply.startswith("Hi Katharine.") and reply.rstrip().endswith("Joe XXX")
    assert history.startswith("--- On Wed, 4/4/12, xxx@example.com")
    assert "New Booking Inquiry" in history and "New Booking Inquiry" not in reply


# file → (the reply as text, the first words of the folded history as text)
HTML_REPLIES = {
    "talon_android.eml": ("Hello", "02.04.2012 14:20"),
    "talon_aol.eml": ("Hello", "-----Original Message-----"),
    "talon_comcast.eml": ("Hello", "From: bob@xxx.mailgun.org"),
    "talon_gmail.eml": ("Hello", "On Mon, Apr 2, 2012 at 6:26 PM"),
    "talon_hotmail.eml": ("Hello", "> Subject: Test"),
    "talon_outlook.eml": ("Allo! Follow up MIME!", "From: xxx@xxx.mailgun.org"),
    "talon_sparrow.eml": ("Hello\n\n--\n\nxxx\n\nSent with Sparrow", "On Tuesday, April 3"),
    "talon_reply-quotations-share-block.eml": ("Hi Katharine.", "--- On Wed, 4/4/12"),
}


@pytest.mark.parametrize("name", sorted(HTML_REPLIES))
def test_corpus_html_replies(name):
    reply, history_start = HTML_REPLIES[name]
    mail = parse_mail((CORPUS / name).read_bytes())
    got_reply, history = split_html(mail.html)
    assert html_to_text(got_reply).startswith(reply)
    assert html_to_text(history).startswith(history_start)


@pytest.mark.parametrize(
    "attribution",
    [
        "On Tue, Mar 4, 2025 at 10:00 AM Ann Lee <ann@example.com> wrote:",
        "Am 04.03.2025 um 10:00 schrieb Ann Lee <ann@example.com>:",
        "Le mar. 4 mars 2025 à 10:00, Ann Lee <ann@example.com> a écrit :",
        "04.03.2025 10:00, Ann Lee пишет и написал:",
        "2025. 3. 4. 오전 10:00, Ann Lee <ann@example.com> 작성:",
        "2025年3月4日(火) 10:00 Ann Lee <ann@example.com>のメッセージ:",
        "2025/03/04 10:00、Ann Lee さんは書きました\uff1a",
        "On Tue, Mar 4, 2025 at 10:00 AM Ann Lee <\nann@example.com> wrote:",
    ],
)
def test_attribution_lines(attribution):
    text = f"Thanks, that fixed it.\n\n{attribution}\n\n> Did the reset work?\n> Support\n"
    reply, history = split_text(text)
    assert reply == "Thanks, that fixed it."
    assert history.startswith(attribution.split("\n")[0])
    assert history.rstrip().endswith("> Support")


def test_outlook_header_block_in_other_languages():
    text = (
        "Merci !\n\n"
        "De : Support <help@shop.example>\n"
        "Envoyé : mardi 4 mars 2025 10:00\n"
        "À : Ann <ann@example.com>\n"
        "Objet : Votre commande\n\n"
        "Bonjour,"
    )
    assert split_text(text) == ("Merci !", text[len("Merci !\n\n") :])


def test_signatures():
    assert split_text("Yes please.\n\nGet Outlook for iOS")[0] == "Yes please."
    assert split_text("Yes please.\n-- \nAnn Lee\nACME")[1] == "-- \nAnn Lee\nACME"


def test_an_all_quoted_message_keeps_everything_as_its_reply():
    text = "> only a quote\n> nothing new"
    assert split_text(text) == (text, "")
    assert split_text("") == ("", "")
    signature_only = "--\nJørn Støylen"
    assert split_text(signature_only) == (signature_only, "")


def test_inline_answers_between_quotes_stay_in_the_reply():
    text = "On Mon, Ann wrote:\n> Size?\nLarge.\n> Colour?\nBlue.\n"
    reply, history = split_text(text)
    assert reply.split() == ["Large.", "Blue."]
    assert "> Size?" in history and "> Colour?" in history


def test_forwarded_messages_are_not_folded():
    text = "FYI\n\n---------- Forwarded message ----------\nFrom: A <a@example.com>\n\nHello"
    assert split_text(text) == (text, "")


def test_gmail_html_quote():
    html = (
        '<div dir="ltr">Thanks!</div><br><div class="gmail_quote"><div dir="ltr" '
        'class="gmail_attr">On Tue, Ann wrote:<br></div><blockquote class="gmail_quote">'
        "Old</blockquote></div>"
    )
    reply, history = split_html(html)
    assert html_to_text(reply) == "Thanks!"
    assert history.startswith('<div class="gmail_quote">')


def test_apple_cite_with_attribution_and_bottom_posting():
    html = (
        '<div>On 4 Mar 2025, at 10:00, Ann wrote:</div><blockquote type="cite">'
        '<div>Question?</div><blockquote type="cite">older</blockquote></blockquote>'
        "<div>Answer below the quote.</div>"
    )
    reply, history = split_html(html)
    assert html_to_text(reply) == "Answer below the quote."
    assert html_to_text(history).startswith("On 4 Mar 2025, at 10:00, Ann wrote:")
    assert "older" in history


def test_outlook_html_separators():
    reply_fwd = '<p>Fine</p><hr><div id="divRplyFwdMsg"><b>From:</b> A</div><div>old</div>'
    assert html_to_text(split_html(reply_fwd)[0]) == "Fine"
    desktop = (
        "<p>Fine</p><div style='border:none;border-top:solid #E1E1E1 1.0pt'>"
        "<p><b>From:</b> Support<br><b>Sent:</b> Monday<br><b>To:</b> Ann</p></div><p>old</p>"
    )
    reply, history = split_html(desktop)
    assert html_to_text(reply) == "Fine"
    assert "old" in history


def test_html_that_is_all_quote_is_kept_whole():
    html = '<blockquote type="cite">only old text</blockquote>'
    assert split_html(html) == (html, "")
