"""Changing customer profiles."""

from django.db import transaction

from parley.accounts.models import Agent
from parley.core.oncommit import enqueue_on_commit

from .models import Customer, CustomerNote


@transaction.atomic
def update_customer(
    customer: Customer, *, name: str | None = None, attributes: dict | None = None
) -> Customer:
    if name is not None:
        customer.name = name.strip()[:200]
    if attributes is not None:
        customer.attributes = {**customer.attributes, **attributes}
        customer.attributes = {k: v for k, v in customer.attributes.items() if v is not None}
    customer.save()
    return customer


@transaction.atomic
def add_customer_note(agent: Agent, customer: Customer, body: str, *, pinned: bool = False):
    return CustomerNote.objects.create(customer=customer, author=agent, body=body, pinned=pinned)


def request_duplicate_scan() -> None:
    from .tasks import find_duplicates

    enqueue_on_commit(find_duplicates)
