"""Saved replies in the workspace: the composer's search and insert, and the page where
agents keep their own replies and signatures (leads and admins also the shared ones)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parley.accounts.models import Agent
from parley.conversations.access import access_conversation
from parley.core.errors import NotFound, ParleyError

from .actions import delete_saved_reply, save_saved_reply, save_signatures, use_saved_reply
from .forms import SavedReplyForm, SignaturesForm
from .models import SavedReply, SignatureKind
from .queries import may_change, search_replies, usable_replies


def _conversation(request: HttpRequest, conversation_id: int):  # type: ignore[no-untyped-def]
    try:
        return access_conversation(request.user, conversation_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404("conversation not found") from None


def _usable(agent: Agent, reply_id: int) -> SavedReply:
    found = usable_replies(agent).filter(pk=reply_id).first()
    if found is None:
        raise Http404("saved reply not found")
    return found


@login_required
@require_GET
def search(request: HttpRequest, conversation_id: int) -> JsonResponse:
    """The composer's list after ## or /: title, shortcut and tags of what matches."""
    _conversation(request, conversation_id)
    found = search_replies(request.user, request.GET.get("q", "")[:100])  # type: ignore[arg-type]
    items = [{"id": r.pk, "title": r.title, "shortcut": r.shortcut, "tags": r.tags} for r in found]
    return JsonResponse({"items": items})


@login_required
@require_POST
def use(request: HttpRequest, conversation_id: int, reply_id: int) -> JsonResponse:
    """The reply filled in for this conversation, to edit in the composer; counted."""
    conversation = _conversation(request, conversation_id)
    reply = _usable(request.user, reply_id)  # type: ignore[arg-type]
    return JsonResponse({"text": use_saved_reply(request.user, conversation, reply)})  # type: ignore[arg-type]


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    replies = usable_replies(agent).order_by("title", "pk")
    signatures = dict(agent.signatures.values_list("kind", "text"))
    initial = {
        "email": agent.signature,
        "chat": signatures.get(SignatureKind.CHAT, ""),
        "social": signatures.get(SignatureKind.SOCIAL, ""),
    }
    context = {
        "rows": [(reply, may_change(agent, reply)) for reply in replies],
        "signatures": SignaturesForm(initial=initial),
    }
    return render(request, "replies/manage.html", context)


@login_required
def edit(request: HttpRequest, reply_id: int | None = None) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    reply = _usable(agent, reply_id) if reply_id else None
    if reply is not None and not may_change(agent, reply):
        raise Http404("saved reply not found")  # others' replies are used, not changed
    rows = len(reply.bodies) if reply else 0
    if request.method != "POST":
        initial = SavedReplyForm.initial_for(reply) if reply else {"scope": "personal"}
        form = SavedReplyForm(initial=initial, rows=rows)
        return render(request, "replies/form.html", {"form": form, "reply": reply})
    form = SavedReplyForm(request.POST, rows=rows)
    if form.is_valid():
        try:
            save_saved_reply(agent, reply, **form.values())
            messages.success(request, _("Saved reply saved."))
            return redirect("saved_replies")
        except ParleyError as exc:
            form.add_error(None, exc.detail)
    return render(request, "replies/form.html", {"form": form, "reply": reply}, status=400)


@login_required
@require_POST
def delete(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _usable(request.user, reply_id)  # type: ignore[arg-type]
    if not may_change(request.user, reply):  # type: ignore[arg-type]
        raise Http404("saved reply not found")
    delete_saved_reply(reply)
    messages.success(request, _("Saved reply deleted."))
    return redirect("saved_replies")


@login_required
@require_POST
def signatures(request: HttpRequest) -> HttpResponse:
    form = SignaturesForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, error.as_text())
        return redirect("saved_replies")
    save_signatures(request.user, **form.cleaned_data)  # type: ignore[arg-type]
    messages.success(request, _("Signatures saved."))
    return redirect("saved_replies")
