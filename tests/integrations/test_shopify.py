"""Shopify through real HTTP: a fake shop on 127.0.0.1 answers the GraphQL Admin API and
posts signed webhooks to the running test server."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from parley.customers.models import Customer, Identity, Order
from parley.integrations.actions import check_store, refresh_customer_orders
from parley.integrations.models import ShopifyStore
from parley.integrations.tasks import sync_customer_orders
from tests import factories
from tests.fakes.shopify import FakeShop

SECRET = "shpss_client_secret"


def rest_order(order_id: int, number: int, customer: dict, **extra) -> dict:
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{number}",
        "order_number": number,
        "email": customer.get("email"),
        "phone": customer.get("phone"),
        "customer": customer,
        "created_at": "2026-11-20T10:00:00+09:00",
        "updated_at": "2026-11-20T10:00:00+09:00",
        "currency": "USD",
        "total_price": "84.00",
        "financial_status": "paid",
        "fulfillment_status": None,
        "line_items": [{"title": "Blue mug", "quantity": 2, "sku": "MUG-B", "price": "42.00"}],
        "fulfillments": [],
        **extra,
    }


JANE = {"id": 901, "email": "jane@example.com", "phone": "+821012345678", "first_name": "Jane"}


@pytest.fixture
def shop() -> Iterator[FakeShop]:
    fake = FakeShop().start()
    yield fake
    fake.stop()


@pytest.fixture
def store(db, shop) -> ShopifyStore:
    store = ShopifyStore(name="Juniper", shop_domain=shop.url)
    store.set_secret("access_token", shop.token)
    store.set_secret("webhook_secret", SECRET)
    store.save()
    cache.clear()
    return store


@pytest.fixture
def jane(api_channel) -> Customer:
    return factories.inbound(
        api_channel, sender="jane@example.com", name="Jane"
    ).conversation.customer


def test_sync_finds_orders_by_email_with_items_totals_and_tracking(shop, store, jane):
    shipped = {
        "tracking_company": "CJ",
        "tracking_numbers": ["CJ555"],
        "tracking_urls": ["https://track.example/CJ555"],
    }
    shop.customers.append(JANE)
    shop.orders.append(
        rest_order(1001, 1042, JANE, fulfillments=[shipped], fulfillment_status="fulfilled")
    )
    assert sync_customer_orders.call(jane.pk) == "synced"

    order = Order.objects.get()
    assert (order.customer, order.source, order.external_id) == (jane, store.source, "1001")
    assert order.number == "1042" and str(order.total) == "84.00" and order.currency == "USD"
    assert (order.financial_status, order.fulfillment_status) == ("paid", "fulfilled")
    assert order.line_items == [
        {"title": "Blue mug", "quantity": 2, "sku": "MUG-B", "price": "42.00"}
    ]
    assert order.tracking == [
        {"number": "CJ555", "url": "https://track.example/CJ555", "company": "CJ"}
    ]
    assert order.admin_url == f"{shop.url}/admin/orders/1001"
    jane.refresh_from_db()
    assert jane.attributes["shopify"]["Juniper"]["order_count"] == 1
    # The order's phone joined Jane's profile.
    assert Identity.objects.get(kind="phone").customer == jane

    assert sync_customer_orders.call(jane.pk) == "synced"
    assert Order.objects.count() == 1
    assert 'email:"jane@example.com"' in shop.requests[0]["variables"]["query"]


def test_sync_by_phone_and_retries_when_busy(shop, store, api_channel):
    whatsapp = factories.inbound(
        api_channel, sender="821012345678", kind="whatsapp"
    ).conversation.customer
    shop.customers.append(JANE)
    shop.orders.append(rest_order(1001, 1042, JANE))
    shop.busy_once("throttled")
    assert sync_customer_orders.call(whatsapp.pk) == "retrying"
    assert sync_customer_orders.call(whatsapp.pk, 2) == "synced"
    assert Order.objects.get().customer == whatsapp
    assert 'phone:"+821012345678"' in shop.requests[-1]["variables"]["query"]


def test_a_busy_shop_is_asked_again_later(
    shop, store, jane, db_task_backend, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    shop.busy_once("429", retry_after=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_customer_orders.call(jane.pk) == "retrying"
    retry = DBTaskResult.objects.get(task_path__endswith="sync_customer_orders")
    assert retry.args_kwargs["args"] == [jane.pk, 2]
    # As long as the shop's Retry-After asked.
    assert (retry.run_after - retry.enqueued_at).total_seconds() == pytest.approx(30, abs=3)


def test_a_refused_token_flags_the_shop(shop, store, jane):
    store.set_secret("access_token", "revoked")
    store.save()
    assert sync_customer_orders.call(jane.pk) == "refused"
    store.refresh_from_db()
    assert "access token" in store.health_problem
    assert check_store(store) != ""
    store.set_secret("access_token", shop.token)
    store.save()
    assert check_store(store) == ""
    store.refresh_from_db()
    assert store.health_problem == ""


def test_refresh_is_queued_once_per_ten_minutes(store, jane, commit):
    with commit():
        assert refresh_customer_orders(jane) is True
    assert refresh_customer_orders(jane) is False


@pytest.fixture
def hook_url(live_server, store) -> str:
    return f"{live_server.url}/integrations/shopify/{store.pk}/webhooks"


@pytest.mark.django_db(transaction=True)
def test_order_webhooks_create_then_update_one_order(hook_url, store):
    order = rest_order(1001, 1042, JANE)
    created = FakeShop.post_webhook(hook_url, "orders/create", order, SECRET).json()
    assert created == {"handled": True, "outcome": "applied"}
    paid_later = {
        **order,
        "financial_status": "refunded",
        "updated_at": "2026-11-21T10:00:00+09:00",
    }
    assert FakeShop.post_webhook(hook_url, "orders/updated", paid_later, SECRET).status_code == 200
    stale = {**order, "financial_status": "pending", "updated_at": "2026-11-19T10:00:00+09:00"}
    assert FakeShop.post_webhook(hook_url, "orders/updated", stale, SECRET).status_code == 200

    stored = Order.objects.get()
    assert stored.financial_status == "refunded"
    assert stored.customer.identities.filter(value="jane@example.com").exists()
    assert FakeShop.post_webhook(hook_url, "orders/create", order, SECRET).status_code == 200
    assert Order.objects.count() == 1 and Customer.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_fulfillment_webhooks_add_tracking(shop, hook_url, store):
    order = rest_order(1001, 1042, JANE)
    FakeShop.post_webhook(hook_url, "orders/create", order, SECRET)
    fulfillment = {
        "id": 77,
        "order_id": 1001,
        "status": "success",
        "tracking_company": "UPS",
        "tracking_number": "1Z999",
        "tracking_numbers": ["1Z999"],
        "tracking_url": "https://ups.example/1Z999",
        "tracking_urls": ["https://ups.example/1Z999"],
    }
    for _ in range(2):  # a redelivery adds nothing
        assert (
            FakeShop.post_webhook(hook_url, "fulfillments/create", fulfillment, SECRET).status_code
            == 200
        )
    stored = Order.objects.get()
    assert stored.tracking == [
        {"number": "1Z999", "url": "https://ups.example/1Z999", "company": "UPS"}
    ]

    # A fulfilment of an order Parley never saw: the order is fetched from the shop.
    shop.orders.append(rest_order(1002, 1043, JANE))
    unseen = {**fulfillment, "order_id": 1002}
    assert FakeShop.post_webhook(hook_url, "fulfillments/create", unseen, SECRET).status_code == 200
    assert Order.objects.filter(number="1043").exists()


@pytest.mark.django_db(transaction=True)
def test_webhooks_refuse_what_is_not_shopifys(hook_url, store, live_server):
    order = rest_order(1001, 1042, JANE)
    bad = FakeShop.post_webhook(hook_url, "orders/create", order, SECRET, signature="AAAA")
    assert bad.status_code == 401 and bad.json()["code"] == "bad_signature"
    assert (
        FakeShop.post_webhook(hook_url, "orders/create", order, "other-secret").status_code == 401
    )
    missing = FakeShop.post_webhook(hook_url, "orders/create", {"name": "#1"}, SECRET)
    assert missing.status_code == 400 and "orders/create" in missing.json()["detail"]
    nonsense = FakeShop.post_webhook(hook_url, "orders/create", {"id": "abc"}, SECRET)
    assert nonsense.status_code == 400
    unknown = FakeShop.post_webhook(
        f"{live_server.url}/integrations/shopify/999/webhooks", "orders/create", order, SECRET
    )
    assert unknown.status_code == 404
    other_topic = FakeShop.post_webhook(hook_url, "products/update", {"id": 5}, SECRET)
    assert other_topic.status_code == 200 and other_topic.json()["handled"] is False
    import httpx

    huge = httpx.post(
        hook_url, content=b"x" * (1024 * 1024 + 1), headers={"X-Shopify-Topic": "orders/create"}
    )
    assert huge.status_code == 413
    assert httpx.get(hook_url).status_code == 405
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"line_items": [1]}, "line_items"),
        ({"line_items": [{"title": "Mug", "quantity": "lots"}]}, "quantity"),
        ({"customer": "x"}, "customer"),
        ({"fulfillments": ["x"]}, "fulfillments"),
        ({"name": "#" + "9" * 100}, "number"),
        ({"total_price": {"amount": 1}}, "total"),
        ({"email": "not an address"}, "e-mail"),
    ],
)
def test_signed_but_broken_orders_are_400s_naming_the_field(hook_url, store, change, field):
    order = {**rest_order(1001, 1042, JANE), **change}
    answer = FakeShop.post_webhook(hook_url, "orders/create", order, SECRET)
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["detail"]
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_malformed_json_and_headers_are_refused(hook_url, store):
    import base64
    import hashlib
    import hmac

    import httpx

    body = b'{"id": 1, '
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest())
    headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": signature.decode()}
    broken = httpx.post(hook_url, content=body, headers=headers)
    assert broken.status_code == 400 and broken.json()["code"] == "invalid_payload"
    listed = b"[1, 2]"
    signature = base64.b64encode(hmac.new(SECRET.encode(), listed, hashlib.sha256).digest())
    headers["X-Shopify-Hmac-Sha256"] = signature.decode()
    assert httpx.post(hook_url, content=listed, headers=headers).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_an_order_without_contact_is_acknowledged_and_left(hook_url, store):
    till = {**rest_order(1001, 1042, {"id": 5}), "email": None, "phone": None}
    answer = FakeShop.post_webhook(hook_url, "orders/create", till, SECRET)
    assert answer.status_code == 200 and answer.json()["handled"] is False
    assert "no customer" in answer.json()["outcome"]
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_shipment_takes_its_tracking_away(hook_url, store):
    FakeShop.post_webhook(hook_url, "orders/create", rest_order(1001, 1042, JANE), SECRET)
    shipment = {
        "id": 77,
        "order_id": 1001,
        "status": "success",
        "tracking_company": "UPS",
        "tracking_numbers": ["1Z999"],
        "tracking_urls": ["https://ups.example/1Z999"],
    }
    FakeShop.post_webhook(hook_url, "fulfillments/create", shipment, SECRET)
    assert Order.objects.get().tracking
    cancelled = {**shipment, "status": "cancelled"}
    FakeShop.post_webhook(hook_url, "fulfillments/update", cancelled, SECRET)
    assert Order.objects.get().tracking == []


def test_the_sync_query_skips_cancelled_shipments(shop, store, jane):
    void = {
        "status": "cancelled",
        "tracking_numbers": ["X1"],
        "tracking_urls": ["https://t.example/X1"],
    }
    shop.customers.append(JANE)
    shop.orders.append(rest_order(1001, 1042, JANE, fulfillments=[void]))
    sync_customer_orders.call(jane.pk)
    assert Order.objects.get().tracking == []
