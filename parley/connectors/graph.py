"""What Messenger, Instagram and WhatsApp share: Meta's Graph API and its webhooks.

Webhooks: the subscription handshake and the X-Hub-Signature-256 check. Calls: one client
with the configured base URL, and one translation of Graph errors into what the delivery
task does with them (retry, fail the message, or flag the channel).
"""

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx
from django.conf import settings

from parley.core.http import TooLarge, fetch_bytes, retry_after_seconds, shared_http_client

from .base import (
    BadSignature,
    MediaUnavailable,
    PermanentSendError,
    TransientSendError,
    WebhookRejected,
    WebhookRequest,
)
from .models import Channel

logger = logging.getLogger(__name__)


# Webhooks --------------------------------------------------------------------------------


def verify(channel: Channel, request: WebhookRequest) -> str | None:
    """GET: answer Meta's subscription handshake. POST: check the body's signature."""
    if request.method == "GET":
        return handshake(channel, request.query)
    check_signature(channel, request.body, request.headers.get("x-hub-signature-256", ""))
    return None


def handshake(channel: Channel, query: Mapping[str, str]) -> str:
    expected = channel.secret("verify_token")
    given = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not expected:
        raise WebhookRejected("not a subscription request", code="bad_handshake")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise BadSignature("the verify token does not match the channel's", code="bad_handshake")
    return query.get("hub.challenge", "")


def check_signature(channel: Channel, body: bytes, header: str) -> None:
    app_secret = channel.secret("app_secret")
    if not app_secret:
        raise BadSignature("the channel has no app secret to check signatures with")
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(header.encode(), expected.encode()):
        raise BadSignature("X-Hub-Signature-256 does not match the body")


# Calls -----------------------------------------------------------------------------------


def url(path: str) -> str:
    return f"{settings.PARLEY_GRAPH_API_URL}/{settings.PARLEY_GRAPH_API_VERSION}/{path}"


def call(
    channel: Channel,
    method: str,
    path: str,
    *,
    bearer: bool = False,
    **kwargs: Any,
) -> dict:
    """One Graph API call with the channel's token; a Graph error raises the send error
    that says what to do about it."""
    token = channel.secret("access_token")
    if bearer:
        kwargs["headers"] = {"Authorization": f"Bearer {token}"}
    else:
        kwargs["params"] = {**kwargs.get("params", {}), "access_token": token}
    try:
        response = shared_http_client().request(method, url(path), **kwargs)
    except httpx.HTTPError as exc:
        raise TransientSendError(f"could not reach Meta: {type(exc).__name__}") from None
    return checked(response)


def download(
    source: str, channel: Channel | None = None, *, limit: int | None = None
) -> tuple[bytes, str]:
    """Fetch media from a platform URL (with the channel's token when given): the content
    and its content type."""
    limit = limit or settings.PARLEY_MAX_ATTACHMENT_BYTES
    headers = {"Authorization": f"Bearer {channel.secret('access_token')}"} if channel else {}
    try:
        status, content, content_type = fetch_bytes(source, limit=limit, headers=headers)
    except TooLarge as exc:
        raise MediaUnavailable(str(exc)) from None
    except httpx.HTTPError as exc:
        raise MediaUnavailable(f"could not download it: {type(exc).__name__}") from None
    if status != 200:
        raise MediaUnavailable(f"the platform answered HTTP {status}")
    return content, content_type


def checked(response: httpx.Response) -> dict:
    if response.status_code < 400:
        try:
            body = response.json()
        except ValueError:
            raise TransientSendError("Meta answered with something that is not JSON") from None
        return body if isinstance(body, dict) else {"data": body}
    raise send_error(response)


def send_error(response: httpx.Response) -> Exception:
    error = _error_body(response)
    code = _int(error.get("code"))
    reason = explain(code, _int(error.get("error_subcode")), _detail(error))
    if code == 190:
        return PermanentSendError(reason, channel_problem=True)
    if response.status_code >= 500 or code in TRANSIENT_CODES or error.get("is_transient"):
        return TransientSendError(reason, retry_after=_retry_after(response))
    return PermanentSendError(reason)


def _error_body(response: httpx.Response) -> dict:
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def _detail(error: dict) -> str:
    data = error.get("error_data")
    if isinstance(data, dict) and data.get("details"):
        return str(data["details"])
    return str(error.get("message") or "")


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _retry_after(response: httpx.Response) -> float | None:
    """Meta's own hint (business use case usage: minutes until access returns), else
    Retry-After, else the task's backoff."""
    usage = response.headers.get("X-Business-Use-Case-Usage", "")
    try:
        entries = [entry for items in json.loads(usage).values() for entry in items]
        minutes = max(int(e.get("estimated_time_to_regain_access", 0)) for e in entries)
    except (ValueError, TypeError, AttributeError):
        minutes = 0
    if minutes:
        return minutes * 60.0
    return retry_after_seconds(response, 0.0) or None


# Rate limits and temporary faults, Messenger and WhatsApp alike: try again later.
TRANSIENT_CODES = frozenset(
    {1, 2, 4, 17, 32, 341, 613, 80001, 80002, 80004, 80005, 80006, 80007, 80008, 80009}
    | {130429, 131000, 131016, 131048, 131056}
)

# What each error means, in words an agent can act on.
MEANINGS: dict[int, str] = {
    4: "Meta's rate limit for the app was reached; Parley retries later.",
    17: "Meta's rate limit for this account was reached; Parley retries later.",
    32: "Meta's rate limit for this page was reached; Parley retries later.",
    613: "Too many calls in a short time; Parley retries later.",
    10: "Meta does not allow this message (permission or messaging window).",
    100: "Meta rejected a parameter of the message.",
    190: "The channel's access token is invalid or has expired: an admin must enter a new one.",
    200: "The app lacks a permission this message needs.",
    230: "The app lacks the permission to message this person.",
    551: "This person is not available to receive messages (they may have blocked the page).",
    1545041: "This person cannot receive messages from the page right now.",
    2018278: "More than 24 hours have passed since the customer last wrote.",
    2534022: "The messaging window has closed for this Instagram conversation.",
    130429: "WhatsApp's throughput limit was reached; Parley retries later.",
    131000: "WhatsApp had a temporary problem; Parley retries later.",
    131016: "WhatsApp is temporarily unavailable; Parley retries later.",
    131026: "The message could not be delivered: the number may not be on WhatsApp, or "
    "the customer uses an old app or has not accepted the terms.",
    131047: "More than 24 hours have passed since the customer last wrote: only an "
    "approved template can be sent now.",
    131048: "WhatsApp's spam rate limit was reached; Parley retries later.",
    131051: "WhatsApp does not support this message type.",
    131052: "WhatsApp could not download the media.",
    131053: "WhatsApp could not upload the media.",
    131056: "Too many messages to this number in a short time; Parley retries later.",
    132000: "The template's parameters do not match its placeholders.",
    132001: "The template does not exist in this language.",
    132005: "The template's text is too long once its parameters are filled in.",
    132007: "The template's content breaks WhatsApp's policy.",
    132012: "The template's parameters are in the wrong format.",
    132015: "The template is paused because of low quality.",
    132016: "The template is disabled.",
}


def explain(code: int | None, subcode: int | None = None, detail: str = "") -> str:
    """'<meaning> (Meta error <code>: <platform's words>)' — or the platform's words alone."""
    meaning = MEANINGS.get(subcode or -1) or MEANINGS.get(code or -1, "")
    if code is None:
        return meaning or detail or "Meta refused the request."
    label = f"Meta error {code}" + (f"/{subcode}" if subcode else "")
    source = f"{label}: {detail}" if detail else label
    return f"{meaning} ({source})" if meaning else f"{source}."
