from django.http import HttpRequest, HttpResponse
from django.utils import translation

from parley.core.middleware import DualModeMiddleware


def _activate(request: HttpRequest, language: str) -> None:
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class AgentLanguageMiddleware(DualModeMiddleware):
    """Use the agent's chosen UI language; LocaleMiddleware already picked the browser's."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        _activate(request, getattr(request.user, "language", ""))
        return self.get_response(request)

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        user = await request.auser()
        _activate(request, getattr(user, "language", ""))
        return await self.get_response(request)
