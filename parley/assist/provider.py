"""Calls to an OpenAI-compatible chat completions API, and what their failures mean to an
agent. One POST per call, in the agent's request, with the admin's short timeout: nothing
retries behind the agent's back (they can press again)."""

import time
from dataclasses import dataclass

import httpx
from django.utils.translation import gettext as _

from parley.core.errors import ParleyError
from parley.core.http import http_client

from .models import ProviderSettings

MAX_ERROR = 200


class ProviderFailed(ParleyError):
    """The provider could not give an answer; `detail` says why, in words for the agent."""

    code = "assist_provider_failed"
    http_status = 502


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int | None
    completion_tokens: int | None


@dataclass
class Outcome:
    """How the call went, for the log, whether or not it succeeded."""

    started: float
    completion: Completion | None = None
    error: str = ""

    @property
    def duration_ms(self) -> int:
        return round((time.monotonic() - self.started) * 1000)


def endpoint(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def complete(settings: ProviderSettings, messages: list[dict], outcome: Outcome) -> Completion:
    """The model's answer to `messages`; ProviderFailed otherwise. `outcome` is filled
    either way."""
    key = settings.secret("api_key")
    body = {"model": settings.model, "messages": messages, "max_tokens": settings.max_tokens}
    body["temperature"] = 0.3  # replies should be consistent, not creative
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    timeout = httpx.Timeout(float(settings.timeout), connect=min(5.0, settings.timeout))
    try:
        with http_client(timeout=timeout) as client:
            response = client.post(endpoint(settings.url), json=body, headers=headers)
        outcome.completion = _parse(response)
    except ProviderFailed as exc:
        outcome.error = _redact(exc.detail, key)
        raise ProviderFailed(outcome.error) from None
    except httpx.TimeoutException:
        outcome.error = _("The AI provider did not answer within %(s)d seconds.") % {
            "s": settings.timeout
        }
        raise ProviderFailed(outcome.error) from None
    # An address the settings form let through but httpx cannot use ("xn--a.com" fails
    # IDNA encoding; InvalidURL is no HTTPError): the same clear error, logged.
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
        outcome.error = _("The AI provider cannot be reached: %(e)s") % {
            "e": _redact(str(exc), key)[:MAX_ERROR]
        }
        raise ProviderFailed(outcome.error) from None
    return outcome.completion


def _parse(response: httpx.Response) -> Completion:
    if response.status_code != 200:
        raise ProviderFailed(_failure(response))
    try:
        data = response.json()
        text = data["choices"][0]["message"]["content"]
        usage = data.get("usage") or {}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise ProviderFailed(
            _("The AI provider answered in a format Parley cannot read.")
        ) from None
    if not isinstance(text, str) or not text.strip() or not isinstance(usage, dict):
        raise ProviderFailed(_("The AI provider answered without any text."))
    return Completion(
        text.strip(), _count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens"))
    )


def _failure(response: httpx.Response) -> str:
    status = response.status_code
    if status in (401, 403):
        why = _("The AI provider refused the API key: an admin can check it in Settings.")
    elif status == 429:
        why = _("The AI provider is busy or over its quota: try again in a moment.")
    elif status >= 500:
        why = _("The AI provider failed (HTTP %(status)d): try again in a moment.") % {
            "status": status
        }
    else:
        why = _("The AI provider refused the request (HTTP %(status)d).") % {"status": status}
    said = _provider_message(response)
    return f"{why} ({said})" if said else why


def _provider_message(response: httpx.Response) -> str:
    """The documented error shape's message: {"error": {"message", "type", "code"}}."""
    try:
        error = response.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        return ""
    return " ".join(message.split())[:MAX_ERROR] if isinstance(message, str) else ""


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None


def _redact(text: str, key: str) -> str:
    """Providers echo a wrong key, often masked ("sk-ab***yz"): the log and the agent
    never see any part of it."""
    if not key:
        return text
    parts = {key, key[:6], key[-4:]} if len(key) >= 12 else {key}
    words = text.split(" ")
    return " ".join("••••" if "***" in w or any(p in w for p in parts) else w for w in words)
