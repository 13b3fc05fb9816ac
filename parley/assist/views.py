"""The Assist panel beside the composer. Thin: parse, authorise, one call, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from parley.conversations.access import access_conversation
from parley.conversations.models import Conversation
from parley.core.errors import NotFound, ParleyError

from .actions import ask_provider
from .forms import AskForm
from .insight import handoff_summary, insight, language_label
from .models import ProviderSettings
from .prompts import TONES


def _load(request: HttpRequest, conversation_id: int) -> Conversation:
    try:
        return access_conversation(request.user, conversation_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404("conversation not found") from None


@login_required
@require_GET
def panel(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _load(request, conversation_id)
    found = insight(request.user, conversation)  # type: ignore[arg-type]
    context = {
        "insight": found,
        "language_label": language_label(found.language),
        "provider": ProviderSettings.current().ready,
        "tones": TONES,
    }
    return render(request, "assist/_insight.html", context)


@login_required
@require_GET
def summary(request: HttpRequest, conversation_id: int) -> JsonResponse:
    """The offline summary: {"text": …}, "" for a conversation without messages."""
    conversation = _load(request, conversation_id)
    return JsonResponse({"text": handoff_summary(conversation)})


@login_required
@require_POST
def ask(request: HttpRequest, conversation_id: int) -> JsonResponse:
    """{"text": …} for the composer or the panel; {"code", "detail"} with a 4xx (bad input,
    assistance off) or a 502 (the provider failed)."""
    conversation = _load(request, conversation_id)
    form = AskForm(request.POST)
    if not form.is_valid():
        detail = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return JsonResponse({"code": "invalid", "detail": detail}, status=400)
    data = form.cleaned_data
    try:
        text = ask_provider(
            request.user,  # type: ignore[arg-type]
            conversation,
            data["action"],
            text=data["text"],
            tone=data["tone"],
        )
    except ParleyError as exc:
        return JsonResponse({"code": exc.code, "detail": exc.detail}, status=exc.http_status)
    return JsonResponse({"text": text})
