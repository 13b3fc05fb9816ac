"""Shopify: a customer's orders from the GraphQL Admin API, kept fresh by order webhooks.

Orders are keyed by Shopify's numeric order id (the tail of the GraphQL gid
"gid://shopify/Order/123" and the REST webhook's `id`), so a sync and a webhook update
the same row.
"""

import base64
import hashlib
import hmac
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import httpx
from django.utils.dateparse import parse_datetime

from parley.core.errors import InvalidInput, ParleyError
from parley.core.http import retry_after_seconds, shared_http_client
from parley.customers.orders import OrderData, order_from_dict

from .models import ShopifyStore

# Sizes keep a query's calculated cost well under Shopify's 1,000-point limit per query
# (a connection costs about `first` times its nodes): 2 customers x 10 orders x (5 items
# + 3 shipments x 2 tracking numbers). The panel shows 5 items of an order.
ORDER_FIELDS = """
fragment OrderFields on Order {
  id name createdAt updatedAt email phone
  displayFinancialStatus displayFulfillmentStatus
  totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 5) {
    nodes { title quantity sku originalUnitPriceSet { shopMoney { amount } } }
  }
  fulfillments(first: 3) { status trackingInfo(first: 2) { number url company } }
}
"""
CUSTOMER_ORDERS = (
    """
query CustomerOrders($query: String!) {
  customers(first: 2, query: $query) {
    nodes {
      id displayName email phone numberOfOrders tags
      amountSpent { amount currencyCode }
      orders(first: 10, sortKey: CREATED_AT, reverse: true) { nodes { ...OrderFields } }
    }
  }
}
"""
    + ORDER_FIELDS
)
ONE_ORDER = "query OneOrder($id: ID!) { order(id: $id) { ...OrderFields } }" + ORDER_FIELDS
SHOP = "query Shop { shop { name } }"


# Shipments that never went out: their tracking numbers lead nowhere.
VOID_SHIPMENTS = {"cancelled", "error", "failure"}


class ShopError(ParleyError):
    """The shop answered, but not with data: a query Shopify refused."""

    code = "shop_error"
    http_status = 502


class ShopRefused(ShopError):
    """The token is wrong or revoked: retrying will not help; an admin must fix it."""

    code = "shop_refused"


class ShopBusy(ShopError):
    """Throttled or down for a moment: try again after `retry_after` seconds."""

    code = "shop_busy"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def base_url(store: ShopifyStore) -> str:
    domain = store.shop_domain.strip().rstrip("/")
    return domain if urlsplit(domain).scheme in ("http", "https") else f"https://{domain}"


def graphql(store: ShopifyStore, query: str, variables: dict | None = None) -> dict:
    """The `data` of one GraphQL Admin API call."""
    url = f"{base_url(store)}/admin/api/{store.api_version}/graphql.json"
    headers = {"X-Shopify-Access-Token": store.secret("access_token")}
    try:
        response = shared_http_client().post(
            url, json={"query": query, "variables": variables or {}}, headers=headers
        )
    except httpx.HTTPError as exc:
        raise ShopBusy(f"the shop cannot be reached: {exc}", retry_after=30) from None
    if response.status_code in (401, 403):
        raise ShopRefused(f"the shop refused the access token (HTTP {response.status_code})")
    if response.status_code == 429 or response.status_code >= 500:
        wait = retry_after_seconds(response, 5)
        raise ShopBusy(f"the shop is busy (HTTP {response.status_code})", retry_after=wait)
    try:
        body = response.json()
    except ValueError:
        raise ShopError(f"the shop answered HTTP {response.status_code} without JSON") from None
    _raise_errors(body)
    if response.status_code != 200 or not isinstance(body.get("data"), dict):
        raise ShopError(f"the shop answered HTTP {response.status_code} without data")
    return body["data"]


def _raise_errors(body: dict) -> None:
    errors = body.get("errors")
    if not errors:
        return
    if isinstance(errors, str):  # Shopify's REST-style {"errors": "…"}
        raise ShopError(errors)
    codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)}
    message = "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict))
    if "THROTTLED" in codes:
        raise ShopBusy(f"the shop throttled us: {message}", retry_after=2)
    if "ACCESS_DENIED" in codes:
        raise ShopRefused(f"the shop denied access: {message}")
    raise ShopError(f"the shop refused the query: {message or errors}")


def customer_orders(
    store: ShopifyStore, *, emails: list[str], phones: list[str]
) -> tuple[list[OrderData], dict]:
    """The orders of the shop's customers with any of these addresses or numbers, and a
    summary of the shop's view of them (order count, amount spent, tags)."""
    terms = [f'email:"{e}"' for e in emails] + [f'phone:"{p}"' for p in phones]
    if not terms:
        return [], {}
    data = graphql(store, CUSTOMER_ORDERS, {"query": " OR ".join(terms)})
    orders: list[OrderData] = []
    summary: dict = {"order_count": 0, "tags": []}
    for node in (data.get("customers") or {}).get("nodes") or []:
        orders += [order_data(store, o) for o in (node.get("orders") or {}).get("nodes") or []]
        summary["order_count"] += int(node.get("numberOfOrders") or 0)
        summary["tags"] += [t for t in node.get("tags") or [] if t not in summary["tags"]]
        spent = node.get("amountSpent") or {}
        if spent.get("amount"):
            summary.setdefault("spent", {})[spent.get("currencyCode", "")] = spent["amount"]
    return orders, summary


def fetch_order(store: ShopifyStore, order_id: str) -> OrderData | None:
    node = graphql(store, ONE_ORDER, {"id": f"gid://shopify/Order/{order_id}"}).get("order")
    return order_data(store, node) if node else None


def order_data(store: ShopifyStore, node: dict) -> OrderData:
    """An Order node of the GraphQL Admin API."""
    order_id = str(node["id"]).rsplit("/", 1)[-1]
    money = ((node.get("totalPriceSet") or {}).get("shopMoney")) or {}
    return OrderData(
        external_id=order_id,
        number=str(node.get("name") or order_id).lstrip("#"),
        email=node.get("email") or "",
        phone=node.get("phone") or "",
        placed_at=_when(node.get("createdAt")),
        updated_at=_when(node.get("updatedAt")),
        currency=money.get("currencyCode") or "",
        total=_amount(money.get("amount")),
        financial_status=_status(node.get("displayFinancialStatus")),
        fulfillment_status=_status(node.get("displayFulfillmentStatus")),
        line_items=[
            {
                "title": item.get("title") or "?",
                "quantity": int(item.get("quantity") or 0),
                "sku": item.get("sku") or "",
                "price": (
                    ((item.get("originalUnitPriceSet") or {}).get("shopMoney") or {}).get("amount")
                    or ""
                ),
            }
            for item in (node.get("lineItems") or {}).get("nodes") or []
        ],
        tracking=[
            _tracking(info.get("number"), info.get("url"), info.get("company"))
            for fulfillment in node.get("fulfillments") or []
            if str(fulfillment.get("status") or "").lower() not in VOID_SHIPMENTS
            for info in fulfillment.get("trackingInfo") or []
        ],
        admin_url=admin_url(store, order_id),
    )


def order_from_webhook(store: ShopifyStore, payload: dict) -> OrderData:
    """An order as the orders/* webhooks (REST shape) send it, checked like any order from
    outside (InvalidInput names a field that is wrong; KeyError/ValueError/TypeError for a
    payload that is no order at all)."""
    order_id = str(int(payload["id"]))
    customer = payload.get("customer") or {}
    if not isinstance(customer, dict):
        raise TypeError("customer is not an object")
    name = " ".join(
        str(part) for part in (customer.get("first_name"), customer.get("last_name")) if part
    )
    raw = {
        "external_id": order_id,
        "number": str(payload.get("name") or payload.get("order_number") or order_id),
        "email": payload.get("email") or customer.get("email") or "",
        "phone": payload.get("phone") or customer.get("phone") or "",
        "name": name[:200],
        "placed_at": payload.get("created_at") or "",
        "updated_at": payload.get("updated_at") or "",
        "currency": payload.get("currency") or "",
        "total": payload.get("total_price"),
        "financial_status": _status(payload.get("financial_status")),
        "fulfillment_status": _status(payload.get("fulfillment_status") or "unfulfilled"),
        "line_items": [
            {
                "title": item.get("title") or item.get("name") or "?",
                "quantity": item.get("quantity", 1),
                "sku": item.get("sku") or "",
                "price": item.get("price"),
            }
            for item in _objects(payload.get("line_items"), "line_items")
        ],
        "tracking": [
            t
            for f in _objects(payload.get("fulfillments"), "fulfillments")
            if str(f.get("status") or "").lower() not in VOID_SHIPMENTS
            for t in fulfillment_tracking(f)
        ],
        "admin_url": admin_url(store, order_id),
    }
    return order_from_dict(raw)


def _objects(value: object, name: str) -> list[dict]:
    if not value:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidInput(f"{name}: must be a list of objects", code="invalid_order")
    return value


def fulfillment_tracking(fulfillment: dict) -> list[dict]:
    """The tracking of one REST fulfillment (numbers and URLs come as parallel lists)."""
    numbers = fulfillment.get("tracking_numbers") or [fulfillment.get("tracking_number")]
    urls = fulfillment.get("tracking_urls") or [fulfillment.get("tracking_url")]
    company = fulfillment.get("tracking_company")
    count = max(len(numbers), len(urls))
    padded = zip(numbers + [None] * count, urls + [None] * count, strict=False)
    return [
        _tracking(number, url, company) for number, url in list(padded)[:count] if number or url
    ]


def admin_url(store: ShopifyStore, order_id: str) -> str:
    """Where an agent opens the order in the shop's admin."""
    base = base_url(store)
    host = urlsplit(base).hostname or ""
    if host.endswith(".myshopify.com") and base.startswith("https://"):
        handle = host.removesuffix(".myshopify.com")
        return f"https://admin.shopify.com/store/{handle}/orders/{order_id}"
    return f"{base}/admin/orders/{order_id}"


def verify_webhook(store: ShopifyStore, body: bytes, signature: str) -> bool:
    """X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body under the app's secret."""
    secret = store.secret("webhook_secret")
    if not secret or not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode())


def _tracking(number: object, url: object, company: object) -> dict:
    link = str(url or "")
    return {
        "number": str(number or "")[:100],
        "url": link if link.startswith(("https://", "http://")) and len(link) <= 500 else "",
        "company": str(company or "")[:100],
    }


def _when(value: object) -> datetime | None:
    try:
        return parse_datetime(str(value)) if value else None
    except ValueError:
        return None


def _amount(value: object) -> Decimal | None:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return amount if amount is not None and amount.is_finite() else None


def _status(value: object) -> str:
    """ "PARTIALLY_REFUNDED" and "partially_refunded" alike → "partially refunded"."""
    return str(value or "").lower().replace("_", " ")[:40]
