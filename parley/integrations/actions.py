"""Asking shops for fresh data."""

from django.core.cache import cache

from parley.core.oncommit import enqueue_on_commit
from parley.customers.models import Customer

from .models import ShopifyStore

# How long a customer's orders count as fresh (webhooks keep them fresh in between).
FRESH_SECONDS = 600


def refresh_customer_orders(customer: Customer) -> bool:
    """Fetch the customer's orders from the connected shops, unless that was done in the
    last ten minutes or no shop is connected. True when a fetch was queued."""
    if not ShopifyStore.objects.filter(active=True).exists():
        return False
    if not cache.add(f"parley:orders-synced:{customer.pk}", True, FRESH_SECONDS):
        return False
    from .tasks import sync_customer_orders

    enqueue_on_commit(sync_customer_orders, customer.pk)
    return True


def check_store(store: ShopifyStore) -> str:
    """Call the shop once; the problem found (also kept on the store), or ""."""
    from . import shopify

    try:
        shopify.graphql(store, shopify.SHOP)
    except shopify.ShopError as exc:
        problem = exc.detail
    else:
        problem = ""
    ShopifyStore.objects.filter(pk=store.pk).update(health_problem=problem)
    return problem
