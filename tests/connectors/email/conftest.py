from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from parley.connectors.email.inbox import accept_mail
from tests import factories
from tests.fakes.smtp_sink import SmtpSink

ADDRESS = "support@shop.example"


@pytest.fixture
def sink():
    running = SmtpSink().start()
    yield running
    running.stop()


@pytest.fixture
def mailbox(db, sink):
    return factories.make_channel(
        "email", address=ADDRESS, from_name="Shop Support", smtp=sink.smtp_settings()
    )


def customer_mail(
    text: str = "Where is my order?",
    *,
    subject: str = "Order question",
    sender: str = "Ann Lee <ann@example.com>",
    to: str = ADDRESS,
    cc: str = "",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    extra: dict[str, str] | None = None,
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    if cc:
        mail["Cc"] = cc
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    for name, value in (extra or {}).items():
        mail[name] = value
    mail.set_content(text)
    return bytes(mail)


@pytest.fixture
def receive(commit):
    """Store raw mail as the listener would, and run the processing it triggers."""

    def receive(channel, raw: bytes, recipients: tuple[str, ...] = ()):
        with commit():
            return accept_mail(channel.pk, raw, source="test", recipients=recipients)

    return receive
