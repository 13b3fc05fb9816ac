"""Ingest benchmark: N inbound messages through the API channel of a real `parley serve`.

    python bench/ingest.py -n 10000 [--concurrency 16] [--database-url postgres://…]

Reports acknowledged events/s with p50/p99 acknowledgement latency (HTTP 202 = stored in
the durable inbox), then messages/s until every message is stored in a conversation.
"""

import argparse
import asyncio
import json
import platform
import time

import httpx
from harness import admin_token, load, percentile, request_bytes, start, wait_until_stored


def messages(channel_id: int, token: str, n: int) -> list[bytes]:
    path = f"/api/v1/channels/{channel_id}/messages"
    return [
        request_bytes(
            "POST",
            path,
            token,
            {
                "external_id": f"bench-{i}",
                "sender": {"kind": "email", "id": f"customer{i % 2000}@example.com"},
                "thread": f"order-{i % 5000}",
                "text": f"Hello, where is my order #{1000 + i % 5000}? 주문 확인 부탁드립니다.",
            },
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="0: one `parley serve` process; N: `parley web` plus N `parley worker` processes",
    )
    parser.add_argument(
        "--ack-only",
        action="store_true",
        help="`parley web` with no worker: measures acknowledgement alone",
    )
    args = parser.parse_args()

    instance = start(args.database_url, workers=args.workers, web_only=args.ack_only)
    try:
        token = admin_token(instance)
        channel = httpx.post(
            instance.url + "/api/v1/channels",
            headers={"Authorization": f"Bearer {token}"},
            json={"kind": "api", "name": "bench"},
        ).json()
        requests = messages(channel["id"], token, args.n)
        began = time.perf_counter()
        latencies, elapsed = asyncio.run(load(instance.port, requests, args.concurrency))
        stored = 0 if args.ack_only else wait_until_stored(instance, args.n)
        total = time.perf_counter() - began
        report(args, latencies, elapsed, stored, total)
    finally:
        instance.stop()


def topology(args) -> str:
    if args.ack_only:
        return "parley web, no worker (acknowledgement only)"
    return f"parley web + {args.workers} parley worker" if args.workers else "parley serve"


def report(args, latencies, elapsed, stored, total) -> None:
    database = "PostgreSQL" if args.database_url else "SQLite"
    result = {
        "database": database,
        "n": args.n,
        "concurrency": args.concurrency,
        "topology": topology(args),
        "acknowledged_per_s": round(len(latencies) / elapsed),
        "ack_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "ack_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "stored_messages": stored,
        "ingested_messages_per_s": round(stored / total),
        "machine": f"{platform.machine()} {platform.python_version()}",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
