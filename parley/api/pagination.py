"""Cursor pagination: stable under inserts, cheap at any depth (keyset on the id)."""

import base64

from django.db.models import QuerySet

from parley.core.errors import InvalidInput

MAX_LIMIT = 200


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "id":
            raise ValueError
        return int(value)
    except ValueError:
        raise InvalidInput("cursor is not one this API gave out", code="invalid_cursor") from None


def paginate(queryset: QuerySet, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """Newest first by id; the cursor is the last id of the previous page."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", code="invalid_limit")
    if cursor:
        queryset = queryset.filter(pk__lt=decode_cursor(cursor))
    rows = list(queryset.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].pk) if more and rows else None
