"""Email providers' inbound webhooks, per channel:
`POST /hooks/email/<channel_id>/<provider>/inbound` (Mailgun: `…/inbound/mime`).

django-anymail's inbound views read one global secret from settings.ANYMAIL; a Parley
mailbox has its own. So each request gets a fresh anymail view built with the channel's
secrets, and only its two halves are used: `run_validators` (the provider's signature or
basic auth) and `parse_events` (the provider's payload → AnymailInboundMessage). Anymail's
signal is not sent: the mail goes to the durable inbox like any other (inbox.py).

Stored is the message's own RFC 822 bytes where the provider posts them (Mailgun's
body-mime, SendGrid's "raw" email, Postmark's RawEmail), taken from the request body
byte-exact; otherwise (Postmark without RawEmail, Mailgun or SendGrid parsed) the MIME
message anymail rebuilt from the provider's fields.

Secrets (`channel.set_secret`): "inbound_webhook_auth" = "user:password", the basic auth
put in the URL given to the provider (required for SendGrid and Postmark, checked for
Mailgun when set); "mailgun_webhook_signing_key" (required for Mailgun).
"""

import email
import email.policy
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from anymail.exceptions import (
    AnymailConfigurationError,
    AnymailError,
    AnymailNotSupportedWarning,
    AnymailWebhookValidationFailure,
)
from anymail.signals import AnymailInboundEvent
from anymail.webhooks.base import AnymailCoreWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from parley.conversations.ingest import RawInbound, accept_inbound_events

from ..models import Channel, ChannelKind
from .inbox import raw_inbound_mail

BASIC_AUTH_SECRET = "inbound_webhook_auth"  # noqa: S105  the secret's name


class Rejected(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


@dataclass(frozen=True)
class Provider:
    view: type[AnymailCoreWebhookView]
    # The message's original bytes in the request, when the provider sends them.
    raw: Callable[[HttpRequest, AnymailInboundEvent], bytes | None]
    # The channel secret holding the provider's signing key; without one, basic auth.
    signing_key: str = ""


def form_field(request: HttpRequest, name: str) -> bytes | None:
    """A form field's bytes exactly as posted (Django's request.POST decodes them as text,
    which would alter mail in an 8-bit charset)."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        # Latin-1 maps each byte to one character and back.
        body = request.body.decode("latin-1")
        fields = parse_qs(body, keep_blank_values=True, encoding="latin-1")
        return fields[name][-1].encode("latin-1") if name in fields else None
    if not content_type.startswith("multipart/form-data"):
        return None
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    form = email.message_from_bytes(head + request.body, policy=email.policy.HTTP)
    for part in form.iter_parts():  # type: ignore[attr-defined]
        if part.get_param("name", header="content-disposition") == name:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def _postmark_raw(request: HttpRequest, event: AnymailInboundEvent) -> bytes | None:
    raw = event.esp_event.get("RawEmail")
    return raw.encode("utf-8") if raw else None


PROVIDERS: dict[str, Provider] = {
    "mailgun": Provider(
        MailgunInboundWebhookView,
        lambda request, event: form_field(request, "body-mime"),
        signing_key="mailgun_webhook_signing_key",
    ),
    "sendgrid": Provider(
        SendGridInboundWebhookView, lambda request, event: form_field(request, "email")
    ),
    "postmark": Provider(PostmarkInboundWebhookView, _postmark_raw),
}


@csrf_exempt
def receive_provider_mail(request: HttpRequest, channel_id: int, provider: str) -> HttpResponse:
    """Verify → store → 200; a bad signature or payload is a 4xx and nothing is stored."""
    try:
        accept_inbound_events(_inbound_mail(request, channel_id, provider))
    except Rejected as exc:
        return JsonResponse({"code": exc.code, "detail": exc.detail}, status=exc.status)
    return HttpResponse(b"ok", content_type="text/plain")


def _inbound_mail(request: HttpRequest, channel_id: int, name: str) -> list[RawInbound]:
    if request.method != "POST":
        raise Rejected(405, "method_not_allowed", _("inbound mail is POSTed"))
    provider = PROVIDERS.get(name)
    if provider is None:
        supported = ", ".join(sorted(PROVIDERS))
        raise Rejected(
            404, "unknown_provider", _("inbound mail comes from %(names)s") % {"names": supported}
        )
    channel = Channel.objects.filter(pk=channel_id, kind=ChannelKind.EMAIL, active=True).first()
    if channel is None:
        raise Rejected(404, "not_found", _("no such email channel"))
    return [
        raw_inbound_mail(
            channel.pk,
            provider.raw(request, event) or event.message.as_bytes(),
            source=name,
            recipients=_recipients(event),
        )
        for event in _verified_events(_view(channel, name, provider), request)
    ]


def _verified_events(
    view: AnymailCoreWebhookView, request: HttpRequest
) -> list[AnymailInboundEvent]:
    try:
        request.body  # noqa: B018  read before request.POST: form_field needs the bytes
        view.run_validators(request)
        return view.parse_events(request)
    except RequestDataTooBig as exc:
        raise Rejected(413, "too_large", _("payload too large")) from exc
    except AnymailWebhookValidationFailure as exc:
        raise Rejected(401, "bad_signature", str(exc)) from exc
    except (AnymailError, AnymailConfigurationError, KeyError, ValueError, TypeError) as exc:
        raise Rejected(
            400, "invalid_payload", _("not an inbound mail payload: %(error)s") % {"error": exc}
        ) from exc


def _view(channel: Channel, name: str, provider: Provider) -> AnymailCoreWebhookView:
    """The anymail view for this request, holding this channel's secrets."""
    basic_auth = channel.secret(BASIC_AUTH_SECRET)
    options: dict[str, object] = {"webhook_secret": [basic_auth] if basic_auth else []}
    secret = provider.signing_key or BASIC_AUTH_SECRET
    if not channel.secret(secret):
        raise Rejected(
            403,
            "not_set_up",
            _("this channel has no %(secret)s set up for %(provider)s inbound mail")
            % {"secret": secret, "provider": name},
        )
    if provider.signing_key:
        options["webhook_signing_key"] = channel.secret(provider.signing_key)
    with warnings.catch_warnings():
        # Anymail no longer tests SendGrid; its inbound format has not changed.
        warnings.simplefilter("ignore", AnymailNotSupportedWarning)
        return provider.view(**options)


def _recipients(event: AnymailInboundEvent) -> tuple[str, ...]:
    recipient = event.message.envelope_recipient
    return (recipient,) if recipient else ()
