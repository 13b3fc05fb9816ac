from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parley.accounts.models import Agent
from parley.conversations.access import access_customer, can_merge, visible_conversations
from parley.core.errors import NotFound, ParleyError
from parley.customers.actions import add_customer_note, request_duplicate_scan, update_customer
from parley.customers.duplicates import dismiss_suggestion, likely_duplicates
from parley.customers.merge import merge_customers, preview_merge, unmerge_customers
from parley.customers.models import Customer, CustomerMerge, MergeSuggestion
from parley.customers.profile import customer_timeline, lifetime_value, open_suggestions
from parley.customers.resolve import find_profile

from ..forms import CustomerFactsForm, CustomerNoteForm


def _load(request: HttpRequest, customer_id: int) -> Customer:
    try:
        return access_customer(request.user, customer_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404("customer not found") from None


@login_required
def detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    merged_into = _merged_into(customer_id)
    if merged_into is not None:
        messages.info(request, _("That profile was merged into this one."))
        return redirect("customer", _load(request, merged_into).pk)
    customer = _load(request, customer_id)
    conversations = (
        visible_conversations(request.user)  # type: ignore[arg-type]
        .filter(customer=customer)
        .select_related("channel", "assignee")
    )
    return render(
        request,
        "web/customer.html",
        {
            "customer": customer,
            "identities": customer.identities.all(),
            "notes": customer.notes.filter(pinned=True).select_related("author"),
            "timeline": customer_timeline(customer, conversations),
            "orders": customer.orders.all()[:50],
            "lifetime_value": lifetime_value(customer),
            "suggestions": open_suggestions(customer, request.user),  # type: ignore[arg-type]
        },
    )


@login_required
def merge(request: HttpRequest) -> HttpResponse:
    """Preview (GET) and do (POST) a merge: ?target=<kept id>&source=<id>… — or
    &find=<email, phone or #id> to pick the profile to merge in."""
    agent: Agent = request.user  # type: ignore[assignment]
    data = request.POST if request.method == "POST" else request.GET
    target = _load(request, _int(data.get("target")))
    source_ids = [_int(i) for i in data.getlist("source")]
    if data.get("find"):
        found = find_profile(data["find"])
        if found is None:
            messages.error(request, _("No profile has that email, phone or number."))
            return redirect("customer", target.pk)
        source_ids = [found.pk]
    sources = [_load(request, i) for i in source_ids]
    if not can_merge(agent, [target, *sources]):
        messages.error(
            request,
            _("Only someone who may see all their conversations can merge these profiles."),
        )
        return redirect("customer", target.pk)
    try:
        if request.method == "POST":
            done = merge_customers(agent, target, sources)
            messages.success(request, _("Profiles merged. You can undo this below."))
            return redirect(f"{reverse('customer', args=[target.pk])}#merge-{done.pk}")
        preview = preview_merge(target, sources)
    except ParleyError as exc:
        messages.error(request, exc.detail)
        return redirect("customer", target.pk)
    return render(request, "web/merge.html", {"preview": preview})


@login_required
@require_POST
def undo_merge(request: HttpRequest, merge_id: int) -> HttpResponse:
    record = CustomerMerge.objects.filter(pk=merge_id).first()
    if record is None:
        raise Http404("merge not found")
    target = _load(request, record.target_id)
    if not can_merge(request.user, [target]):  # type: ignore[arg-type]
        messages.error(
            request, _("Only someone who may see all their conversations can undo this merge.")
        )
        return redirect("customer", target.pk)
    try:
        unmerge_customers(request.user, record)  # type: ignore[arg-type]
        messages.success(request, _("Merge undone: the profiles are separate again."))
    except ParleyError as exc:
        messages.error(request, exc.detail)
    return redirect("customer", record.target_id)


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    suggestions = likely_duplicates(request.user, limit=100)  # type: ignore[arg-type]
    return render(request, "web/duplicates.html", {"suggestions": suggestions})


@login_required
@require_POST
def dismiss(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = MergeSuggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is None:
        raise Http404("suggestion not found")
    _load(request, suggestion.customer_id)
    _load(request, suggestion.other_id)
    dismiss_suggestion(suggestion)
    messages.success(request, _("Marked as different people."))
    return redirect("duplicates")


@login_required
@require_POST
def scan(request: HttpRequest) -> HttpResponse:
    if not request.user.sees_everything:  # type: ignore[union-attr]
        raise PermissionDenied("a full scan is for leads and admins")
    request_duplicate_scan()
    messages.success(request, _("Looking for duplicates; new suggestions appear here."))
    return redirect("duplicates")


def _merged_into(customer_id: int) -> int | None:
    """The profile a merged one now lives in (its own page is empty)."""
    return Customer.objects.filter(pk=customer_id).values_list("merged_into_id", flat=True).first()


def _int(value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise Http404("no such customer") from None
    if not 0 < number < 2**63:
        raise Http404("no such customer")
    return number


@login_required
@require_POST
def add_note(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A note on the customer's profile, shown beside every one of their conversations."""
    customer = _load(request, customer_id)
    form = CustomerNoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        add_customer_note(request.user, customer, data["body"], pinned=data["pinned"])  # type: ignore[arg-type]
    else:
        messages.error(request, _("A note needs some text."))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("customer", customer_id)


@login_required
@require_POST
def update_facts(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _load(request, customer_id)
    form = CustomerFactsForm(request.POST)
    if form.is_valid():
        update_customer(customer, attributes=form.attributes())
    else:
        for error in form.errors.values():
            messages.error(request, error.as_text())
    return redirect("customer", customer.pk)


@login_required
def picture(request: HttpRequest, customer_id: int) -> FileResponse:
    """Served only to agents who may see the customer."""
    customer = _load(request, customer_id)
    if not customer.picture:
        raise Http404("no picture")
    return FileResponse(customer.picture.open("rb"))
