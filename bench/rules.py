"""Rule evaluation: how long 200 active rules take to judge one inbound message.

    python bench/rules.py [--rules 200] [--messages 20000]

Builds 200 rules of the shapes support teams write (keyword lists in English and Korean,
channel and VIP checks, nested any/all, a few patterns, priority and tag tests), compiles
them as the engine does, and evaluates every rule against the facts of generated messages
(a mix of languages, channels and customers). Only evaluation is timed: gathering facts
and carrying out actions are database work measured elsewhere. Prints JSON.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")

import django

django.setup()

from harness import percentile  # noqa: E402

from parley.automation.conditions import Facts, compile_conditions, fold  # noqa: E402

WORDS_EN = ["refund", "late", "broken", "damaged", "invoice", "cancel", "wrong", "size"]
WORDS_EN += ["exchange", "discount", "urgent"]
WORDS_KO = ["환불", "배송", "취소", "교환", "파손", "결제", "영수증", "사이즈", "늦어요", "급해요"]
KINDS = ["email", "instagram", "instagram_comment", "messenger", "whatsapp", "chat", "webform"]
SENTENCES = [
    "Hi, my order #{n} arrived damaged and I would like a refund please",
    "Where is my parcel? It has been a week!!!",
    "주문번호 {n} 배송이 언제 되나요? 급해요",
    "Can I exchange the linen shirt for a bigger size?",
    "결제가 안 돼요. 카드가 거절됐다고 나와요",
    "Love the new mugs, great quality!",
    "The invoice for order {n} shows the wrong address, could you fix it?",
]


def conditions(rng: random.Random) -> dict:
    words = rng.sample(WORDS_EN, 3) + rng.sample(WORDS_KO, 2)
    tests: list[dict] = [
        {"field": "text", "op": "contains_any", "value": words},
        {"field": "channel_kind", "op": "in", "value": rng.sample(KINDS, 3)},
    ]
    if rng.random() < 0.3:
        tests.append(
            {
                "any": [
                    {"field": "customer_vip", "op": "is", "value": True},
                    {"field": "order_count", "op": "gte", "value": rng.randint(2, 10)},
                ]
            }
        )
    if rng.random() < 0.2:
        tests.append({"not": {"field": "tags", "op": "includes_any", "value": ["spam"]}})
    if rng.random() < 0.1:
        tests.append({"field": "text", "op": "matches", "value": r"#?\d{4}"})
    if rng.random() < 0.2:
        tests.append({"field": "priority", "op": "at_least", "value": "normal"})
    return {"all": tests}


def message_facts(rng: random.Random, n: int) -> Facts:
    text = rng.choice(SENTENCES).format(n=1000 + n)
    return Facts(
        channel_kind=rng.choice(KINDS),
        channel_id=rng.randint(1, 9),
        text=fold(text),
        is_comment=False,
        status="new",
        priority=2,
        assignee_id=None,
        team_id=None,
        tags={"vip"} if rng.random() < 0.1 else set(),
        customer_vip=rng.random() < 0.1,
        order_count=rng.randint(0, 12),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(11)
    tests = [compile_conditions(conditions(rng)) for _ in range(args.rules)]
    messages = [message_facts(rng, n) for n in range(args.messages)]
    for facts in messages[:500]:  # warm up
        [test(facts) for test in tests]
    latencies, matched = [], 0
    began = time.perf_counter()
    for facts in messages:
        started = time.perf_counter()
        matched += sum(1 for test in tests if test(facts))
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - began
    print(
        json.dumps(
            {
                "rules": args.rules,
                "messages": args.messages,
                "us_per_message_mean": round(elapsed / args.messages * 1e6, 1),
                "us_per_message_p50": round(percentile(latencies, 0.5) * 1e6, 1),
                "us_per_message_p99": round(percentile(latencies, 0.99) * 1e6, 1),
                "messages_per_second": round(args.messages / elapsed),
                "rules_matched_per_message": round(matched / args.messages, 2),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
