"""Shopify's order webhooks: verified, then applied at once in one transaction (Shopify
retries anything but a 2xx, so a failure here is never lost)."""

import json
import logging

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from parley.core.errors import InvalidInput
from parley.customers.models import Order
from parley.customers.orders import record_order

from . import shopify
from .models import ShopifyStore

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024
ORDER_TOPICS = {
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/fulfilled",
    "orders/partially_fulfilled",
    "orders/cancelled",
    "orders/edited",
}
FULFILLMENT_TOPICS = {"fulfillments/create", "fulfillments/update"}


def _answer(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


@csrf_exempt
@require_POST
def shopify_webhook(request: HttpRequest, store_id: int) -> JsonResponse:
    store = ShopifyStore.objects.filter(pk=store_id, active=True).first()
    if store is None:
        return _answer(404, "not_found", f"no connected shop {store_id}")
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return _answer(413, "too_large", f"webhooks are limited to {MAX_BODY_BYTES} bytes")
    body = request.body
    if not shopify.verify_webhook(store, body, request.headers.get("X-Shopify-Hmac-Sha256", "")):
        return _answer(401, "bad_signature", "X-Shopify-Hmac-Sha256 does not match the body")
    topic = request.headers.get("X-Shopify-Topic", "")
    try:
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
        outcome = apply_webhook(store, topic, payload)
    except (ValueError, KeyError, TypeError) as exc:
        return _answer(400, "invalid_payload", f"{topic or 'webhook'}: not a valid payload ({exc})")
    except InvalidInput as exc:
        return _answer(400, exc.code, f"{topic}: {exc.detail}")
    except shopify.ShopError as exc:
        # The order is unknown and the shop cannot tell us about it now: ask again later.
        return _answer(503, exc.code, exc.detail)
    return JsonResponse({"handled": outcome == "applied", "outcome": outcome})


def apply_webhook(store: ShopifyStore, topic: str, payload: dict) -> str:
    """Apply one webhook: "applied", or why it was acknowledged and left alone (a topic
    Parley does not use, an order with no contact to file it under)."""
    if topic in ORDER_TOPICS:
        data = shopify.order_from_webhook(store, payload)
        if not data.email and not data.phone:
            # A till or guest sale: nobody to file it under. Shopify retries any non-2xx,
            # so it is acknowledged.
            logger.info("shop %s: order %s has no e-mail or phone", store.pk, data.number)
            return "ignored: the order has no customer e-mail or phone"
        with transaction.atomic():
            record_order(store.source, data)
        return "applied"
    if topic in FULFILLMENT_TOPICS:
        apply_fulfillment(store, payload)
        return "applied"
    logger.info("shop %s: webhook topic %r ignored", store.pk, topic)
    return f"ignored: topic {topic!r} is not used"


def apply_fulfillment(store: ShopifyStore, payload: dict) -> None:
    """A shipment's tracking onto its order (or off it, when it is cancelled); an order
    Parley has not seen is fetched from the shop first — outside any transaction, so no
    lock is held over an HTTP call."""
    order_id = str(int(payload["order_id"]))
    tracking = shopify.fulfillment_tracking(payload)
    if not Order.objects.filter(source=store.source, external_id=order_id).exists():
        fetched = shopify.fetch_order(store, order_id)
        if fetched is not None and (fetched.email or fetched.phone):
            record_order(store.source, fetched)
        return
    with transaction.atomic():
        order = Order.objects.select_for_update().get(source=store.source, external_id=order_id)
        keys = {(t["number"], t["url"]) for t in tracking}
        kept = [t for t in order.tracking if (t["number"], t["url"]) not in keys]
        if str(payload.get("status") or "").lower() in shopify.VOID_SHIPMENTS:
            order.tracking = kept
        else:
            order.tracking = kept + tracking
            if order.fulfillment_status in ("", "unfulfilled"):
                order.fulfillment_status = "partially fulfilled"
        order.save(update_fields=["tracking", "fulfillment_status", "updated_at"])
