"""Orders beside the conversation: recorded from a shop, a CSV file or the API, and
recognised when a customer names one ("#1042", "order 1042", "주문번호 1042")."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from parley.core.errors import Conflict, InvalidInput

from .models import Customer, IdentityKind, Order
from .resolve import IdentityRef, link_identities, resolve_customer

# "#1042" (not a ticket reference "[#1042]"), "order 1042", "order no. 1042",
# "주문번호 1042", "주문 번호: 1042".
ORDER_MENTION = re.compile(
    r"(?<!\[)#\s?(\d{3,12})\b"
    r"|(?:\border(?:\s+(?:number|no\.?|num|#))?|주문\s*번호|주문)\s*[:#]?\s*#?(\d{3,12})\b",
    re.IGNORECASE,
)
API_SOURCE = "api"
MAX_NAMED = 5
MAX_LINE_ITEMS = 200
MAX_TRACKING = 20


@dataclass
class OrderData:
    """One order as a source states it, already checked (see order_from_dict)."""

    external_id: str
    number: str
    email: str = ""
    phone: str = ""
    name: str = ""
    placed_at: datetime | None = None
    currency: str = ""
    total: Decimal | None = None
    financial_status: str = ""
    fulfillment_status: str = ""
    line_items: list[dict] = field(default_factory=list)
    tracking: list[dict] = field(default_factory=list)
    admin_url: str = ""
    updated_at: datetime | None = None


def record_order(source: str, data: OrderData, *, customer: Customer | None = None) -> Order:
    """Create or update the order `source` knows as `data.external_id`. Its customer is the
    one given, else the one its email (or phone) leads to; the order's other contact is
    linked to them, or suggested as a merge when it is someone else's. A state older than
    the one stored is ignored (webhooks arrive out of order)."""
    with transaction.atomic():
        existing = (
            Order.objects.select_for_update()
            .filter(source=source, external_id=data.external_id)
            .first()
        )
        if existing is not None:
            if customer is not None and existing.customer_id != customer.pk:
                raise Conflict(
                    f"order {data.external_id} belongs to another customer", code="order_taken"
                )
            return _update(existing, data)
        owner = customer or _customer_of(data)
        try:
            with transaction.atomic():
                order = Order.objects.create(customer=owner, source=source, **_fields(data))
        except IntegrityError:
            # A concurrent delivery of the same order created it first.
            existing = Order.objects.get(source=source, external_id=data.external_id)
            return _update(existing, data)
        _link_contacts(owner, data, evidence=f"order #{data.number}")
        return order


def _update(order: Order, data: OrderData) -> Order:
    stale = (
        order.source_updated_at is not None
        and data.updated_at is not None
        and data.updated_at < order.source_updated_at
    )
    if stale:
        return order
    for name, value in _fields(data).items():
        setattr(order, name, value)
    order.save()
    return order


def _fields(data: OrderData) -> dict:
    return {
        "external_id": data.external_id,
        "number": data.number,
        "placed_at": data.placed_at,
        "currency": data.currency,
        "total": data.total,
        "financial_status": data.financial_status,
        "fulfillment_status": data.fulfillment_status,
        "line_items": data.line_items,
        "tracking": data.tracking,
        "admin_url": data.admin_url,
        "email": data.email,
        "phone": data.phone,
        "source_updated_at": data.updated_at,
    }


def _contacts(data: OrderData) -> list[IdentityRef]:
    refs = []
    if data.email:
        refs.append(IdentityRef(IdentityKind.EMAIL, data.email, data.name))
    if data.phone:
        refs.append(IdentityRef(IdentityKind.PHONE, data.phone, data.name))
    return refs


def _customer_of(data: OrderData) -> Customer:
    contacts = _contacts(data)
    if not contacts:
        raise InvalidInput(
            f"order {data.number}: a customer email or phone is needed", code="order_customer"
        )
    return resolve_customer(contacts[0])


def _link_contacts(customer: Customer, data: OrderData, *, evidence: str) -> None:
    link_identities(customer, _contacts(data), evidence=evidence)


def mentioned_order_numbers(text: str) -> list[str]:
    """Order numbers a message names, in order, each once (the first few: a message
    listing dozens of numbers is not about all of them)."""
    found = (a or b for a, b in ORDER_MENTION.findall(text or ""))
    return list(dict.fromkeys(found))[:MAX_NAMED]


def orders_named(customer: Customer, numbers: list[str]) -> list[Order]:
    """The orders with these numbers: the customer's own first; another customer's order
    only for a number none of theirs has (a shopper writing from a new account)."""
    if not numbers:
        return []
    orders = list(Order.objects.filter(number__in=numbers).select_related("customer"))
    own = [order for order in orders if order.customer_id == customer.pk]
    own_numbers = {order.number for order in own}
    return own + [order for order in orders if order.number not in own_numbers]


# -- input from outside (CSV rows, API bodies) ------------------------------------------


def order_from_dict(raw: dict) -> OrderData:
    """Check one order as the API and the CSV import state it; InvalidInput names the
    field that is wrong."""
    number = _text(raw, "number", 40).lstrip("#").strip()
    if not number:
        raise InvalidInput("number: required", code="invalid_order")
    return OrderData(
        external_id=_text(raw, "external_id", 120) or number,
        number=number,
        email=_text(raw, "email", 320),
        phone=_text(raw, "phone", 40),
        name=_text(raw, "name", 200),
        placed_at=_when(raw, "placed_at"),
        currency=_currency(raw),
        total=_amount(raw.get("total"), "total"),
        financial_status=_text(raw, "financial_status", 40),
        fulfillment_status=_text(raw, "fulfillment_status", 40),
        line_items=_line_items(raw.get("line_items")),
        tracking=_tracking(raw.get("tracking")),
        admin_url=_url(raw.get("admin_url"), "admin_url"),
        updated_at=_when(raw, "updated_at"),
    )


def _text(raw: dict, name: str, limit: int) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidInput(f"{name}: must be text", code="invalid_order")
    value = str(value).strip()
    if "\x00" in value:
        raise InvalidInput(f"{name}: contains a NUL character", code="invalid_order")
    if len(value) > limit:
        raise InvalidInput(f"{name}: longer than {limit} characters", code="invalid_order")
    return value


def _when(raw: dict, name: str) -> datetime | None:
    value = _text(raw, name, 40)
    if not value:
        return None
    try:
        parsed = parse_datetime(value) or parse_datetime(value + "T00:00:00+00:00")
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(f"{name}: not a date and time: {value!r}", code="invalid_order")
    if parsed.tzinfo is None:
        raise InvalidInput(f"{name}: give a time zone (…Z or +09:00)", code="invalid_order")
    return parsed


def _currency(raw: dict) -> str:
    value = _text(raw, "currency", 3).upper()
    if value and not (len(value) == 3 and value.isascii() and value.isalpha()):
        raise InvalidInput(f"currency: not a currency code: {value!r}", code="invalid_order")
    return value


def _amount(value: object, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(f"{name}: not an amount", code="invalid_order")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{name}: not an amount: {value!r}", code="invalid_order") from None
    if not amount.is_finite() or abs(amount) >= Decimal(10) ** 12:
        raise InvalidInput(f"{name}: out of range", code="invalid_order")
    return amount.quantize(Decimal("0.01"))


def _url(value: object, name: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 500 or "\x00" in value:
        raise InvalidInput(f"{name}: not a link", code="invalid_order")
    if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        raise InvalidInput(f"{name}: must be an http(s) link: {value!r}", code="invalid_order")
    return value


def _objects(value: object, name: str, limit: int) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidInput(f"{name}: must be a list of objects", code="invalid_order")
    if len(value) > limit:
        raise InvalidInput(f"{name}: more than {limit}", code="invalid_order")
    return value


def _line_items(value: object) -> list[dict]:
    items = []
    for i, item in enumerate(_objects(value, "line_items", MAX_LINE_ITEMS)):
        where = f"line_items[{i}]"
        quantity = item.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidInput(f"{where}.quantity: a whole number ≥ 0", code="invalid_order")
        price = _amount(item.get("price"), f"{where}.price")
        items.append(
            {
                "title": _text(item, "title", 300) or "?",
                "quantity": quantity,
                "sku": _text(item, "sku", 100),
                "price": str(price) if price is not None else "",
            }
        )
    return items


def _tracking(value: object) -> list[dict]:
    return [
        {
            "number": _text(item, "number", 100),
            "url": _url(item.get("url"), f"tracking[{i}].url"),
            "company": _text(item, "company", 100),
        }
        for i, item in enumerate(_objects(value, "tracking", MAX_TRACKING))
    ]


def record_orders(source: str, rows: Iterable[OrderData], *, customer: Customer | None = None):
    """Several orders in one transaction: all recorded, or (on any error) none."""
    with transaction.atomic():
        return [record_order(source, data, customer=customer) for data in rows]


def replace_api_orders(customer: Customer, rows: list[OrderData]) -> list[Order]:
    """The customer's orders as the API states them: each created or updated by its key,
    and the customer's earlier API orders missing from `rows` removed."""
    with transaction.atomic():
        orders = record_orders(API_SOURCE, rows, customer=customer)
        Order.objects.filter(customer=customer, source=API_SOURCE).exclude(
            pk__in=[order.pk for order in orders]
        ).delete()
        return orders
