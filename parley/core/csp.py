"""A strict Content-Security-Policy: scripts and styles only from our own origin."""

from django.http import HttpRequest, HttpResponse

from .middleware import DualModeMiddleware

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _apply(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # The OpenAPI explorer loads its own assets; everything else gets the strict policy.
    if not request.path.startswith("/api/docs"):
        response.headers.setdefault("Content-Security-Policy", POLICY)
    return response


class ContentSecurityPolicyMiddleware(DualModeMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponse:
        return _apply(request, self.get_response(request))

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        return _apply(request, await self.get_response(request))
