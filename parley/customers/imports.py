"""Orders from any store, as a CSV file: every row checked first, then all recorded in one
transaction — or none, with each bad row named.

Columns (a header row is required; only `number` and one of `email`/`phone` must be filled):
number, external_id, email, phone, name, placed_at, updated_at, currency, total,
financial_status, fulfillment_status, items ("2 x Blue mug; Tea sampler"), tracking_number,
tracking_url, carrier, admin_url.
"""

import csv
import io
import re

from parley.core.errors import InvalidInput

from .models import Order
from .normalize import normalize_identity
from .orders import OrderData, order_from_dict, record_orders

COLUMNS = {
    "number",
    "external_id",
    "email",
    "phone",
    "name",
    "placed_at",
    "updated_at",
    "currency",
    "total",
    "financial_status",
    "fulfillment_status",
    "items",
    "tracking_number",
    "tracking_url",
    "carrier",
    "admin_url",
}
# Imported in one request and one transaction: larger files are split (see docs).
MAX_ROWS = 5_000
MAX_ERRORS_SHOWN = 50
SOURCE = "csv"
QUANTITY = re.compile(r"^\s*(\d{1,6})\s*[x\u00d7]\s+(.+)$", re.IGNORECASE)


class ImportRejected(InvalidInput):
    """The file was not imported; `errors` lists (row number, problem), row 1 the header."""

    code = "invalid_import"

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        shown = "; ".join(f"row {row}: {problem}" for row, problem in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"nothing imported — {shown}{more}")
        self.errors = errors[:MAX_ERRORS_SHOWN]

    def extra(self) -> dict:
        return {"errors": [{"row": row, "detail": problem} for row, problem in self.errors]}


def import_orders_csv(text: str) -> list[Order]:
    rows = _read_rows(text)
    parsed: list[OrderData] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        try:
            data = _order_of(row)
        except InvalidInput as exc:
            errors.append((number, exc.detail))
            continue
        if data.external_id in seen:
            errors.append(
                (number, f"order {data.external_id} repeats row {seen[data.external_id]}")
            )
            continue
        seen[data.external_id] = number
        parsed.append(data)
    if errors:
        raise ImportRejected(errors)
    return record_orders(SOURCE, parsed)


def _read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    if "\x00" in text:
        raise ImportRejected([(1, "the file contains NUL characters: is it really CSV?")])
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if not header:
        raise ImportRejected([(1, "the file is empty: a header row is needed")])
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ImportRejected([(1, f"unknown column {unknown[0]!r}; known: {sorted(COLUMNS)}")])
    if "number" not in header:
        raise ImportRejected([(1, "a 'number' column is needed")])
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if None in row:
                raise ImportRejected([(reader.line_num, "more cells than columns")])
            if any((value or "").strip() for value in row.values()):
                rows.append((reader.line_num, row))
            if len(rows) > MAX_ROWS:
                raise ImportRejected([(reader.line_num, f"more than {MAX_ROWS} rows")])
    except csv.Error as exc:
        raise ImportRejected([(reader.line_num, f"not valid CSV: {exc}")]) from None
    return rows


def _order_of(row: dict[str, str]) -> OrderData:
    raw: dict[str, object] = {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}
    raw["line_items"] = _items(str(raw.pop("items", "")))
    tracking = {
        "number": raw.pop("tracking_number", ""),
        "url": raw.pop("tracking_url", ""),
        "company": raw.pop("carrier", ""),
    }
    raw["tracking"] = [tracking] if tracking["number"] or tracking["url"] else []
    data = order_from_dict(raw)
    for kind, value in (("email", data.email), ("phone", data.phone)):
        if value:
            normalize_identity(kind, value)  # InvalidInput names the bad address or number
    if not data.email and not data.phone:
        raise InvalidInput("an email or a phone is needed to know whose order it is")
    return data


def _items(text: str) -> list[dict]:
    items = []
    for part in filter(None, (part.strip() for part in text.split(";"))):
        match = QUANTITY.match(part)
        quantity, title = (int(match[1]), match[2].strip()) if match else (1, part)
        items.append({"title": title, "quantity": quantity})
    return items
