"""Email benchmark: generated mail (mixed charsets, some attachments) through Parley's SMTP
listener inside a real `parley serve`.

    python bench/mail.py -n 10000 [--concurrency 8] [--database-url postgres://…]

Reports emails/s accepted (SMTP 250 = the message is stored in the durable inbox) with
p50/p99 latency of each DATA, then emails/s until every message is in a conversation.
"""

import argparse
import json
import os
import platform
import smtplib
import sys
import threading
import time
from pathlib import Path

import httpx
from harness import admin_token, free_port, percentile, start, wait_until_stored

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.mailgen import generate_mail

ADDRESS = "support@shop.example"


def send_all(port: int, mails: list[bytes], concurrency: int) -> tuple[list[float], float]:
    """Each of `concurrency` clients keeps one SMTP session and sends its share."""
    latencies: list[float] = []
    lock = threading.Lock()

    def client(share: list[bytes]) -> None:
        mine = []
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            for n, raw in enumerate(share):
                began = time.perf_counter()
                smtp.sendmail(f"customer{n % 500}@example.com", [ADDRESS], raw)
                mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    threads = [
        threading.Thread(target=client, args=(mails[i::concurrency],)) for i in range(concurrency)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10000, help="emails")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    mails = [generate_mail(i)[0] for i in range(args.n)]
    smtp_port = free_port()
    os.environ.update(PARLEY_SMTP_PORT=str(smtp_port), PARLEY_EMAIL_SENDER_LIMIT="1000000")
    instance = start(args.database_url)
    try:
        token = admin_token(instance)
        httpx.post(
            instance.url + "/api/v1/channels",
            headers={"Authorization": f"Bearer {token}"},
            json={"kind": "email", "name": "bench mailbox", "settings": {"address": ADDRESS}},
        ).raise_for_status()
        began = time.perf_counter()
        latencies, elapsed = send_all(smtp_port, mails, args.concurrency)
        stored = wait_until_stored(instance, args.n)
        total = time.perf_counter() - began
    finally:
        instance.stop()
    print(
        json.dumps(
            {
                "database": "PostgreSQL" if args.database_url else "SQLite",
                "emails": args.n,
                "bytes": sum(len(m) for m in mails),
                "concurrency": args.concurrency,
                "emails_accepted_per_s": round(len(latencies) / elapsed),
                "accept_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
                "accept_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
                "stored_messages": stored,
                "emails_ingested_per_s": round(stored / total),
                "machine": f"{platform.machine()} {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
