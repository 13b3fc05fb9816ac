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
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY_BYTES:
        return _answer(413, "too_large", f"webhooks are limited to {MAX_BODY_BYTES} bytes")
    body = request.body
    if not shopify.verify_webhook(store, body, request.headers.get("X-Shopify-Hmac-Sha256", "")):
        return _answer(401, "bad_signature", "X-Shopify-Hmac-Sha256 does not match the body")
    topic = request.headers.get("X-Shopify-Topic", "")
    try:
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
        handled = apply_webhook(store, topic, payload)
    except (ValueError, KeyError, TypeError) as exc:
        return _answer(400, "invalid_payload", f"{topic or 'webhook'}: not a valid payload ({exc})")
    except InvalidInput as exc:
        return _answer(400, exc.code, exc.detail)
    except shopify.ShopError as exc:
        # The order is unknown and the shop cannot tell us about it now: ask again later.
        return _answer(503, exc.code, exc.detail)
    return JsonResponse({"handled": handled})


def apply_webhook(store: ShopifyStore, topic: str, payload: dict) -> bool:
    """Apply one webhook; False for a topic Parley does not use (acknowledged all the same)."""
    if topic in ORDER_TOPICS:
        with transaction.atomic():
            record_order(store.source, shopify.order_from_webhook(store, payload))
        return True
    if topic in FULFILLMENT_TOPICS:
        apply_fulfillment(store, payload)
        return True
    logger.info("shop %s: webhook topic %r ignored", store.pk, topic)
    return False


def apply_fulfillment(store: ShopifyStore, payload: dict) -> None:
    """A shipment's tracking onto its order; an order Parley has not seen is fetched."""
    order_id = str(int(payload["order_id"]))
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .filter(source=store.source, external_id=order_id)
            .first()
        )
        if order is None:
            fetched = shopify.fetch_order(store, order_id)
            if fetched is not None:
                record_order(store.source, fetched)
            return
        tracking = shopify.fulfillment_tracking(payload)
        known = {(t["number"], t["url"]) for t in order.tracking}
        order.tracking = order.tracking + [
            t for t in tracking if (t["number"], t["url"]) not in known
        ]
        if payload.get("status") == "success" and order.fulfillment_status in ("", "unfulfilled"):
            order.fulfillment_status = "partially fulfilled"
        order.save(update_fields=["tracking", "fulfillment_status", "updated_at"])
