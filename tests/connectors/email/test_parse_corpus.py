# ruff: noqa: RUF001 - expected texts are Cyrillic, CJK and Korean on purpose
"""parse_mail against 139 real messages and the facts expected.jsonl records for each.

expected.jsonl holds what the standard library reads; where a careful parser must do better
it carries lenient_expected / body_first40_fallback, and those are asserted instead. The few
places where Parley reads a message differently again are listed in DEVIATIONS, each with
the reason, and asserted exactly.
"""

import binascii
import json
import os
import re
from pathlib import Path
from posixpath import basename

import pytest

from parley.connectors.email.mime import ParsedMail, parse_mail

# The real-world corpus (copied byte for byte with its SOURCES.md, which carries the
# attribution its licenses ask for).
CORPUS = Path(
    os.environ.get("PARLEY_MAIL_CORPUS", Path(__file__).resolve().parents[2] / "data/mail")
)


def _expectations() -> list[dict]:
    path = CORPUS / "expected.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


EXPECTED = _expectations()

# Parts that have no filename are still kept, under a name made from their type (the
# stdlib-based count in expected.jsonl only counts named parts).
UNNAMED_ATTACHMENTS = {
    "imaptools_forwarded_message.eml": ["статус.eml"],
    "nodemailer_decoderended.eml": ["message.eml"],
    "phpmmp_issue158d.eml": ["Test 6.eml"],
    "phpmmp_m0020.eml": ["attachment.ics"],  # the text/calendar invitation
    # multiparts whose parts cannot be told apart keep their undivided source
    "flanker_mailformed-headers.eml": [],
    "rubymail_empty_in_reply_to.eml": ["unparsed-body.txt"],
    "rubymail_missing_body.eml": ["unparsed-body.txt"],
    "rubymail_must_supply_encoding.eml": ["unparsed-body.txt"],
}
UNNAMED_INLINE = {
    "flanker_apache-message-news-mime.eml": ["Netscape Enterprise vs. Apache Secure.eml"],
    "mailparser_mail_test_14.eml": ["image.png"],
    "rubymail_attachment_content_location.eml": ["Photo25.jpg"],  # from Content-Location
}

DEVIATIONS = {
    # The same unquoted display name with "@" as mailparser_mail_test_19: the angle-addr is
    # the address (lenient_expected here is the stdlib's reading of the repaired copy).
    "mimekit_issue358.eml": {
        "from": "jang.abcdef@xyzlinux12345678.it",
        "from_name": "jang.abcdef@xyzlinu",
    },
    # The Message-Id as written; the stdlib cuts it at the second "@".
    "rubymail_raw_email_double_at_in_header.eml": {
        "message_id": "<d3b8cf8e49f0448085@0c28713a1@f473e@37signals.com>"
    },
    # Illegal unquoted boundary: the delimiter the body uses is taken, so the body is found.
    "rubymail_raw_email_with_illegal_boundary.eml": {
        "body_type": "text/plain",
        "body_first40": "Hello\nThis is an outlook test\n\nSo there.",
    },
    # The only delimiter in the body is a damaged copy of the boundary; it is taken, and the
    # part behind it is the HTML part with bogus base64 (garbage, but not lost).
    "flanker_mailformed-headers.eml": {"body_type": "text/html", "body_first40": None},
    # Text parts on both sides of the inline photo make one text.
    "flanker_iphone.eml": {"body_first40": "Hello\n\n~Danielle"},
}


def _facts(entry: dict) -> dict:
    return {**entry, **entry.get("lenient_expected", {}), **DEVIATIONS.get(entry["file"], {})}


def _like(expected: str | None, actual: str | None) -> bool:
    """Equal, where each U+FFFD the stdlib put for undecodable header bytes stands for
    whatever Parley decoded there (it decodes them instead of replacing them)."""
    if expected == actual or expected is None or actual is None or "\ufffd" not in expected:
        return expected == actual
    pattern = "".join(".+?" if ch == "\ufffd" else re.escape(ch) for ch in expected)
    return re.fullmatch(pattern, actual, re.DOTALL) is not None and "\ufffd" not in actual


def _first40(mail: ParsedMail) -> str | None:
    if not mail.body_type:
        return None
    body = mail.html if mail.body_type == "text/html" else mail.text
    return body.replace("\r\n", "\n").replace("\r", "\n").lstrip()[:40]


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(re.findall(r"<[^<>\s]+>", value or "")))


def test_the_corpus_is_there():
    assert len(EXPECTED) == 139, f"mail corpus missing or incomplete at {CORPUS}"
    assert all((CORPUS / e["file"]).exists() for e in EXPECTED)


@pytest.mark.parametrize("entry", EXPECTED, ids=[e["file"] for e in EXPECTED])
def test_corpus_message(entry):
    facts = _facts(entry)
    mail = parse_mail((CORPUS / entry["file"]).read_bytes())

    assert _like(facts["from"], mail.sender.addr if mail.sender else None)
    assert _like(facts["from_name"], (mail.sender.name or None) if mail.sender else None)
    assert _like(facts["subject"] or "", mail.subject)
    assert mail.message_id == facts["message_id"]
    assert mail.in_reply_to == _ids(facts["in_reply_to"])

    attachments = [a.filename for a in mail.attachments if not a.inline]
    inline = [a.filename for a in mail.attachments if a.inline]
    named = [basename(name) for name in facts["attachment_filenames"]]
    assert _same_names(named + UNNAMED_ATTACHMENTS.get(entry["file"], []), attachments)
    assert _same_names(facts["inline_filenames"] + UNNAMED_INLINE.get(entry["file"], []), inline)

    assert list(mail.auto_reply_signals) == facts["auto_reply_signals"]
    assert mail.is_auto_reply == facts["is_auto_reply"]
    assert (mail.report_type is not None) == facts["is_bounce"]
    assert mail.report_type == facts["report_type"]
    daemon = facts["sender_is_mailer_daemon"] and not facts["is_bounce"]
    assert (mail.bounce is not None) == (facts["report_type"] == "delivery-status" or daemon)

    assert (mail.body_type or None) == facts["body_type"]
    first40 = facts.get("body_first40_fallback") or facts["body_first40"]
    if "body_first40" in DEVIATIONS.get(entry["file"], {}):
        first40 = DEVIATIONS[entry["file"]]["body_first40"]
    if first40 is not None:
        assert _first40(mail) == first40
    if mail.body_type == "text/html":
        assert mail.text == "" or not re.search(r"<(html|body|div|p)\b", mail.text)

    _check_defects(facts, mail)


def _same_names(expected: list[str], actual: list[str]) -> bool:
    return len(expected) == len(actual) and all(
        _like(e, a) for e, a in zip(sorted(expected), sorted(actual), strict=True)
    )


def _check_defects(facts: dict, mail: ParsedMail) -> None:
    if facts["header_8bit"]:
        assert "8bit-header" in mail.defects
    fallback = facts.get("body_fallback_charset")
    if fallback == "none":
        assert "charset-replaced" in mail.defects
    elif fallback:  # or the label is one Parley knows under another name (x-mac-cyrillic)
        aliased = any(d.startswith("charset-alias:") for d in mail.defects)
        assert f"charset-fallback:{fallback}" in mail.defects or aliased
    repaired = {"repaired-header-block", "repaired-boundary"} & set(mail.defects)
    # Defects of raw 8-bit header bytes go away once those bytes are decoded.
    decoded = {"UndecodableBytesDefect", "NonASCIILocalPartDefect"}
    if not repaired:
        assert set(facts["defects"]) - decoded <= set(mail.defects)


def test_lenient_header_repairs_recover_the_lost_fields():
    mail = parse_mail((CORPUS / "rubymail_raw_email_incorrect_header.eml").read_bytes())
    assert "repaired-header-block" in mail.defects
    assert mail.sender is not None and mail.sender.addr == "xxx@xxx.xxx"
    assert mail.text.startswith("You are infected with:")


def test_unlisted_recipients_group_does_not_break_the_other_fields():
    mail = parse_mail((CORPUS / "mimekit_delivery-status.eml").read_bytes())
    assert mail.to == ()
    assert mail.subject == "email delivery error"
    assert mail.bounce is not None and mail.bounce.recipients == ("newsletter-request@imusic.com",)


def test_mbox_line_and_bare_cr_line_endings():
    auto = parse_mail((CORPUS / "sisimai_rfc3834-05.eml").read_bytes())
    assert "mbox-from-line" in auto.defects and auto.sender is not None
    qmail = parse_mail((CORPUS / "sisimai_mac_lhost-qmail-01.eml").read_bytes())
    assert "bare-cr-line-endings" in qmail.defects
    assert qmail.subject == "failure notice" and "\r" not in qmail.text


def test_charset_fallbacks_name_the_charset_used():
    gbk = parse_mail((CORPUS / "phpmmp_failure.eml").read_bytes())
    assert gbk.text.startswith("次の受信者またはグループへの配信に失敗しました")
    assert "charset-fallback:gbk" in gbk.defects
    mac = parse_mail((CORPUS / "phpmmp_issue230.eml").read_bytes())
    assert mac.text.startswith("ACADEMIC NEWSLETTER #11")
    korean = parse_mail((CORPUS / "rubymail_ks_c_5601-1987.eml").read_bytes())
    assert korean.text.startswith("스티해")


def test_attachment_names_never_carry_a_path():
    mail = parse_mail((CORPUS / "phpmmp_m0027.eml").read_bytes())
    assert [a.filename for a in mail.attachments] == ["1234.txt"]


def test_attached_message_is_one_attachment_with_its_bytes():
    mail = parse_mail((CORPUS / "rubymail_attachment_message_rfc822.eml").read_bytes())
    (attached,) = mail.attachments
    assert attached.content_type == "message/rfc822"
    inner = parse_mail(attached.content)
    assert [a.content_type for a in inner.attachments] == ["application/pdf"]


def test_inline_images_keep_their_content_id():
    mail = parse_mail((CORPUS / "imaptools_attachment_inline1.eml").read_bytes())
    images = [a for a in mail.attachments if a.inline]
    assert {a.filename for a in images} == {"blank.png", "sm-ok.png", "logo.png"}
    assert all(a.content_id and "<" not in a.content_id for a in images)
    assert all(a.content.startswith(b"\x89PNG") for a in images)
    assert all(f"cid:{a.content_id}" in mail.html for a in images)


def test_html_only_mail_gets_a_readable_text():
    mail = parse_mail((CORPUS / "imaptools_base.eml").read_bytes())
    assert mail.body_type == "text/html" and mail.html.startswith("<html>")
    assert mail.text.startswith("Здравствуйте!\n\nЕсли у Вас уже есть почтовые ящики")
    assert "Настроить сбор почты" in mail.text
    assert "<" not in mail.text and "{" not in mail.text  # no tags, no style sheet


def test_headers_and_dates():
    mail = parse_mail((CORPUS / "rubymail_raw_email_reply.eml").read_bytes())
    assert mail.date is not None and mail.date.tzinfo is not None
    assert mail.references and all(r.startswith("<") for r in mail.references)
    listed = parse_mail((CORPUS / "flanker_from-encoding.eml").read_bytes())
    assert listed.headers["precedence"] == "bulk"
    assert listed.sender is not None and listed.sender.name == "Ingo Lütkebohle"


def test_references_skip_the_invalid_entry():
    mail = parse_mail((CORPUS / "rubymail_multiple_references_with_one_invalid.eml").read_bytes())
    assert all(" " not in r and r.count("<") == 1 for r in mail.references)
    assert "<baz@bar.net>" in mail.references


# --- bounces -------------------------------------------------------------------------------

ORIGINALS = {
    "chatwoot_bounced_gmail.eml": (
        "failed",
        "<conversation/93775311-9416-4428-964b-862001f8a8b2/messages/27855337@gmail.com>",
    ),
    "flanker_bounce_mailbox-full.eml": ("failed", "<4E326A95.3010907@example.com>"),
    "mimekit_bounce.eml": (
        "failed",
        "<44565655.JitbitHelpdesk.13439.691a0afc-a0a0-457c-8208-f20b7c4a4cb1@jitbit.com>",
    ),
    "rubymail_report_422.eml": (
        "delayed",
        "<15655788.13.1200472642578.JavaMail.Administrator@mail.ttttt.com.au>",
    ),
    "rubymail_raw_email_with_mimepart_without_content_type.eml": (
        "delayed",
        "<89d7557c0610181510r6fa5ebd8n66a7deec71ade118@mail.gmail.com>",
    ),
    "sisimai_lhost-sendmail-01.eml": (
        "failed",
        "<E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org>",
    ),
    "nodemailer_delivery-status.eml": ("failed", "<xxxxx@email.amazonses.com>"),
    "sisimai_lhost-gmail-01.eml": ("failed", "<D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com>"),
    "sisimai_mac_lhost-qmail-01.eml": (
        "failed",
        "<000000000.9999999999999.JavaMail.postmaster@mailhub>",
    ),
}


@pytest.mark.parametrize("name", sorted(ORIGINALS))
def test_bounce_names_the_returned_original(name):
    action, original = ORIGINALS[name]
    mail = parse_mail((CORPUS / name).read_bytes())
    assert mail.bounce is not None
    assert mail.bounce.action == action
    assert original in mail.bounce.original_message_ids
    assert mail.message_id not in mail.bounce.original_message_ids


def test_dsn_fields():
    bounce = parse_mail((CORPUS / "rubymail_multi_address_bounce1.eml").read_bytes()).bounce
    assert bounce is not None and len(bounce.recipients) == 5
    assert bounce.status == "5.1.1" and bounce.diagnostic.startswith("550-5.1.1")
    encoded = parse_mail((CORPUS / "mimekit_bounce.eml").read_bytes()).bounce
    assert encoded is not None and encoded.recipients == ("netec.test@netecgc.com",)
    assert encoded.status == "5.1.1" and "User unknown" in encoded.diagnostic


@pytest.mark.parametrize(
    "name",
    [
        "flanker_complaints_aol.eml",
        "flanker_disposition-notification.eml",
        "sisimai_arf-01.eml",
        "sisimai_not_is-not-bounce-02.eml",
    ],
)
def test_complaints_receipts_and_attached_originals_are_not_bounces(name):
    assert parse_mail((CORPUS / name).read_bytes()).bounce is None


def test_uuencoded_attachment_is_decoded_under_its_own_name():
    data = bytes(range(256)) * 3
    lines = b"".join(binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45))
    raw = (
        b"From: a@example.com\r\nSubject: uu\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: x-uuencode\r\n\r\n"
        b"begin 644 ../table.bin\r\n" + lines.replace(b"\n", b"\r\n") + b"`\r\nend\r\n--b--\r\n"
    )
    mail = parse_mail(raw)
    assert mail.text == "See attached."
    assert [(a.filename, a.content) for a in mail.attachments] == [("table.bin", data)]


def test_cp50220_subject():
    mail = parse_mail((CORPUS / "phpmmp_issue116.eml").read_bytes())
    assert mail.subject == "ЖД№41 от 28.09.2016"
