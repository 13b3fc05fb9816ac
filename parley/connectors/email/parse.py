"""Raw RFC 5322 bytes → ParsedMail: everything Parley needs from one email, never raising.

Real mail is broken in every way a parser can imagine (see ../shared/protocols/email.md and
the corpus in tests/connectors/email): lying charset labels, header blocks cut by a bad
line, boundaries that do not match, unknown charsets. parse_mail repairs what it can, falls
back where it must, and records what it noticed in `defects` instead of failing.
"""

from dataclasses import dataclass, field
from datetime import datetime


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
    attachments: tuple[MailAttachment, ...] = ()
    auto_reply_signals: tuple[str, ...] = ()  # e.g. "Auto-Submitted: auto-replied"
    report_type: str | None = None  # multipart/report's report-type
    bounce: Bounce | None = None
    defects: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # a few useful ones, decoded

    @property
    def is_auto_reply(self) -> bool:
        return bool(self.auto_reply_signals)
