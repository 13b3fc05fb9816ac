"""A fake Shopify shop on 127.0.0.1: the GraphQL Admin API endpoint Parley queries, and the
signed order webhooks Shopify posts.

Tests seed `customers` and `orders` in the REST shape Shopify's webhooks use; the GraphQL
answers are built from the same records in the Admin API's shape (gids, MoneyBags,
connections with `nodes`), so one order can arrive either way.
"""

import base64
import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from .recorder import serve_json

API_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")
SEARCH_TERM = re.compile(r'(email|phone):"([^"]*)"')


@dataclass
class FakeShop:
    token: str = "shpat_test"
    name: str = "Juniper Outfitters"
    # REST shapes: {"id", "email", "phone", "first_name", "last_name", "tags", "orders_count"}.
    customers: list[dict[str, Any]] = field(default_factory=list)
    # REST order shapes, each with "customer": {"id", …}.
    orders: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: list[tuple[str, int]] = []

    def start(self) -> "FakeShop":
        self._server, self.url = serve_json(self._respond)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def busy_once(self, how: str = "429", retry_after: int = 0) -> None:
        """The next call is refused as busy: "429" (HTTP 429 with Retry-After) or
        "throttled" (HTTP 200 with a THROTTLED GraphQL error, as cost limits answer)."""
        with self._lock:
            self._busy.append((how, retry_after))

    # -- the GraphQL Admin API ------------------------------------------------------------------

    def _respond(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, dict]:
        if not API_PATH.match(path):
            return 404, {"errors": "Not Found"}, {}
        lowered = {k.lower(): v for k, v in headers.items()}
        if lowered.get("x-shopify-access-token") != self.token:
            return 401, {"errors": "[API] Invalid API key or access token"}, {}
        try:
            request = json.loads(body)
            query, variables = request["query"], request.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return 400, {"errors": {"query": "Required parameter missing or invalid"}}, {}
        with self._lock:
            self.requests.append({"query": query, "variables": variables})
            busy, wait = self._busy.pop(0) if self._busy else (None, 0)
        if busy == "429":
            return 429, {"errors": "Exceeded 2 calls per second"}, {"Retry-After": str(wait)}
        if busy == "throttled":
            error = {"message": "Throttled", "extensions": {"code": "THROTTLED"}}
            return 200, {"errors": [error]}, {}
        return 200, {"data": self._data(query, variables)}, {}

    def _data(self, query: str, variables: dict) -> dict:
        if "customers(" in query:
            return {"customers": {"nodes": self._customers(str(variables["query"]))}}
        if "order(" in query:
            order_id = str(variables["id"]).rsplit("/", 1)[-1]
            found = next((o for o in self.orders if str(o["id"]) == order_id), None)
            return {"order": graph_order(found) if found else None}
        if "shop" in query:
            return {"shop": {"name": self.name}}
        raise ValueError(f"the fake shop does not know this query: {query[:80]}")

    def _customers(self, search: str) -> list[dict]:
        terms = SEARCH_TERM.findall(search)
        found = [
            c
            for c in self.customers
            if any(c.get(name) and _same(name, c[name], value) for name, value in terms)
        ]
        return [self._graph_customer(c) for c in found]

    def _graph_customer(self, customer: dict) -> dict:
        own = [o for o in self.orders if (o.get("customer") or {}).get("id") == customer["id"]]
        own.sort(key=lambda o: o["created_at"], reverse=True)
        spent = sum(float(o["total_price"]) for o in own)
        return {
            "id": f"gid://shopify/Customer/{customer['id']}",
            "displayName": f"{customer.get('first_name', '')} {customer.get('last_name', '')}",
            "email": customer.get("email"),
            "phone": customer.get("phone"),
            "numberOfOrders": str(len(own)),
            "tags": customer.get("tags", []),
            "amountSpent": {"amount": f"{spent:.2f}", "currencyCode": "USD"},
            "orders": {"nodes": [graph_order(o) for o in own[:20]]},
        }

    # -- webhooks (Shopify's side) -------------------------------------------------------------

    @staticmethod
    def post_webhook(
        url: str, topic: str, payload: dict, secret: str, *, signature: str | None = None
    ) -> httpx.Response:
        body = json.dumps(payload).encode()
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature or base64.b64encode(digest).decode(),
            "X-Shopify-Shop-Domain": "juniper.myshopify.com",
            "X-Shopify-Webhook-Id": hashlib.sha1(body).hexdigest(),  # noqa: S324 - an id
        }
        return httpx.post(url, content=body, headers=headers, timeout=10)


def graph_order(order: dict) -> dict:
    """A REST order in the GraphQL Admin API's Order shape."""
    money = {"amount": order["total_price"], "currencyCode": order.get("currency", "USD")}
    return {
        "id": f"gid://shopify/Order/{order['id']}",
        "name": order["name"],
        "createdAt": order["created_at"],
        "updatedAt": order.get("updated_at", order["created_at"]),
        "email": order.get("email"),
        "phone": order.get("phone"),
        "displayFinancialStatus": str(order.get("financial_status") or "pending").upper(),
        "displayFulfillmentStatus": str(order.get("fulfillment_status") or "unfulfilled").upper(),
        "totalPriceSet": {"shopMoney": money},
        "lineItems": {
            "nodes": [
                {
                    "title": item["title"],
                    "quantity": item["quantity"],
                    "sku": item.get("sku"),
                    "originalUnitPriceSet": {"shopMoney": {"amount": item["price"]}},
                }
                for item in order.get("line_items", [])
            ]
        },
        "fulfillments": [
            {
                "status": str(f.get("status") or "success").upper(),
                "trackingInfo": [
                    {"number": n, "url": u, "company": f.get("tracking_company")}
                    for n, u in zip(
                        f.get("tracking_numbers", []), f.get("tracking_urls", []), strict=False
                    )
                ],
            }
            for f in order.get("fulfillments", [])
        ],
    }


def _same(name: str, stored: str, searched: str) -> bool:
    if name == "phone":
        return re.sub(r"\D", "", stored) == re.sub(r"\D", "", searched)
    return stored.lower() == searched.lower()
