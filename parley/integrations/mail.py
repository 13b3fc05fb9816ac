"""Rule notifications by e-mail, through Django's mail backend (the SMTP server set by
PARLEY_EMAIL_*). SMTP's own answers decide a retry: 4xx later, 5xx never."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from .outbound import Outcome


def send_notification(to: list[str], subject: str, text: str, delivery_id: str) -> Outcome:
    message = EmailMessage(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        to,
        # Auto-Submitted keeps out-of-office replies away, and keeps a Parley mailbox that
        # receives it from running rules on it; the Message-ID lets a replay be recognised.
        headers={"Auto-Submitted": "auto-generated", "Message-ID": f"<{delivery_id}@parley>"},
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        answers = [
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        ]
        temporary = any(code < 500 for code, _ in exc.recipients.values())
        return _failed("refused " + "; ".join(answers), temporary)
    except smtplib.SMTPResponseException as exc:
        return _failed(f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}", exc.smtp_code < 500)
    except (smtplib.SMTPException, OSError) as exc:
        return _failed(f"mail server unreachable: {type(exc).__name__}: {exc}", True)
    return Outcome(True)


def _failed(reason: str, temporary: bool) -> Outcome:
    return Outcome(False, reason[:1000], retry_after=0.0 if temporary else None)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
