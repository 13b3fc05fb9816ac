"""Background work: a customer's orders fetched from shops; rule notifications sent."""

import json
import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from parley.customers.models import Customer, IdentityKind
from parley.customers.orders import record_order

from . import shopify, slack
from .mail import send_notification
from .models import Delivery, DeliveryKind, DeliveryStatus, ShopifyStore
from .notify import record_attempt
from .outbound import Outcome, call_webhook

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@task()
def sync_customer_orders(customer_id: int, attempt: int = 1) -> str:
    """Every active shop's orders for the customer's e-mail addresses and phone numbers.
    Idempotent: orders are keyed by the shop's id. A busy shop is retried later; a shop
    that refuses the token is flagged for an admin."""
    customer = Customer.objects.filter(pk=customer_id, merged_into__isnull=True).first()
    if customer is None:
        return "no such customer"
    contacts = list(customer.identities.values_list("kind", "value"))
    emails = [value for kind, value in contacts if kind == IdentityKind.EMAIL]
    phones = [
        value for kind, value in contacts if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP)
    ]
    outcome = "synced"
    for store in ShopifyStore.objects.filter(active=True):
        try:
            _sync_store(store, customer, emails=emails, phones=phones)
        except shopify.ShopRefused as exc:
            ShopifyStore.objects.filter(pk=store.pk).update(health_problem=exc.detail)
            outcome = "refused"
        except shopify.ShopBusy as exc:
            _retry(customer_id, attempt, exc)
            outcome = "retrying"
        except shopify.ShopError as exc:
            logger.warning("shop %s: orders of customer %s: %s", store.pk, customer_id, exc)
            outcome = "failed"
    return outcome


def _sync_store(
    store: ShopifyStore, customer: Customer, *, emails: list[str], phones: list[str]
) -> None:
    orders, summary = shopify.customer_orders(store, emails=emails, phones=phones)
    with transaction.atomic():
        for data in orders:
            record_order(store.source, data, customer=customer)
        if summary:
            customer.refresh_from_db(fields=["attributes"])
            shops = customer.attributes.get("shopify")
            shops = shops if isinstance(shops, dict) else {}
            customer.attributes = {**customer.attributes, "shopify": {**shops, store.name: summary}}
            customer.save(update_fields=["attributes", "updated_at"])
    if store.health_problem:
        ShopifyStore.objects.filter(pk=store.pk).update(health_problem="")


def _retry(customer_id: int, attempt: int, exc: "shopify.ShopBusy") -> None:
    if attempt >= MAX_ATTEMPTS:
        logger.warning("giving up on the orders of customer %s: %s", customer_id, exc)
        return
    run_after = timezone.now() + timedelta(seconds=max(exc.retry_after, 2**attempt))
    transaction.on_commit(
        lambda: sync_customer_orders.using(run_after=run_after).enqueue(customer_id, attempt + 1)
    )


@task()
def deliver_notification(delivery_id: int) -> str:
    """Send one rule notification (Slack, e-mail, webhook) and record the attempt. Safe to
    run twice: a delivery already delivered or failed is left alone, and webhook receivers
    can drop a repeat by its X-Parley-Delivery id."""
    delivery = Delivery.objects.select_related("slack", "webhook").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        return "already " + delivery.status
    started = time.monotonic()
    outcome = _send(delivery)
    return record_attempt(delivery, outcome, int((time.monotonic() - started) * 1000))


def _send(delivery: Delivery) -> Outcome:
    payload = delivery.payload
    try:
        if delivery.kind == DeliveryKind.EMAIL:
            return send_notification(
                payload["to"], payload["subject"], payload["text"], str(delivery.uuid)
            )
        if delivery.kind == DeliveryKind.SLACK:
            hook = delivery.slack
            if hook is None or not hook.enabled:
                return Outcome(False, "the Slack webhook was deleted or disabled")
            return slack.post(hook.secret("url"), payload["text"])
        endpoint = delivery.webhook
        if endpoint is None or not endpoint.enabled:
            return Outcome(False, "the webhook endpoint was deleted or disabled")
        body = json.dumps(payload, ensure_ascii=False).encode()
        secret = endpoint.secret("signing_secret")
        return call_webhook(endpoint.url, secret, str(delivery.uuid), payload["event"], body)
    except ValueError as exc:  # a secret that no key decrypts
        return Outcome(False, str(exc))
