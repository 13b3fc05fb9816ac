"""A base for middleware that runs natively in both the sync and the async stack.

Under ASGI a sync-only middleware costs a thread hop per request; subclasses implement
`handle` (sync) and `ahandle` (async) and this base picks the right one once.
"""

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse


class DualModeMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        return self.ahandle(request) if self.is_async else self.handle(request)

    def handle(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError
