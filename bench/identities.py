"""Identity resolution with a million identities on file.

    python bench/identities.py [--identities 1000000] [--database-url postgres://…]

Bulk-loads customers and their identities (e-mail 40%, phone and WhatsApp 25%, Instagram
20%, Messenger 10%, chat 5%; already in canonical form, with their match keys) into a fresh
database, then times the ingest pipeline's own functions in this process, one call at a
time: resolve_customer for identities on file (hits), for new ones (a customer and an
identity created, duplicate check included), for a phone number on file only as a WhatsApp
id (linked to that customer), and resolve_customers for batches of 100. Prints JSON and a
Markdown table.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from harness import own_database, percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
CUSTOMERS_PER_IDENTITY = 0.6
CHUNK = 20_000
# kind, share of all identities
KINDS = (("email", 40), ("phone", 13), ("whatsapp", 12), ("instagram", 20), ("messenger", 10))
KINDS += (("chat", 5),)


def identity_value(kind: str, n: int) -> str:
    """The n-th identity of a kind, as normalize_identity would store it."""
    if kind == "email":
        return f"shopper{n}@mail{n % 97}.example"
    if kind in ("phone", "whatsapp"):
        prefix = "+8210" if kind == "phone" else "+8211"  # disjoint: siblings are made apart
        return f"{prefix}{n:08d}"
    if kind == "instagram":
        return str(17841400000000000 + n)
    if kind == "messenger":
        return str(7301000000000000 + n)
    return f"1:v-{n:012x}"


def rows(total: int) -> Iterator[tuple[int, int, str, str, str]]:
    """(id, customer id, kind, value, match key) for `total` identities."""
    from parley.customers.duplicates import match_key

    customers = max(1, int(total * CUSTOMERS_PER_IDENTITY))
    row_id = 0
    for kind, share in KINDS:
        for n in range(total * share // 100):
            row_id += 1
            value = identity_value(kind, n)
            yield row_id, 1 + (row_id * 7919) % customers, kind, value, match_key(kind, value)


def load(total: int) -> float:
    """Insert the customers and identities in bulk; seconds taken."""
    from django.db import connection, transaction

    began = time.perf_counter()
    customers = max(1, int(total * CUSTOMERS_PER_IDENTITY))
    # One transaction: in autocommit, SQLite commits (and writes the WAL) row by row.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_postgres(cursor, customers, total)
        else:
            _insert_sqlite(cursor, customers, total)
    return time.perf_counter() - began


def _insert_sqlite(cursor, customers: int, total: int) -> None:  # type: ignore[no-untyped-def]
    now = "2026-11-01 00:00:00"
    cursor.executemany(
        "INSERT INTO customers_customer (id, name, attributes, picture, created_at, updated_at)"
        " VALUES (%s, %s, '{}', '', %s, %s)",
        ((i, f"Shopper {i}", now, now) for i in range(1, customers + 1)),
    )
    cursor.executemany(
        "INSERT INTO customers_identity (id, customer_id, kind, value, display_name, match_key,"
        " created_at) VALUES (%s, %s, %s, %s, '', %s, %s)",
        ((*row, now) for row in rows(total)),
    )


def _copy_postgres(cursor, customers: int, total: int) -> None:  # type: ignore[no-untyped-def]
    now = "2026-11-01 00:00:00+00"
    copy = cursor.cursor.copy
    with copy("COPY customers_customer (id, name, attributes, picture, created_at, updated_at)"
              " FROM STDIN") as out:  # fmt: skip
        for i in range(1, customers + 1):
            out.write_row((i, f"Shopper {i}", "{}", "", now, now))
    with copy("COPY customers_identity (id, customer_id, kind, value, display_name, match_key,"
              " created_at) FROM STDIN") as out:  # fmt: skip
        for row in rows(total):
            out.write_row((*row[:4], "", row[4], now))
    for table in ("customers_customer", "customers_identity"):  # our own table names
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        cursor.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")  # noqa: S608
    cursor.execute("ANALYZE customers_customer; ANALYZE customers_identity")


def timed(calls: list[Callable[[], object]]) -> dict:
    latencies = []
    began = time.perf_counter()
    for call in calls:
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - began
    return {
        "calls": len(calls),
        "per_second": round(len(calls) / elapsed),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
    }


def measure(total: int, rng: random.Random, hits: int, misses: int, batches: int) -> dict:
    from parley.customers.resolve import IdentityRef, resolve_customer, resolve_customers

    on_file = [(kind, identity_value(kind, rng.randrange(total * share // 100)))
               for kind, share in rng.choices(KINDS, [s for _, s in KINDS], k=hits)]  # fmt: skip
    refs = [IdentityRef(kind, value) for kind, value in on_file]
    for ref in refs[:500]:  # warm caches and connections
        resolve_customer(ref)
    new = [IdentityRef("email", f"newcomer{n}@fresh.example") for n in range(misses)]
    # A phone number Parley knows only as a WhatsApp id (+8211… on file under "whatsapp").
    sibling_count = total * 12 // 100
    # Distinct numbers: a repeat would be a plain hit, the phone identity linked already.
    siblings = [
        IdentityRef("phone", f"+8211{n:08d}") for n in rng.sample(range(sibling_count), misses)
    ]
    groups = [refs[i * 100 : (i + 1) * 100] for i in range(batches)]
    return {
        "hit": timed([lambda r=ref: resolve_customer(r) for ref in refs]),
        "new": timed([lambda r=ref: resolve_customer(r) for ref in new]),
        "whatsapp_sibling": timed([lambda r=ref: resolve_customer(r) for ref in siblings]),
        "batch_of_100": timed([lambda g=group: resolve_customers(g) for group in groups]),
    }


def plan(value: str) -> str:
    from django.db import connection

    query = "SELECT customer_id FROM customers_identity WHERE kind = %s AND value = %s"
    prefix = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {query}", ["email", value])
        return " / ".join(str(row[-1]) for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--identities", type=int, default=1_000_000)
    parser.add_argument("--hits", type=int, default=20_000)
    parser.add_argument("--misses", type=int, default=2_000)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--database-url", default="", help="default: PARLEY_DATABASE_URL's server")
    args = parser.parse_args()

    with own_database(args.database_url) as database:
        loaded = load(args.identities)
        figures = measure(args.identities, random.Random(7), args.hits, args.misses, args.batches)
        result = {
            "database": database,
            "identities": args.identities,
            "load_seconds": round(loaded, 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}",
            "plan": plan("shopper5@mail5.example"),
            **figures,
        }
    print(json.dumps(result, indent=2))
    for name in ("hit", "new", "whatsapp_sibling", "batch_of_100"):
        f = figures[name]
        print(f"| {result['database']} | {name} | {f['calls']:,} | {f['per_second']:,} "
              f"| {f['p50_ms']} | {f['p99_ms']} |")  # fmt: skip


if __name__ == "__main__":
    main()
