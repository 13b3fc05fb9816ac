"""Customer profiles."""

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router

from parley.conversations.access import access_customer, visible_customers
from parley.customers.actions import update_customer
from parley.customers.models import Customer

from .auth import agent_of
from .pagination import paginate
from .schemas import CustomerOut, CustomerPage, CustomerPatch, IdentityOut, QueryText

router = Router(tags=["customers"])


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.pk,
        name=customer.name,
        attributes=customer.attributes,
        identities=[IdentityOut(kind=i.kind, value=i.value) for i in customer.identities.all()],
        created_at=customer.created_at,
    )


@router.get("/customers", response=CustomerPage)
def search_customers(
    request: HttpRequest, q: QueryText = "", cursor: str | None = None, limit: int = 50
):
    customers = visible_customers(agent_of(request)).prefetch_related("identities")
    if q.strip():
        term = q.strip()
        customers = customers.filter(
            Q(name__icontains=term) | Q(identities__value__icontains=term.lower())
        ).distinct()
    rows, next_cursor = paginate(customers, cursor, limit)
    return {"items": [customer_out(c) for c in rows], "next_cursor": next_cursor}


@router.get("/customers/{customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: int):
    return customer_out(access_customer(agent_of(request), customer_id))


@router.patch("/customers/{customer_id}", response=CustomerOut)
def patch_customer(request: HttpRequest, customer_id: int, patch: CustomerPatch):
    customer = access_customer(agent_of(request), customer_id)
    return customer_out(update_customer(customer, name=patch.name, attributes=patch.attributes))
