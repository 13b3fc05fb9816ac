"""The widget's HTTP side: its script, the session it starts with, contact details,
attachments, and the files in its conversation.

These endpoints are called from customers' sites (cross-origin, no cookies): each answers
CORS for the origins the channel allows, and authenticates the visitor by their signed
token, never by a session.
"""

from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from parley.core.errors import InvalidInput, ParleyError
from parley.core.files import safe_file_response

from ..models import Channel
from ..origins import json_object
from . import visitors
from .frames import attachment_for
from .identity import (
    Visitor,
    issue_token,
    new_visitor,
    read_token,
    verified_visitor,
    with_contact,
)

WIDGET = Path(__file__).parent / "static" / "chat" / "widget.js"
ChatView = Callable[[HttpRequest, Channel], HttpResponse]


@require_GET
def widget_js(request: HttpRequest) -> FileResponse:
    response = FileResponse(WIDGET.open("rb"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def widget_endpoint(view: ChatView) -> Callable[..., HttpResponse]:
    """POST-only, cross-origin for allowed origins, errors as {code, detail} JSON."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, public_key: str) -> HttpResponse:
        origin = request.headers.get("Origin")
        try:
            # A preflight only asks; the request that follows is checked (and, from a
            # refused origin, answered with a readable refusal).
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
            elif request.method != "POST":
                response = _error(InvalidInput(_("Use POST."), code="method_not_allowed"))
                response.status_code = 405
            else:
                response = view(request, visitors.chat_channel(public_key, origin))
        except ParleyError as exc:
            response = _error(exc)
        # Errors too, so that the widget can read why (a refused origin learns only that).
        if origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "600"
            response["Vary"] = "Origin"
        return response

    return wrapped


def _error(exc: ParleyError) -> JsonResponse:
    return JsonResponse({"code": exc.code, "detail": exc.detail}, status=exc.http_status)


def _visitor(channel: Channel, token: object) -> Visitor:
    return read_token(channel, str(token or ""))


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


@widget_endpoint
def session(request: HttpRequest, channel: Channel) -> JsonResponse:
    """Start or resume: {token?, identity?: {id?, email?, name?, hash}} → token, the
    widget's settings, and whether the team is away."""
    body = json_object(request)
    visitor = _session_visitor(request, channel, body)
    return JsonResponse(
        {
            "token": issue_token(channel, visitor),
            "visitor": {"name": visitor.name, "email": visitor.email},
            "socket": f"/ws/chat/{channel.public_key}/",
            "settings": visitors.widget_settings(channel),
            "away": visitors.away_status(channel),
        }
    )


def _session_visitor(request: HttpRequest, channel: Channel, body: dict) -> Visitor:
    identity = body.get("identity")
    if isinstance(identity, dict) and identity:
        return verified_visitor(channel, identity)
    if body.get("token"):
        try:
            known = _visitor(channel, body["token"])
        except ParleyError:
            known = None
        # A signed-in shopper's session needs their identity again: on a shared computer
        # the next person, signed out, must not see their conversation.
        if known is not None and known.id.startswith("v-"):
            return known
    visitors.check_rate("session", _address(request), visitors.ADDRESS_SESSIONS)
    return new_visitor()


@widget_endpoint
def contact(request: HttpRequest, channel: Channel) -> JsonResponse:
    """{token, name?, email?} → a token that carries them; an email is linked to the
    visitor so that replies can continue by email."""
    body = json_object(request)
    visitor = _visitor(channel, body.get("token"))
    visitors.check_rate("contact", f"{channel.pk}.{visitor.id}", visitors.VISITOR_UPLOADS)
    updated = with_contact(visitor, str(body.get("name") or ""), str(body.get("email") or ""))
    if updated.email and updated.email != visitor.email:
        visitors.accept_contact(channel, updated)
    return JsonResponse(
        {
            "token": issue_token(channel, updated),
            "visitor": {"name": updated.name, "email": updated.email},
        }
    )


@widget_endpoint
def upload(request: HttpRequest, channel: Channel) -> JsonResponse:
    """Multipart: token, client_id, file, text? — a message with one attachment."""
    # Refused before the body is read: Django would spool any size of file to disk first.
    if int(request.META.get("CONTENT_LENGTH") or 0) > visitors.max_upload_bytes(channel) + 65536:
        raise visitors.TooLarge(visitors.too_large_file(channel))
    visitor = _visitor(channel, request.POST.get("token"))
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput(_("Choose a file to send."), code="no_file")
    visitors.check_rate("upload", f"{channel.pk}.{visitor.id}", visitors.VISITOR_UPLOADS)
    visitors.accept_message(
        channel,
        visitor,
        _address(request),
        client_id=request.POST.get("client_id", ""),
        text=request.POST.get("text", ""),
        page=request.POST.get("page", ""),
        attachments=[visitors.attachment_payload(channel, upload)],
    )
    return JsonResponse({"client_id": request.POST.get("client_id", "")[:64]}, status=202)


@require_GET
def file(request: HttpRequest, public_key: str, signed: str) -> FileResponse:
    """A file from the visitor's conversation, by the signed link its frame carries."""
    channel = Channel.objects.filter(public_key=public_key).first()
    found = attachment_for(channel, signed) if channel is not None else None
    if found is None:
        raise Http404("no such file")
    response = safe_file_response(found.file, found.filename)
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
