from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from parley.conversations.access import access_customer, visible_conversations
from parley.core.errors import NotFound


@login_required
def detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        customer = access_customer(request.user, customer_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404("customer not found") from None
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
