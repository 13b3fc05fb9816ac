"""Background work on customers."""

import logging

import httpx
from django.core.files.base import ContentFile
from django_tasks import task

from parley.core.http import TooLarge, fetch_bytes

from .models import Customer

logger = logging.getLogger(__name__)
MAX_PICTURE_BYTES = 2 * 1024 * 1024
PICTURE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


@task()
def fetch_customer_picture(customer_id: int, url: str) -> str:
    """Keep a copy of a profile picture the platform shared; a picture is a nicety, so a
    failure is logged and nothing else."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None or customer.picture:
        return "not needed"
    try:
        status, content, kind = fetch_bytes(url, limit=MAX_PICTURE_BYTES)
    except (httpx.HTTPError, TooLarge) as exc:
        logger.info("no picture for customer %s: %s", customer_id, exc)
        return "unavailable"
    if status != 200 or kind not in PICTURE_TYPES:
        return "unavailable"
    customer.picture.save(f"{customer_id}.{PICTURE_TYPES[kind]}", ContentFile(content))
    return "stored"


@task()
def find_duplicates() -> int:
    from .duplicates import scan_duplicates

    return scan_duplicates()
