"""The hosted form page, its thank-you page, and the JSON endpoint for sites' own forms.

The hosted page is exempt from Django's CSRF cookie check: visitors are anonymous, so a
forged cross-site post could do nothing a direct post cannot, and the page must work for
visitors who block cookies. What a post must carry instead is the signed form token the
page was rendered with (submit.py), which also times how long the form was open.
"""

import re
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from parley.core.errors import InvalidInput, ParleyError, PermissionDenied

from ..chat.visitors import TooLarge, normal_origin
from ..models import Channel
from ..origins import json_object
from .config import (
    HONEYPOT,
    MAX_FILES,
    TOKEN,
    FormConfig,
    SubmissionForm,
    form_config,
    too_large_message,
)
from .submit import (
    FormExpired,
    accept_submission,
    check_address_rate,
    check_token,
    form_channel,
    issue_token,
    reference_for,
    submission_of,
    thanks_key,
)

CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# How many times the thank-you page reloads itself while the ticket is being filed.
THANKS_RELOADS = 5


@csrf_exempt
@require_http_methods(["GET", "POST"])
def form_page(request: HttpRequest, public_key: str) -> HttpResponse:
    try:
        channel = form_channel(public_key)
        config = form_config(channel)
    except ParleyError as exc:
        context = {"error": exc.detail}
        return render(request, "web/forms/unavailable.html", context, status=exc.http_status)
    with translation.override(config.language or translation.get_language()):
        if request.method == "GET":
            return _page(request, channel, config, SubmissionForm(config), issue_token(channel))
        return _post_page(request, channel, config)


def _post_page(request: HttpRequest, channel: Channel, config: FormConfig) -> HttpResponse:
    if _content_length(request) > config.max_request_bytes:
        error, fresh = too_large_message(config), SubmissionForm(config)
        return _page(request, channel, config, fresh, issue_token(channel), error, 413)
    if not _parsed(request):
        error = _("The form data could not be read: please send it again.")
        return _page(request, channel, config, SubmissionForm(config), issue_token(channel), error)
    token = request.POST.get(TOKEN, "")
    form = SubmissionForm(config, request.POST, request.FILES)
    try:
        check_address_rate(_address(request))
        nonce = check_token(channel, config, token)
        if not form.is_valid():
            return _page(request, channel, config, form, token, status=400)
        submission = accept_submission(
            channel, form, request.headers, nonce=nonce, honeypot=bool(request.POST.get(HONEYPOT))
        )
    except FormExpired as exc:
        return _page(request, channel, config, form, issue_token(channel), exc.detail)
    except ParleyError as exc:
        return _page(request, channel, config, form, token, exc.detail, exc.http_status)
    return redirect(
        "webform_thanks", public_key=channel.public_key, key=thanks_key(channel, submission)
    )


def _page(
    request: HttpRequest,
    channel: Channel,
    config: FormConfig,
    form: SubmissionForm,
    token: str,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    if error and status == 200:
        status = 400
    context = {
        "channel": channel,
        "config": config,
        "form": form,
        "token": token,
        "error": error,
        "honeypot": HONEYPOT,
        "token_name": TOKEN,
    }
    return render(request, "web/forms/form.html", context, status=status)


@require_GET
def thanks_page(request: HttpRequest, public_key: str, key: str) -> HttpResponse:
    try:
        channel = form_channel(public_key)
        submission = submission_of(channel, key)
        config = form_config(channel)
    except ParleyError as exc:
        raise Http404(exc.detail) from None
    reference = reference_for(channel, submission)
    reloads = _int(request.GET.get("wait"))
    context = {
        "channel": channel,
        "config": config,
        "reference": reference,
        "reload_url": None
        if reference or reloads >= THANKS_RELOADS
        else f"{request.path}?wait={reloads + 1}",
    }
    with translation.override(config.language or translation.get_language()):
        return render(request, "web/forms/thanks.html", context)


@csrf_exempt
def form_api(request: HttpRequest, public_key: str) -> HttpResponse:
    """GET: the form's fields and a token; POST: a submission (JSON or multipart);
    cross-origin for the channel's allowed origins only."""
    origin = request.headers.get("Origin")
    channel = None
    try:
        channel = form_channel(public_key)
        _check_origin(channel, origin)
        response = _api_call(request, channel)
    except ParleyError as exc:
        response = _error(exc)
    if origin and channel is not None and _origin_allowed(channel, origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


def _api_call(request: HttpRequest, channel: Channel) -> HttpResponse:
    if request.method == "OPTIONS":
        return HttpResponse(status=204)
    config = form_config(channel)
    if request.method == "GET":
        return JsonResponse(_description(channel, config))
    if request.method != "POST":
        response = _error(InvalidInput(_("Use GET or POST."), code="method_not_allowed"))
        response.status_code = 405
        return response
    return _api_submit(request, channel, config)


def _api_submit(request: HttpRequest, channel: Channel, config: FormConfig) -> JsonResponse:
    if _content_length(request) > config.max_request_bytes:
        raise TooLarge(too_large_message(config))
    data, files = _submitted(request, config)
    check_address_rate(_address(request))
    nonce = check_token(channel, config, str(data.get(TOKEN) or ""))
    client_id = str(data.get("id") or "")
    if client_id and not CLIENT_ID.match(client_id):
        raise _field_error("id", _("Use 1 to 64 letters, digits, dots, dashes or underscores."))
    form = SubmissionForm(config, data, files)
    if not form.is_valid():
        raise _form_error(form)
    submission = accept_submission(
        channel,
        form,
        request.headers,
        nonce=nonce,
        client_id=client_id,
        honeypot=bool(data.get(HONEYPOT)),
    )
    thanks = reverse("webform_thanks", args=[channel.public_key, thanks_key(channel, submission)])
    return JsonResponse(
        {"id": submission, "status": "accepted", "thanks_url": settings.PUBLIC_URL + thanks},
        status=202,
    )


def _submitted(request: HttpRequest, config: FormConfig) -> tuple[Mapping, Mapping]:
    """The posted values (strings only) and files; unknown names are refused."""
    files: Mapping = {}
    if request.content_type == "application/json":
        data = _json_values(request)
    elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if not _parsed(request):
            raise InvalidInput(_("The form data could not be read."), code="bad_form_data")
        data, files = request.POST, request.FILES
    else:
        raise InvalidInput(
            _("Send application/json, or multipart/form-data with attachments."),
            code="unsupported_media_type",
        )
    known = {f.name for f in config.fields} | {TOKEN, HONEYPOT, "id"}
    for name in [*data.keys(), *files.keys()]:
        if name not in known:
            raise _field_error(name, _("This form has no such field."))
    return data, files


def _json_values(request: HttpRequest) -> dict:
    body = json_object(request)
    if "attachments" in body:
        raise _field_error("attachments", _("Send attachments as multipart/form-data."))
    for name, value in body.items():
        if value is not None and not isinstance(value, str):
            raise _field_error(name, _("Must be a text."))
    return {name: value for name, value in body.items() if value is not None}


def _description(channel: Channel, config: FormConfig) -> dict:
    return {
        "title": config.title or channel.name,
        "intro": config.intro,
        "fields": [
            {
                "name": f.name,
                "label": f.shown_label,
                "required": f.required,
                "choices": list(f.choices),
            }
            for f in config.fields
        ],
        "form_token": issue_token(channel),
        "min_seconds": config.min_seconds,
        "max_files": MAX_FILES,
        "max_attachment_bytes": config.max_attachment_bytes,
    }


def _check_origin(channel: Channel, origin: str | None) -> None:
    if origin and not _origin_allowed(channel, origin):
        raise PermissionDenied(
            _("This site may not post to this form (origin %(origin)s).") % {"origin": origin},
            code="origin_not_allowed",
        )


def _origin_allowed(channel: Channel, origin: str) -> bool:
    allowed = {normal_origin(o) for o in channel.settings.get("allowed_origins") or []}
    allowed.add(normal_origin(settings.PUBLIC_URL))
    return normal_origin(origin) in allowed


def _form_error(form: SubmissionForm) -> ParleyError:
    name, errors = next(iter(form.errors.as_data().items()))
    if any(e.code == "too_large" for e in errors):
        return TooLarge(f"{name}: {too_large_message(form.config)}")
    return _field_error(name, " ".join(m for e in errors for m in e.messages))


class FieldError(InvalidInput):
    code = "invalid_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _field_error(name: str, message: str) -> FieldError:
    return FieldError(name[:64], message)


def _error(exc: ParleyError) -> JsonResponse:
    body = {"code": exc.code, "detail": exc.detail}
    if isinstance(exc, FieldError):
        body["field"] = exc.field
    return JsonResponse(body, status=exc.http_status)


def _parsed(request: HttpRequest) -> bool:
    """Parse the posted form now, so that a malformed body is a clear error, not a 500."""
    try:
        request.POST  # noqa: B018
    except (MultiPartParserError, RequestDataTooBig, SuspiciousOperation):
        request._post, request._files = QueryDict(), MultiValueDict()  # type: ignore[attr-defined]
        return False
    return True


def _content_length(request: HttpRequest) -> int:
    return _int(request.META.get("CONTENT_LENGTH"))


def _int(value: object) -> int:
    try:
        return max(int(str(value)), 0)
    except ValueError:
        return 0


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"
