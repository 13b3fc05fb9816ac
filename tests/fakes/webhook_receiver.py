"""A webhook receiver on 127.0.0.1 that checks Parley's signature the way
docs/integrations/webhooks.md tells receivers to: HMAC-SHA256 over "timestamp.body" with
the shared secret, a timestamp no older than five minutes, and each X-Parley-Delivery id
taken once.

Badly signed calls get 401 and are kept in `rejected`; `fail_next` queues other answers.
"""

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field

from .recorder import serve_json

TOLERANCE_SECONDS = 300


@dataclass
class WebhookReceiver:
    secret: str
    received: list[dict] = field(default_factory=list)
    repeats: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[tuple[int, dict, dict]] = []

    def fail_next(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        with self._lock:
            self._failures.append((status, body or {}, headers or {}))

    def _answer(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, dict]:
        lowered = {name.lower(): value for name, value in headers.items()}
        problem = self._problem(lowered, body)
        with self._lock:
            if problem:
                self.rejected.append(problem)
                return 401, {"error": problem}, {}
            if self._failures:
                return self._failures.pop(0)
            delivery = lowered["x-parley-delivery"]
            if any(d["id"] == delivery for d in self.received):
                self.repeats.append(delivery)  # acknowledged, not processed twice
            else:
                self.received.append(json.loads(body))
        return 200, {"ok": True}, {}

    def _problem(self, headers: dict, body: bytes) -> str:
        timestamp = headers.get("x-parley-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return "stale or missing timestamp"
        digest = hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
        expected = "sha256=" + digest.hexdigest()
        if not hmac.compare_digest(expected, headers.get("x-parley-signature-256", "")):
            return "bad signature"
        if not headers.get("x-parley-delivery"):
            return "no delivery id"
        return ""

    def start(self) -> "WebhookReceiver":
        self._server, base = serve_json(self._answer)
        self.url = base + "/hooks/parley"
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
