"""Accepting a form submission: the signed form token, spam checks, rate limits, and the
durable store every channel's payloads go through.

Every page and every GET of the JSON endpoint carries a token signed with the site's secret
key: the time the form was shown and a random nonce. A submission must bring it back, no
sooner than the channel's minimum fill time. The submission id (the message's external id)
is the nonce plus a digest of the answers: the same form sent twice (a double click, a
reload) is one ticket, while a changed form sent again from the same page is a new one.
"""

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Mapping

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.conversations.ingest import RawInbound, accept_inbound_events
from parley.conversations.models import Direction, Message
from parley.core.errors import InvalidInput, NotFound

from ..chat.visitors import check_rate
from ..models import Channel, ChannelKind
from ..receive import kept_headers
from .config import FormConfig, SubmissionForm

TOKEN_MAX_AGE = 24 * 3600
# (how many, per seconds): a person sends a few forms an hour, a script many.
ADDRESS_SUBMISSIONS = (20, 3600)
EMAIL_SUBMISSIONS = (5, 3600)
HONEYPOT_REASON = "spam: the hidden honeypot field was filled in"


class FormExpired(InvalidInput):
    code = "form_expired"


class TooFast(InvalidInput):
    code = "too_fast"


def form_channel(public_key: str) -> Channel:
    channel = Channel.objects.filter(
        public_key=public_key, kind=ChannelKind.WEBFORM, active=True
    ).first()
    if channel is None:
        raise NotFound(_("There is no form with this address."), code="unknown_form")
    return channel


def issue_token(channel: Channel) -> str:
    value = {"n": secrets.token_urlsafe(12), "t": time.time()}
    return signing.dumps(value, salt=_salt(channel, "token"))


def check_token(channel: Channel, config: FormConfig, token: str) -> str:
    """The token's nonce; raises FormExpired (bad or old token) or TooFast."""
    try:
        value = signing.loads(token, salt=_salt(channel, "token"))
        nonce, shown_at = str(value["n"]), float(value["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise FormExpired(_("This form has expired: please send it again.")) from None
    age = time.time() - shown_at
    if age > TOKEN_MAX_AGE:
        raise FormExpired(_("This form has expired: please send it again."))
    if age < config.min_seconds:
        raise TooFast(_("Please take a moment to check your message, then send it again."))
    return nonce


def check_address_rate(address: str) -> None:
    check_rate("form.address", address, ADDRESS_SUBMISSIONS)


def accept_submission(
    channel: Channel,
    form: SubmissionForm,
    headers: Mapping[str, str],
    *,
    nonce: str = "",
    client_id: str = "",
    honeypot: bool = False,
) -> str:
    """Store a valid submission durably (a honeypot hit as a failed event that creates no
    ticket); returns its submission id."""
    check_rate("form.email", form.cleaned_data["email"].lower(), EMAIL_SUBMISSIONS)
    attachments = [_attachment(upload) for upload in form.cleaned_data.get("attachments") or []]
    answers = form.answers()
    # A client's id names the submission only together with its content: a retry is one
    # ticket, a different submission that reuses the id is another, never dropped.
    submission = _submission(f"client:{client_id}" if client_id else nonce, answers, attachments)
    payload = {
        "submission": submission,
        "submitted_at": timezone.now().isoformat(),
        "fields": answers,
        "attachments": attachments,
    }
    reason = HONEYPOT_REASON if honeypot else ""
    raw = RawInbound(channel.pk, kept_headers(headers), json.dumps(payload), reason)
    accept_inbound_events([raw])
    return submission


def _submission(nonce: str, answers: list[dict], attachments: list[dict]) -> str:
    files = [(a["filename"], hashlib.sha256(a["data"].encode()).hexdigest()) for a in attachments]
    content = json.dumps([answers, files], sort_keys=True).encode()
    return f"form:{nonce}:{hashlib.sha256(content).hexdigest()[:16]}"


def _attachment(upload: UploadedFile) -> dict:
    return {
        "filename": str(upload.name)[:255],
        "content_type": (upload.content_type or "application/octet-stream")[:120],
        "data": base64.b64encode(upload.read()).decode(),
    }


def thanks_key(channel: Channel, submission: str) -> str:
    return signing.dumps(submission, salt=_salt(channel, "thanks"))


def submission_of(channel: Channel, key: str) -> str:
    try:
        return str(signing.loads(key, salt=_salt(channel, "thanks"), max_age=TOKEN_MAX_AGE))
    except signing.BadSignature:
        raise NotFound(_("This page has expired.")) from None


def reference_for(channel: Channel, submission: str) -> str | None:
    """The ticket's reference (#1234) once the submission has been filed."""
    conversation_id = (
        Message.objects.filter(channel=channel, external_id=submission, direction=Direction.INBOUND)
        .values_list("conversation_id", flat=True)
        .first()
    )
    return f"#{conversation_id}" if conversation_id else None


def _salt(channel: Channel, purpose: str) -> str:
    return f"parley.webform.{purpose}.{channel.public_key}"
