from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parley.conversations.access import access_customer, visible_conversations
from parley.core.errors import NotFound
from parley.customers.actions import add_customer_note
from parley.customers.models import Customer

from ..forms import CustomerNoteForm


def _load(request: HttpRequest, customer_id: int) -> Customer:
    try:
        return access_customer(request.user, customer_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404("customer not found") from None


@login_required
def detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _load(request, customer_id)
    conversations = (
        visible_conversations(request.user)  # type: ignore[arg-type]
        .filter(customer=customer)
        .select_related("channel", "assignee")
        .order_by("-created_at")
    )
    return render(
        request,
        "web/customer.html",
        {
            "customer": customer,
            "identities": customer.identities.all(),
            "notes": customer.notes.select_related("author"),
            "conversations": conversations,
        },
    )


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
def picture(request: HttpRequest, customer_id: int) -> FileResponse:
    """Served only to agents who may see the customer."""
    customer = _load(request, customer_id)
    if not customer.picture:
        raise Http404("no picture")
    return FileResponse(customer.picture.open("rb"))
