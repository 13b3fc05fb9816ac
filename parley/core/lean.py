"""A middleware-free path for the high-volume inbound API endpoint.

Sessions, CSRF, locale and CSP mean nothing to a token-authenticated JSON endpoint, and
under ASGI every classic Django middleware costs a thread hop per request. Requests for
`POST /api/v1/channels/<id>/messages` therefore go to a second Django handler with no
middleware; the view, its auth and its errors are the same code the full stack serves.
"""

import re
from collections.abc import Awaitable, Callable
from typing import Any

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest
from django.http.response import HttpResponseBase

INBOUND_PATH = re.compile(r"^/api/v1/channels/\d+/messages$")


class MiddlewareFreeASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware with an empty MIDDLEWARE setting.
        self._view_middleware: list = []
        self._template_response_middleware: list = []
        self._exception_middleware: list = []
        handler = self._get_response_async if is_async else self._get_response  # type: ignore[attr-defined]
        self._middleware_chain = convert_exception_to_response(handler)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response = await super().get_response_async(request)
        # What CommonMiddleware would add: keep-alive clients need the length.
        if not response.streaming and "Content-Length" not in response.headers:
            response.headers["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
        return response


ASGIApp = Callable[[dict, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Any]


def route_inbound(full_stack: ASGIApp) -> ASGIApp:
    lean = MiddlewareFreeASGIHandler()

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope.get("method") == "POST" and INBOUND_PATH.match(scope.get("path", "")):
            await lean(scope, receive, send)
        else:
            await full_stack(scope, receive, send)

    return app
