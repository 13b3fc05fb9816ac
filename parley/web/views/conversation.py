"""The conversation page and what an agent does from it. Thin: parse, authorise, one action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parley.accounts.models import Agent, Team
from parley.connectors.email.send import default_cc
from parley.connectors.models import ChannelKind
from parley.connectors.windows import reply_options
from parley.conversations import actions
from parley.conversations.access import (
    access_conversation,
    can_see,
    visible_conversations,
    visible_customers,
)
from parley.conversations.models import Attachment, Conversation, Priority, Status
from parley.core.errors import NotFound, ParleyError
from parley.core.files import safe_file_response
from parley.customers.profile import lifetime_value, open_suggestions, orders_beside
from parley.integrations.actions import refresh_customer_orders
from parley.replies.limits import ReplyRefused

from ..forms import AssignForm, ComposeForm, UpdateForm


def _load(request: HttpRequest, conversation_id: int) -> Conversation:
    try:
        return access_conversation(request.user, conversation_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404("conversation not found") from None


def conversation_context(agent: Agent, conversation: Conversation) -> dict:
    timeline = (
        conversation.timeline.select_related(
            "actor", "message", "message__author", "message__reply_to"
        )
        .prefetch_related("message__attachments")
        .order_by("created_at", "id")
    )
    customer = conversation.customer
    visible = visible_customers(agent).values("pk")
    named = list(
        conversation.orders.filter(Q(customer=customer) | Q(customer__in=visible)).select_related(
            "customer"
        )
    )
    return {
        "conversation": conversation,
        "timeline": timeline,
        "customer": customer,
        "identities": customer.identities.all(),
        "customer_notes": customer.notes.select_related("author")[:10],
        "other_conversations": visible_conversations(agent)
        .filter(customer=customer)
        .exclude(pk=conversation.pk)
        .select_related("channel")
        .order_by("-created_at")[:20],
        "tags": ", ".join(conversation.tags.values_list("name", flat=True)),
        "can_see_deleted": agent.sees_everything,
        "named_orders": named,
        "orders": orders_beside(customer, named),
        "lifetime_value": lifetime_value(customer),
        "suggestions": open_suggestions(customer, agent),
    }


@login_required
def detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _load(request, conversation_id)
    refresh_customer_orders(conversation.customer)  # shown on the next push or visit
    return _page(request, conversation, ComposeForm(initial={"mode": "reply"}))


def _page(
    request: HttpRequest,
    conversation: Conversation,
    compose: ComposeForm,
    *,
    newer: list | None = None,
    status: int = 200,
) -> HttpResponse:
    """The conversation page; after a refused reply, with the draft and what arrived."""
    context = conversation_context(request.user, conversation)  # type: ignore[arg-type]
    options = reply_options(
        conversation.channel, conversation.thread_ref, conversation.last_customer_message_at
    )
    context.update(
        options=options,
        template_defaults=[conversation.customer.name, conversation.reference],
        cc=_default_cc(conversation),
        compose=compose,
        newer=newer,
        seen=conversation.messages.order_by("-pk").values_list("pk", flat=True).first() or 0,
        statuses=Status.choices,
        priorities=Priority.choices,
        agents=Agent.objects.filter(is_active=True),
        teams=Team.objects.all(),
    )
    return render(request, "web/conversation.html", context, status=status)


def _default_cc(conversation: Conversation) -> str | None:
    """Email only: who the reply copies unless the agent changes it."""
    if conversation.channel.kind != ChannelKind.EMAIL:
        return None
    address = next(
        (i.value for i in conversation.customer.identities.all() if i.kind == "email"), ""
    )
    return ", ".join(default_cc(conversation.channel, conversation.pk, address))


@login_required
def live(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The parts of the page a push refreshes: timeline and ticket properties."""
    conversation = _load(request, conversation_id)
    context = conversation_context(request.user, conversation)  # type: ignore[arg-type]
    return render(request, "web/_conversation_live.html", context)


@login_required
@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _load(request, conversation_id)
    form = ComposeForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, error.as_text())
        return redirect("conversation", conversation_id)
    try:
        _send(request.user, conversation, form.cleaned_data, request.POST)  # type: ignore[arg-type]
    except actions.NewerMessages as exc:
        draft = ComposeForm(initial={**form.cleaned_data, "confirm": True})
        return _page(request, conversation, draft, newer=exc.messages, status=409)
    except ReplyRefused as exc:  # the draft stays on the page to fix
        messages.error(request, exc.detail)
        return _page(request, conversation, ComposeForm(initial=form.cleaned_data), status=400)
    except ParleyError as exc:
        messages.error(request, exc.detail)
    return redirect("conversation", conversation_id)


def _send(agent: Agent, conversation: Conversation, data: dict, post: QueryDict) -> None:
    files = data["attachments"]
    if data["mode"] == "note":
        actions.add_note(agent, conversation, data["text"], files)
    elif data["template"]:
        parameters = post.getlist(f"param-{data['template']}")
        actions.send_template(agent, conversation, data["template"], parameters)
    else:
        details: dict = {}
        if data["comment_reply"]:
            details["comment_reply"] = data["comment_reply"]
        if data["cc"] is not None and conversation.channel.kind == ChannelKind.EMAIL:
            details["cc"] = data["cc"]
        seen = None if data["confirm"] else data["seen"]
        actions.send_reply(
            agent,
            conversation,
            data["text"],
            files,
            details=details or None,
            unless_newer_than=seen,
        )


@login_required
@require_POST
def assign(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _load(request, conversation_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick an agent or a team that exists."))
        return redirect("conversation", conversation_id)
    try:
        actions.assign_conversation(
            request.user,  # type: ignore[arg-type]
            conversation,
            assignee=form.cleaned_data["assignee"],
            team=form.cleaned_data["team"],
            note=form.cleaned_data["note"],
        )
    except ParleyError as exc:
        messages.error(request, exc.detail)
        return redirect("conversation", conversation_id)
    if not can_see(request.user, conversation):  # type: ignore[arg-type]
        messages.info(request, _("Handed off. The conversation left your queues."))
        return redirect("inbox")
    return redirect("conversation", conversation_id)


@login_required
@require_POST
def update(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _load(request, conversation_id)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That status or priority does not exist."))
        return redirect("conversation", conversation_id)
    agent, data = request.user, form.cleaned_data
    try:
        if data["status"]:
            actions.set_status(agent, conversation, data["status"])  # type: ignore[arg-type]
        if data["priority"] is not None and data["priority"] != "":
            actions.set_priority(agent, conversation, data["priority"])  # type: ignore[arg-type]
        if data["set_tags"]:
            actions.set_tags(agent, conversation, form.tag_names())  # type: ignore[arg-type]
    except ParleyError as exc:
        messages.error(request, exc.detail)
    return redirect("conversation", conversation_id)


@login_required
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Attachments are served only to agents who may see their conversation."""
    found = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if found is None or not found.file:  # a platform's file that could not be downloaded
        raise Http404("attachment not found")
    _load(request, found.message.conversation_id)
    return safe_file_response(found.file, found.filename)
