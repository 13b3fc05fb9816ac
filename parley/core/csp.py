"""A strict Content-Security-Policy: scripts and styles only from our own origin."""

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _apply(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # The OpenAPI explorer loads its own assets; everything else gets the strict policy.
    if not request.path.startswith("/api/docs"):
        response.headers.setdefault("Content-Security-Policy", POLICY)
    return response


class ContentSecurityPolicyMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        return _apply(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return _apply(request, await self.get_response(request))
