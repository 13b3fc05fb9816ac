"""Raw RFC 5322 bytes → ParsedMail: everything Parley needs from one email, never raising.

Real mail is broken in every way a parser can imagine (see ../shared/protocols/email.md and
the corpus in tests/connectors/email): lying charset labels, header blocks cut by a bad
line, boundaries that do not match, unknown charsets. parse_mail repairs what it can, falls
back where it must, and records what it noticed in `defects` instead of failing.
"""

import base64
import binascii
import codecs
import email
import email.policy
import mimetypes
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser


@dataclass(frozen=True)
class Address:
    addr: str  # addr-spec as written (not lower-cased); "" when unparsable
    name: str = ""


@dataclass(frozen=True)
class MailAttachment:
    filename: str  # base name only, never a path
    content_type: str
    content: bytes
    inline: bool = False  # shown in the body (cid:) rather than listed
    content_id: str = ""  # without the angle brackets


@dataclass(frozen=True)
class Bounce:
    """A delivery report (DSN, or a plain-text bounce from MAILER-DAEMON / postmaster)."""

    action: str  # "failed" | "delayed"
    recipients: tuple[str, ...] = ()
    status: str = ""  # "5.1.1"
    diagnostic: str = ""
    # Message-IDs (with angle brackets) of the returned original, newest last: the outbound
    # message to mark failed.
    original_message_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None  # with angle brackets, whitespace collapsed; None when absent
    sender: Address | None  # first mailbox of From (Reply-To is separate)
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str = ""
    date: datetime | None = None
    in_reply_to: tuple[str, ...] = ()  # Message-IDs with angle brackets
    references: tuple[str, ...] = ()  # oldest first
    text: str = ""  # the plain body (derived from the HTML when there is only HTML)
    html: str = ""  # the HTML body as sent (unsanitized; ingest sanitizes)
    # Which part `text` came from: "text/plain", or "text/html" when it is rendered from the
    # HTML body; "" when the mail has no body.
    body_type: str = ""
    attachments: tuple[MailAttachment, ...] = ()
    auto_reply_signals: tuple[str, ...] = ()  # e.g. "Auto-Submitted: auto-replied"
    report_type: str | None = None  # multipart/report's report-type
    bounce: Bounce | None = None
    defects: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # a few useful ones, decoded

    @property
    def is_auto_reply(self) -> bool:
        return bool(self.auto_reply_signals)


def parse_mail(raw: bytes) -> ParsedMail:
    """Everything Parley reads from one raw message; defects name what was odd or repaired."""
    defects: list[str] = []
    try:
        return _parse(raw, defects)
    except Exception as exc:  # never raise on mail: the worst case is an empty record
        defects.append(f"parse-failed:{type(exc).__name__}")
        return ParsedMail(message_id=None, sender=None, defects=tuple(defects))


# --- repairs on the raw bytes before the stdlib sees them --------------------------------

_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_BOUNDARY_PARAM = re.compile(rb"""(boundary\s*=\s*)("[^"\r\n]*"|[^;\s]+)""", re.IGNORECASE)


def _repair_raw(raw: bytes, defects: list[str]) -> bytes:
    if raw.startswith(b"From ") and not raw.startswith(b"From :"):
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
        defects.append("mbox-from-line")
    head = raw[:65536]
    if b"\r" in head and b"\n" not in head:
        raw = raw.replace(b"\r", b"\n")
        defects.append("bare-cr-line-endings")
    return _repair_header_block(raw, defects)


def _repair_header_block(raw: bytes, defects: list[str]) -> bytes:
    """Lines inside the header block that are neither fields nor folded continuations
    (an unindented wrap, a stray word) become continuation lines, so the fields after
    them are not taken for body text."""
    end = re.search(rb"\r?\n\r?\n", raw)
    if end is None:
        return raw
    lines = raw[: end.start()].split(b"\n")
    stray = [i for i, line in enumerate(lines) if i and not _is_header_line(line)]
    if not stray:
        return raw
    later_field = any(_HEADER_LINE.match(line) for line in lines[stray[0] + 1 :])
    if not later_field and len(stray) > 1:
        return raw  # more likely a body that lacks its blank separator line
    for i in stray:
        lines[i] = b" " + lines[i]
    defects.append("repaired-header-block")
    return b"\n".join(lines) + raw[end.start() :]


def _is_header_line(line: bytes) -> bool:
    return bool(line[:1] in (b" ", b"\t") or _HEADER_LINE.match(line))


def _has_parts(msg: Message) -> bool:
    payload = msg.get_payload()
    return isinstance(payload, list) and bool(payload)


def _boundary_repairs(raw: bytes, msg: EmailMessage) -> Iterator[bytes]:
    """A multipart whose declared boundary never occurs: copies that declare the delimiters
    the body uses instead (those that repeat or close first)."""
    if msg.get_content_maintype() != "multipart" or _has_parts(msg):
        return
    end = re.search(rb"\r?\n\r?\n", raw)
    if end is None:
        return
    head, body = raw[: end.start()], raw[end.start() :]
    declared = str(msg.get_param("boundary") or "").encode("ascii", "replace")
    found = [
        (token, bool(close))
        for token, close in re.findall(rb"(?m)^--([!-~]{1,70}?)(--)?\r?$", body)
        if token != declared and b'"' not in token
    ]
    tokens = [token for token, _close in found]
    repeated = [t for t, close in found if close or tokens.count(t) > 1]
    for token in list(dict.fromkeys(repeated + tokens))[:5]:
        fixed, n = _BOUNDARY_PARAM.subn(b'\\g<1>"' + token.replace(b"\\", b"\\\\") + b'"', head, 1)
        if n:
            yield fixed + body


def _parse(raw: bytes, defects: list[str]) -> ParsedMail:
    raw = _repair_raw(raw, defects)
    msg = _message(raw)
    for repaired in _boundary_repairs(raw, msg):
        candidate = _message(repaired)
        if _has_parts(candidate):
            msg = candidate
            defects.append("repaired-boundary")
            break
    charset = _message_charset(msg)
    for part in msg.walk():
        _decode_8bit_headers(part, charset, defects)
    _collect_defects(msg, defects)
    body = _Body()
    _walk(msg, body, defects)
    sender = _addresses(msg, "from", defects)
    report_type = _report_type(msg)
    return ParsedMail(
        message_id=_first_id(_header(msg, "message-id")),
        sender=sender[0] if sender else None,
        reply_to=tuple(_addresses(msg, "reply-to", defects)),
        to=tuple(_addresses(msg, "to", defects)),
        cc=tuple(_addresses(msg, "cc", defects)),
        subject=_subject(msg),
        date=_date(msg),
        in_reply_to=_ids(_header(msg, "in-reply-to")),
        references=_ids(" ".join(_all_headers(msg, "references"))),
        text=body.text,
        html=body.html,
        body_type=body.body_type,
        attachments=tuple(body.attachments),
        auto_reply_signals=_auto_reply_signals(msg),
        report_type=report_type,
        bounce=_bounce(msg, sender[0] if sender else None, body.text, report_type),
        defects=tuple(dict.fromkeys(defects)),
        headers=_useful_headers(msg),
    )


def _message(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _collect_defects(msg: EmailMessage, defects: list[str]) -> None:
    for part in msg.walk():
        defects.extend(type(d).__name__ for d in part.defects)
        for name in dict.fromkeys(part.keys()):
            try:
                defects.extend(type(d).__name__ for d in getattr(part[name], "defects", ()))
            except Exception as exc:  # e.g. `To: unlisted-recipients:;`
                defects.append(f"header-unreadable:{name.lower()}:{type(exc).__name__}")


# --- headers -------------------------------------------------------------------------------


def _decode_8bit_headers(part: Message, charset: str, defects: list[str]) -> None:
    """Raw 8-bit header bytes (kept by the stdlib as surrogates) decoded properly: UTF-8 when
    they are mostly UTF-8, else the message's own charset, else windows-1252."""
    items = list(part.raw_items())
    if not any(_SURROGATES.search(value) for _name, value in items if isinstance(value, str)):
        return
    for name in dict.fromkeys(name for name, _value in items):
        del part[name]
    for name, value in items:
        if isinstance(value, str) and _SURROGATES.search(value):
            value = _decode_header_bytes(value.encode("ascii", "surrogateescape"), charset)
            defects.append("8bit-header")
        part.set_raw(name, value)


_SURROGATES = re.compile("[\udc80-\udcff]")


def _decode_header_bytes(data: bytes, charset: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", "replace")
    decoded = sum(1 for c in lenient if ord(c) > 127 and c != "\ufffd")
    if decoded > lenient.count("\ufffd"):
        return lenient  # UTF-8 with a few broken bytes
    for name in (charset, "cp1252"):
        try:
            return data.decode(_codec(name) or "cp1252")
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def _message_charset(msg: Message) -> str:
    for part in msg.walk():
        charset = part.get_param("charset")
        if isinstance(charset, str) and charset.strip():
            return charset.strip().lower()
    return "cp1252"


def _header(msg: Message, name: str) -> str:
    values = _all_headers(msg, name)
    return values[0] if values else ""


def _all_headers(msg: Message, name: str) -> list[str]:
    """Raw values (unfolded), never the parsed header objects that may raise."""
    return [
        re.sub(r"\r?\n[ \t]*", " ", value).strip()
        for key, value in msg.raw_items()
        if key.lower() == name and isinstance(value, str)
    ]


def _subject(msg: EmailMessage) -> str:
    try:
        value = msg["subject"]
        subject = "" if value is None else str(value)
    except Exception:
        subject = _header(msg, "subject")
    if _ENCODED_WORD.search(subject):
        subject = _decode_words(subject)
    return subject


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _decode_words(text: str) -> str:
    """Encoded-words the stdlib left alone (a charset it does not know, CP50220...)."""
    text = re.sub(r"(\?=)\s+(=\?)", r"\1\2", text)
    return _ENCODED_WORD.sub(_decode_word, text)


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, payload = match.groups()
    try:
        if encoding.lower() == "b":
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            data = quopri.decodestring(payload.replace("_", " ").encode("ascii"), header=True)
    except (ValueError, binascii.Error):
        return match.group(0)
    return _decode_text(data, charset.split("*")[0], [])


def _addresses(msg: EmailMessage, name: str, defects: list[str]) -> list[Address]:
    raws = _all_headers(msg, name)
    if not raws:
        return []
    found: list[Address] = []
    for raw in raws:
        named = _AT_IN_NAME.match(raw)
        if named:  # `alice@example.com <bob@example.com>`: the angle-addr is the address
            found.append(Address(named.group(2).strip(), named.group(1).strip()))
            continue
        found.extend(_parsed_addresses(raw, name, defects))
    return [a for a in found if a.addr or a.name]


_AT_IN_NAME = re.compile(r'^\s*([^"<>,:;]*@[^"<>,:;]*?)\s*<([^<>@\s]+@[^<>\s]+)>\s*$')


def _parsed_addresses(raw: str, name: str, defects: list[str]) -> list[Address]:
    try:
        header = email.policy.default.header_factory(name, raw)
        return [
            Address(a.addr_spec if a.username or a.domain else "", str(a.display_name or ""))
            for a in header.addresses
        ]
    except Exception as exc:  # the stdlib address parser has crashing corners
        defects.append(f"address-fallback:{type(exc).__name__}")
    return [Address(addr, display) for display, addr in getaddresses([raw]) if addr or display]


def _date(msg: EmailMessage) -> datetime | None:
    value = _header(msg, "date")
    if not value:
        return None
    for candidate in (value, re.sub(r"\([^)]*\)?", "", value).strip()):
        try:
            parsed = parsedate_to_datetime(candidate)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _first_id(value: str) -> str | None:
    ids = _ids(value)
    if ids:
        return ids[0]
    collapsed = " ".join(value.split())
    return f"<{collapsed.strip('<>')}>" if collapsed.strip("<>") else None


def _ids(value: str) -> tuple[str, ...]:
    """Message-IDs from a list that may use commas, lack brackets or hold junk."""
    ids = []
    for token in re.findall(r"<[^<>]*>?|[^\s<>,;]+", value):
        inner = token.strip("<>")
        if inner and not re.search(r"\s", inner) and (token.startswith("<") or "@" in inner):
            ids.append(f"<{inner}>")
    return tuple(dict.fromkeys(ids))


_USEFUL_HEADERS = (
    "list-id",
    "list-unsubscribe",
    "return-path",
    "x-mailer",
    "user-agent",
    "auto-submitted",
    "precedence",
    "x-auto-response-suppress",
    "x-failed-recipients",
    "delivered-to",
    "x-original-to",
)


def _useful_headers(msg: Message) -> dict[str, str]:
    found = {}
    for name in _USEFUL_HEADERS:
        value = _header(msg, name)
        if value or _all_headers(msg, name):
            found[name] = _decode_words(value) if _ENCODED_WORD.search(value) else value
    return found


# --- charsets ------------------------------------------------------------------------------

# Labels Python does not know under the name mail uses.
_LABELS = {
    "x-mac-cyrillic": "mac_cyrillic",
    "x-mac-ukrainian": "mac_cyrillic",
    "unicode-1-1-utf-7": "utf-7",
    "windows-874": "cp874",
    "x-sjis": "cp932",
    "cp50220": "iso-2022-jp",
}
# WHATWG's reading of a label: the superset that real senders mean when they write it.
_SUPERSETS = {
    "gb2312": "gbk",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "iso2022_jp": "cp50220",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
}


def _codec(label: str) -> str | None:
    name = label.strip().strip('"').lower()
    name = _LABELS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # base64, rot13...: codecs, but not charsets
    return info.name


def _decode_text(data: bytes, label: str, defects: list[str]) -> str:
    """Declared charset strictly, then strict UTF-8, then the label's superset, then UTF-8 with
    replacement characters: a body is never lost to a wrong label."""
    declared = _codec(label or "us-ascii")
    if label.strip().strip('"').lower() in _LABELS:
        defects.append(f"charset-alias:{label.strip().lower()}")
    if declared is None:
        defects.append(f"charset-unknown:{label.strip().lower()[:40]}")
    superset = _SUPERSETS.get(declared or "")
    # 7-bit stateful encodings are also valid UTF-8 bytes: their superset comes first.
    order = (declared, superset, "utf-8") if b"\x1b" in data else (declared, "utf-8", superset)
    for codec in dict.fromkeys(c for c in order if c):
        try:
            text = _decode_cp50220(data) if codec == "cp50220" else data.decode(codec)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
        if codec != declared:
            defects.append(f"charset-fallback:{codec}")
        return text
    defects.append("charset-replaced")
    return data.decode("utf-8", "replace")


_JIS_ESCAPE = re.compile(rb"\x1b(\$[@B]|\([BJI])")


def _decode_cp50220(data: bytes) -> str:
    """ISO-2022-JP with the Microsoft/NEC extensions (numero sign, circled digits...), which
    Python lacks: each JIS pair is mapped to Shift_JIS and read as cp932."""
    out = bytearray()
    mode = b"(B"
    pos = 0
    for match in [*_JIS_ESCAPE.finditer(data), None]:
        chunk = data[pos : match.start() if match else len(data)]
        out += _jis_to_sjis(chunk, mode)
        if match:
            mode, pos = match.group(1), match.end()
    return bytes(out).decode("cp932")


def _jis_to_sjis(chunk: bytes, mode: bytes) -> bytes:
    if mode == b"(I":
        return bytes(b + 0x80 for b in chunk)
    if not mode.startswith(b"$"):
        return chunk
    if len(chunk) % 2:
        raise ValueError("odd JIS byte count")
    out = bytearray()
    for j1, j2 in zip(chunk[::2], chunk[1::2], strict=True):
        s1 = (j1 + 1) // 2 + (0x70 if j1 <= 0x5E else 0xB0)
        s2 = j2 + (0x1F if j1 % 2 else 0x7E)
        out += bytes((s1, s2 + 1 if j1 % 2 and s2 >= 0x7F else s2))
    return bytes(out)


# --- bodies and attachments ----------------------------------------------------------------


@dataclass
class _Body:
    text: str = ""
    html: str = ""
    body_type: str = ""
    attachments: list[MailAttachment] = field(default_factory=list)


# Other renderings of the same text inside multipart/alternative.
_RENDERINGS = {"text/plain", "text/html", "text/watch-html", "text/enriched", "text/richtext"}
# The machine-readable parts of a report, read into Bounce rather than listed.
_REPORT_PARTS = {
    "message/delivery-status",
    "message/global-delivery-status",
    "message/feedback-report",
    "message/disposition-notification",
    "message/rfc822-headers",
    "message/global-headers",
    "text/rfc822-headers",
}
_MESSAGE_PARTS = {"message/rfc822", "message/news", "message/global"}


def _walk(msg: EmailMessage, body: _Body, defects: list[str]) -> None:
    plain = _body_part(msg, ("plain",))
    html = _body_part(msg, ("html",))
    extra: list[str] = []
    if plain is not None:
        body.text, body.body_type = _part_text(plain, defects), "text/plain"
    if html is not None:
        body.html = _part_text(html, defects)
        body.body_type = body.body_type or "text/html"
    _visit(msg, "", {id(plain), id(html)}, body, extra, defects)
    if plain is None and body.html:
        body.text = html_to_text(body.html)
    if extra:  # text parts around an inline image (iPhone): one text, in their order
        body.text = "\n\n".join(t.strip("\n") for t in (body.text, *extra) if t.strip())


def _body_part(msg: EmailMessage, preference: tuple[str, ...]) -> EmailMessage | None:
    try:
        part = msg.get_body(preferencelist=preference)
    except Exception:
        return None
    return part if isinstance(part, EmailMessage) else None


def _visit(
    part: EmailMessage,
    parent: str,
    chosen: set[int],
    body: _Body,
    extra: list[str],
    defects: list[str],
) -> None:
    ctype = part.get_content_type()
    if id(part) in chosen:
        return
    named = bool(_filename(part))
    if ctype in _MESSAGE_PARTS and not (parent == "multipart/report" and not named):
        body.attachments.append(_attachment(part, parent, defects))
    elif ctype in _MESSAGE_PARTS or (ctype in _REPORT_PARTS and not named):
        return
    elif part.is_multipart() and ctype not in _REPORT_PARTS:
        for sub in part.iter_parts():
            if isinstance(sub, EmailMessage):
                _visit(sub, ctype, chosen, body, extra, defects)
    elif parent == "multipart/alternative" and ctype in _RENDERINGS:
        return
    elif ctype == "text/plain" and not named and part.get_content_disposition() != "attachment":
        extra.append(_part_text(part, defects))
    else:
        body.attachments.append(_attachment(part, parent, defects))


def _part_text(part: Message, defects: list[str]) -> str:
    data = _payload(part)
    charset = part.get_param("charset")
    text = _decode_text(data, charset if isinstance(charset, str) else "us-ascii", defects)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def _attachment(part: EmailMessage, parent: str, defects: list[str]) -> MailAttachment:
    ctype = part.get_content_type()
    disposition = part.get_content_disposition()
    content_id = _header(part, "content-id").strip().strip("<>").strip()
    inline = disposition == "inline" or (
        disposition is None and bool(content_id) and parent == "multipart/related"
    )
    if ctype in _MESSAGE_PARTS:
        content, inner_subject = _message_bytes(part, defects)
        default = f"{_safe_name(inner_subject) or 'message'}.eml"
    elif part.get_content_maintype() == "multipart":
        # Its parts could not be told apart: keep the undivided source rather than lose it.
        content, ctype, default = _payload(part), "text/plain", "unparsed-body.txt"
    else:
        content = _payload(part)
        default = _default_name(part, ctype)
    return MailAttachment(
        filename=_safe_name(_filename(part)) or default,
        content_type=ctype,
        content=content,
        inline=inline,
        content_id=content_id,
    )


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename()
    except Exception:
        return ""
    if isinstance(name, str) and _ENCODED_WORD.search(name):
        name = _decode_words(name)
    return name or ""


def _safe_name(name: str) -> str:
    """The base name only: senders' paths (`../../x`, `C:\\x`) and control characters go."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()
    return "" if base in ("", ".", "..") else base[:255]


def _default_name(part: EmailMessage, ctype: str) -> str:
    location = _safe_name(_header(part, "content-location").split("?")[0])
    if location and "." in location:
        return location
    uuencoded = _UU_BEGIN.match(str(part.get_payload()))
    if uuencoded and "uu" in str(part.get("content-transfer-encoding", "")).lower():
        return _safe_name(uuencoded.group(1)) or "attachment.bin"
    extension = mimetypes.guess_extension(ctype) or ".bin"
    return ("image" if ctype.startswith("image/") else "attachment") + extension


_UU_BEGIN = re.compile(r"\s*begin [0-7]{3,4} ([^\r\n]+)")


def _message_bytes(part: EmailMessage, defects: list[str]) -> tuple[bytes, str]:
    inner = part.get_payload()
    if isinstance(inner, list) and inner and isinstance(inner[0], Message):
        try:
            return inner[0].as_bytes(), _subject(inner[0])  # type: ignore[arg-type]
        except Exception as exc:
            defects.append(f"attached-message:{type(exc).__name__}")
            return b"", ""
    data = _payload(part)
    return data, _subject(_message(data))


# --- HTML to text --------------------------------------------------------------------------

_BLOCKS = {
    "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "dd", "dt",
}  # fmt: skip
_HIDDEN = {"script", "style", "head", "title", "template"}


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "pre":
            self.pre += 1
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCKS and tag != "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """A readable plain-text rendering of an HTML body (for HTML-only mail)."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", html)
    lines = (line.strip() for line in "".join(parser.parts).replace("\xa0", " ").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- loops and reports ---------------------------------------------------------------------

_AUTOREPLY_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-autoresponder",
    "x-auto-reply",
    "x-mail-autoreply",
)


def _auto_reply_signals(msg: Message) -> tuple[str, ...]:
    """RFC 3834 and the vendor headers that mark a message as sent by a machine."""
    signals = []
    auto_submitted = _header(msg, "auto-submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        signals.append(f"Auto-Submitted: {auto_submitted}")
    signals += [name for name in _AUTOREPLY_HEADERS if _all_headers(msg, name)]
    for name in ("precedence", "x-precedence"):
        if _header(msg, name).lower() == "auto_reply":
            signals.append(f"{name}: auto_reply")
    if _all_headers(msg, "x-ms-exchange-inbox-rules-loop") and _all_headers(
        msg, "x-auto-response-suppress"
    ):
        signals.append("x-ms-exchange-inbox-rules-loop+x-auto-response-suppress")
    apple = _header(msg, "x-apple-action")
    if apple.lower() == "vacation":
        signals.append(f"x-apple-action: {apple}")
    return tuple(signals)


_DAEMONS = ("mailer-daemon", "postmaster")


def _report_type(msg: EmailMessage) -> str | None:
    if msg.get_content_type() != "multipart/report":
        return None
    value = msg.get_param("report-type")
    return value.strip().lower() if isinstance(value, str) else ""


def _bounce(
    msg: EmailMessage, sender: Address | None, text: str, report_type: str | None
) -> Bounce | None:
    if report_type is not None:
        if report_type != "delivery-status":
            return None  # ARF complaints and read receipts are not bounces
        return _dsn(msg)
    local = sender.addr.rsplit("@", 1)[0].lower() if sender else ""
    if local in _DAEMONS:
        return _text_bounce(msg, text)
    return None


def _dsn(msg: EmailMessage) -> Bounce:
    blocks = [b for part in msg.walk() for b in _status_blocks(part)]
    recipients = [_field_address(b, "final-recipient", "original-recipient") for b in blocks]
    actions = [b.get("action", "").strip().lower() for b in blocks if b.get("action")]
    statuses = [b.get("status", "").split()[0] for b in blocks if b.get("status", "").split()]
    diagnostics = [_after_type(b.get("diagnostic-code", "")) for b in blocks]
    if "failed" in actions or not (actions or statuses):
        action = "failed"
    elif "delayed" in actions or any(s.startswith("4") for s in statuses):
        action = "delayed"
    else:
        action = actions[0] if actions else "failed"
    return Bounce(
        action=action,
        recipients=tuple(dict.fromkeys(r for r in recipients if r)),
        status=statuses[0] if statuses else "",
        diagnostic=next((d for d in diagnostics if d), ""),
        original_message_ids=_returned_ids(msg),
    )


def _status_blocks(part: Message) -> list[Message]:
    """The field blocks of a delivery-status part; also when the part lost its Content-Type
    (then it reads as text/plain that starts with DSN fields), and blocks whose fields were
    sent base64-encoded as a block body."""
    ctype = part.get_content_type()
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        payload = part.get_payload()
        blocks = [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []
        return [found for b in blocks for found in (b, *_text_blocks(_encoded_block(b)))]
    if ctype != "text/plain" or part.get_filename():
        return []
    return _text_blocks(_payload(part))


def _encoded_block(block: Message) -> bytes:
    """A block that is only base64 text (Postfix behind some gateways encodes the
    per-recipient fields, and the stdlib reads the encoded text as a block of its own)."""
    text = block.get_payload()
    if len(block) or not isinstance(text, str) or not text.strip():
        return b""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (ValueError, binascii.Error):
        return b""


def _text_blocks(data: bytes) -> list[Message]:
    text = data[:65536].decode("utf-8", "replace")
    if not re.search(r"(?im)^(Reporting-MTA|Final-Recipient|Action)\s*:", text):
        return []
    chunks = re.split(r"\r?\n[ \t]*\r?\n", text.strip())
    return [email.message_from_string(c, policy=email.policy.compat32) for c in chunks]


def _field_address(block: Message, *names: str) -> str:
    for name in names:
        value = _after_type(str(block.get(name, "")))
        if value:
            return value.strip("<>")
    return ""


def _after_type(value: str) -> str:
    """`rfc822; ann@example.com` → `ann@example.com`; whitespace collapsed."""
    value = " ".join(str(value).split())
    return value.split(";", 1)[1].strip() if ";" in value else value


def _returned_ids(msg: EmailMessage) -> tuple[str, ...]:
    ids: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in _MESSAGE_PARTS or ctype in ("message/rfc822-headers", "message/global-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                ids += _ids(_header(inner[0], "message-id"))
        elif ctype == "text/rfc822-headers":
            headers = email.message_from_bytes(_payload(part), policy=email.policy.compat32)
            ids += _ids(_header(headers, "message-id"))
    return tuple(dict.fromkeys(ids))


def _text_bounce(msg: EmailMessage, text: str) -> Bounce:
    """A bounce without a DSN: the original's Message-ID is found among the quoted headers."""
    quoted_ids = re.findall(r"(?im)^[ \t>]*Message-ID:[ \t]*(<[^<>\s]+>|\S+@\S+)", text)
    ids = [i for found in quoted_ids for i in _ids(found)]
    own = _first_id(_header(msg, "message-id"))
    failed = [a.strip() for a in _header(msg, "x-failed-recipients").split(",") if a.strip()]
    status = re.search(r"\b([45]\.\d{1,3}\.\d{1,3})\b", text)
    return Bounce(
        action="failed",
        recipients=tuple(failed),
        status=status.group(1) if status else "",
        original_message_ids=tuple(dict.fromkeys(i for i in ids if i != own)),
    )
