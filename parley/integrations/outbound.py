"""Calling other systems: which URLs Parley may call, and the signed JSON POST of outbound
webhooks (not to be confused with webhooks.py, Shopify's webhooks *to* Parley).

Every request reports an `Outcome`; the delivery task records it and decides on a retry.
A webhook receiver verifies a call like this (see docs/integrations/webhooks.md):

    expected = hmac.new(secret, timestamp.encode() + b"." + body, sha256).hexdigest()
    ok = hmac.compare_digest("sha256=" + expected, request.headers["X-Parley-Signature-256"])
"""

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from parley.core.errors import InvalidInput
from parley.core.http import http_client, retry_after_seconds

# Cloud metadata services answer on link-local addresses (169.254.169.254, and AWS's IPv6
# fd00:ec2::254): a URL that reaches one would hand out the host's credentials.
METADATA = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
METADATA_HOSTS = (ipaddress.ip_address("fd00:ec2::254"),)
KEPT_RESPONSE_CHARS = 1000


@dataclass(frozen=True)
class Outcome:
    """How one attempt went. Not delivered with `retry_after` set: try again, no sooner
    than that many seconds (the other side's Retry-After); without it: failed for good
    (`reason` says why)."""

    delivered: bool
    reason: str = ""
    response_code: int | None = None
    response_body: str = ""
    retry_after: float | None = None


def check_url(url: object, where: str) -> str:
    """A URL Parley may call: https (http only with PARLEY_NOTIFY_ALLOW_LOCAL), never a
    link-local or metadata address, and loopback only with PARLEY_NOTIFY_ALLOW_LOCAL."""
    text = url.strip() if isinstance(url, str) else ""
    parts = urlsplit(text)
    local_ok = settings.PARLEY_NOTIFY_ALLOW_LOCAL
    schemes = ("https", "http") if local_ok else ("https",)
    if parts.scheme not in schemes or not parts.hostname or len(text) > 500:
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise InvalidInput(f"{where}: a URL starting with {allowed}", code="invalid_url")
    if parts.username or parts.password:
        raise InvalidInput(f"{where}: no user name or password in the URL", code="invalid_url")
    problem = _address_problem(parts.hostname, local_ok)
    if problem:
        raise InvalidInput(f"{where}: {problem}", code="invalid_url")
    return text


def refused_address(url: str) -> str:
    """Why the URL's host may not be called now, after resolving its name (a name can point
    at a metadata address even when the URL does not show one); "" when it may."""
    host = urlsplit(url).hostname or ""
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError:
        return ""  # unresolvable: the request itself fails and is retried
    local_ok = settings.PARLEY_NOTIFY_ALLOW_LOCAL
    return next((p for a in sorted(found) if (p := _address_problem(a, local_ok))), "")


def _address_problem(host: str, local_ok: bool) -> str:
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return "" if local_ok else "loopback addresses are not allowed"
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return ""  # a name: checked again on each call, once resolved (refused_address)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in net for net in METADATA) or address in METADATA_HOSTS:
        return f"{address} is a link-local (cloud metadata) address"
    if (address.is_loopback or address.is_unspecified) and not local_ok:
        return "loopback addresses are not allowed"
    return ""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def call_webhook(url: str, secret: str, delivery_id: str, event: str, body: bytes) -> Outcome:
    """POST a signed body once; 2xx is delivered, 429/5xx/unreachable are retried, any other
    answer (4xx, a redirect) fails for good."""
    problem = refused_address(url)
    if problem:
        return Outcome(False, f"not called: {problem}")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Parley-Event": event,
        "X-Parley-Delivery": delivery_id,
        "X-Parley-Timestamp": timestamp,
        "X-Parley-Signature-256": sign(secret, timestamp, body),
    }
    try:
        with http_client() as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(False, f"unreachable: {type(exc).__name__}", retry_after=0.0)
    return outcome_of(response)


def outcome_of(response: httpx.Response, reason: str = "") -> Outcome:
    """The usual reading of an HTTP answer; `reason` names the failure better when known."""
    code, text = response.status_code, response.text[:KEPT_RESPONSE_CHARS]
    if 200 <= code < 300:
        return Outcome(True, "", code, text)
    why = reason or f"HTTP {code}" + (f": {text[:200]}" if text.strip() else "")
    if code == 429 or code >= 500:
        wait = retry_after_seconds(response, 0.0)
        return Outcome(False, why, code, text, retry_after=wait)
    if 300 <= code < 400:
        why = f"HTTP {code}: redirects are not followed; use the final URL"
    return Outcome(False, why, code, text)
