"""Every API error is JSON: {"code": stable machine-readable reason, "detail": for humans}."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parley.core.errors import ParleyError


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, code: str, detail: str, **extra: object):
        return api.create_response(
            request, {"code": code, "detail": detail, **extra}, status=status
        )

    @api.exception_handler(ParleyError)
    def parley_error(request: HttpRequest, exc: ParleyError) -> HttpResponse:
        return respond(request, exc.http_status, exc.code, exc.detail, **exc.extra())

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'body'}: {e.get('msg')}"
            for e in exc.errors[:10]
        ]
        return respond(request, 422, "invalid", "; ".join(problems), errors=exc.errors[:10])

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, "unauthenticated", "a valid API token is required")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, "not_found", str(exc) or "not found")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja wraps body-parsing failures: report ours as they are, the rest as bad JSON.
        cause = exc.__cause__
        if isinstance(cause, ParleyError):
            return respond(request, cause.http_status, cause.code, cause.detail)
        if exc.status_code == 400:
            return respond(request, 400, "invalid_json", f"the body is not valid JSON: {cause}")
        return respond(request, exc.status_code, "http_error", str(exc))
