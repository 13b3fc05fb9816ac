"""Customer profiles, their orders, and merging duplicates."""

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Status

from parley.accounts.models import Agent
from parley.conversations.access import access_customer, can_merge, visible_customers
from parley.core.errors import InvalidInput, PermissionDenied
from parley.customers.actions import update_customer
from parley.customers.duplicates import likely_duplicates
from parley.customers.imports import import_orders_csv
from parley.customers.merge import merge_customers, preview_merge, unmerge_customers
from parley.customers.models import Customer, CustomerMerge
from parley.customers.orders import order_from_dict, replace_api_orders

from .admin import require_admin
from .auth import agent_of
from .lookup import get_or_404
from .pagination import paginate
from .schemas import (
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    Id,
    IdentityOut,
    MergeIn,
    MergeOut,
    MergePreviewOut,
    OrderOut,
    OrdersIn,
    QueryText,
    SuggestionOut,
)

MAX_CSV_BYTES = 5 * 1024 * 1024

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
    customers = (
        visible_customers(agent_of(request))
        .filter(merged_into__isnull=True)
        .prefetch_related("identities")
    )
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


@router.get("/customers/{customer_id}/orders", response=list[OrderOut])
def list_orders(request: HttpRequest, customer_id: int):
    customer = access_customer(agent_of(request), customer_id)
    return [OrderOut.of(order) for order in customer.orders.all()]


@router.put("/customers/{customer_id}/orders", response=list[OrderOut])
def put_orders(request: HttpRequest, customer_id: int, body: OrdersIn):
    """The customer's orders from your store (source "api"): each is created or updated by
    its external_id, and api orders of this customer missing from the list are removed."""
    customer = access_customer(agent_of(request), customer_id)
    orders = []
    for i, order in enumerate(body.orders):
        try:
            orders.append(order_from_dict(order.dict()))
        except InvalidInput as exc:
            raise InvalidInput(f"orders[{i}].{exc.detail}", code=exc.code) from None
    return [OrderOut.of(order) for order in replace_api_orders(customer, orders)]


@router.post("/orders/import", response=dict)
def import_orders(request: HttpRequest):
    """A CSV file as the request body (text/csv, UTF-8): all rows imported, or none."""
    require_admin(request)
    if len(request.body) > MAX_CSV_BYTES:
        raise InvalidInput(f"the file is over {MAX_CSV_BYTES // 1024 // 1024} MB", code="too_large")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", code="invalid_import") from None
    return {"imported": len(import_orders_csv(text))}


def _merge_parties(request: HttpRequest, body: MergeIn) -> tuple[Customer, list[Customer]]:
    agent = agent_of(request)
    target = access_customer(agent, body.target)
    sources = [access_customer(agent, i) for i in body.sources]
    _may_merge(agent, [target, *sources])
    return target, sources


def _may_merge(agent: Agent, customers: list[Customer]) -> None:
    if not can_merge(agent, customers):
        raise PermissionDenied(
            "merging needs someone who may see all these profiles' conversations"
        )


@router.post("/merges/preview", response=MergePreviewOut)
def preview(request: HttpRequest, body: MergeIn):
    target, sources = _merge_parties(request, body)
    found = preview_merge(target, sources)
    return MergePreviewOut(
        target=target.pk,
        sources=[s.pk for s in sources],
        counts=found.counts,
        name=found.name,
        attributes=found.attributes,
        conflicts=found.conflicts,
    )


@router.post("/merges", response={201: MergeOut})
def merge(request: HttpRequest, body: MergeIn):
    target, sources = _merge_parties(request, body)
    return Status(201, _merge_out(merge_customers(agent_of(request), target, sources)))


@router.post("/merges/{merge_id}/undo", response=MergeOut)
def undo_merge(request: HttpRequest, merge_id: Id):
    agent = agent_of(request)
    record = get_or_404(CustomerMerge, merge_id, "merge")
    _may_merge(agent, [access_customer(agent, record.target_id)])
    unmerge_customers(agent, record)
    record.refresh_from_db()
    return _merge_out(record)


@router.get("/duplicates", response=list[SuggestionOut])
def duplicates(request: HttpRequest, limit: int = 50):
    return [
        SuggestionOut(
            id=s.pk,
            customers=[s.customer_id, s.other_id],
            reason=s.reason,
            evidence=s.evidence,
            created_at=s.created_at,
        )
        for s in likely_duplicates(agent_of(request), limit=min(max(limit, 1), 200))
    ]


def _merge_out(record: CustomerMerge) -> MergeOut:
    return MergeOut(
        id=record.pk,
        target=record.target_id,
        sources=[int(i) for i in record.moved],
        created_at=record.created_at,
        undone_at=record.undone_at,
    )
