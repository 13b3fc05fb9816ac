"""Meta webhook benchmark: signed Messenger deliveries of 1-10 events each, through the real
webhook endpoint of a real `parley serve`.

    python bench/meta.py -n 2000 [--concurrency 16] [--database-url postgres://…]

Reports deliveries/s and events/s acknowledged with p50/p99 acknowledgement latency (HTTP
200 = the payload is verified and stored in the durable inbox), then events/s until every
message is stored in a conversation. Profiles are fetched from a local fake Graph API.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import sys
import time
from pathlib import Path

import httpx
from harness import admin_token, load, percentile, start, wait_until_stored

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes import meta_webhooks as hooks
from tests.fakes.graph import FakeGraph

PAGE_ID = "104000000000001"
APP_SECRET = "bench-app-secret"  # noqa: S105 (a throw-away channel)


def deliveries(channel_id: int, n: int) -> tuple[list[bytes], int]:
    """n signed POSTs carrying 1, 2, … 10, 1, 2, … events; and how many events in all."""
    requests, events = [], 0
    for i in range(n):
        batch = [
            hooks.text_event(
                PAGE_ID, f"psid-{(events + k) % 2000}", f"m_{i}_{k}", f"Where is order {i}? 🙏"
            )
            for k in range(i % 10 + 1)
        ]
        events += len(batch)
        body = json.dumps(hooks.page_payload(hooks.messaging_entry(PAGE_ID, *batch))).encode()
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        head = (
            f"POST /hooks/messenger/{channel_id} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nX-Hub-Signature-256: {signature}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000, help="deliveries (POSTs)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    graph = FakeGraph().start()
    for n in range(2000):
        graph.objects[f"psid-{n}"] = {"first_name": "Customer", "last_name": str(n)}
    os.environ["PARLEY_GRAPH_API_URL"] = graph.url
    instance = start(args.database_url)
    try:
        token = admin_token(instance)
        channel = httpx.post(
            instance.url + "/api/v1/channels",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "kind": "messenger",
                "name": "bench page",
                "settings": {"page_id": PAGE_ID},
                "secrets": {"access_token": "page-token", "app_secret": APP_SECRET},
            },
        ).json()
        requests, events = deliveries(channel["id"], args.n)
        began = time.perf_counter()
        latencies, elapsed = asyncio.run(load(instance.port, requests, args.concurrency))
        stored = wait_until_stored(instance, events)
        total = time.perf_counter() - began
    finally:
        instance.stop()
        graph.stop()
    print(
        json.dumps(
            {
                "database": "PostgreSQL" if args.database_url else "SQLite",
                "deliveries": args.n,
                "events": events,
                "concurrency": args.concurrency,
                "deliveries_per_s": round(len(latencies) / elapsed),
                "events_acknowledged_per_s": round(events / elapsed),
                "ack_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
                "ack_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
                "stored_messages": stored,
                "events_ingested_per_s": round(stored / total),
                "machine": f"{platform.machine()} {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
