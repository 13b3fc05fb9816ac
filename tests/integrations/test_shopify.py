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
    assert jane.attributes["shopify"]["order_count"] == 1
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

    shop.busy_once("429")
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_customer_orders.call(jane.pk) == "retrying"
    retry = DBTaskResult.objects.get(task_path__endswith="sync_customer_orders")
    assert retry.args_kwargs["args"] == [jane.pk, 2] and retry.run_after is not None


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
    assert FakeShop.post_webhook(hook_url, "orders/create", order, SECRET).json() == {
        "handled": True
    }
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
    assert other_topic.json() == {"handled": False}
    import httpx

    huge = httpx.post(
        hook_url, content=b"x" * (1024 * 1024 + 1), headers={"X-Shopify-Topic": "orders/create"}
    )
    assert huge.status_code == 413
    assert httpx.get(hook_url).status_code == 405
    assert not Order.objects.exists()
