"""A fake Slack incoming webhook on 127.0.0.1, answering as Slack documents
(https://api.slack.com/messaging/webhooks): 200 "ok" as text/plain for a JSON body with
a "text", otherwise an HTTP error whose plain-text body is Slack's error string —
400 invalid_payload, 403 action_prohibited, 404 no_service, 410 channel_is_archived,
429 rate_limited with Retry-After.

`fail_next(status, error)` queues such answers; `posts` keeps each accepted message.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOOK_PATH = "/services/T0001/B0001/abcdefghijklmnopqrstuvwx"


@dataclass
class FakeSlack:
    posts: list[dict] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[tuple[int, str, dict]] = []

    def fail_next(self, status: int, error: str, headers: dict | None = None) -> None:
        with self._lock:
            self._failures.append((status, error, headers or {}))

    def answer(self, path: str, content_type: str, body: bytes) -> tuple[int, str, dict]:
        if path != HOOK_PATH:
            return 404, "no_service", {}
        with self._lock:
            if self._failures:
                return self._failures.pop(0)
        try:
            message = json.loads(body)
        except ValueError:
            return 400, "invalid_payload", {}
        if (
            not content_type.startswith("application/json")
            or not isinstance(message, dict)
            or not isinstance(message.get("text"), str)
        ):
            return 400, "invalid_payload", {}
        with self._lock:
            self.posts.append(message)
        return 200, "ok", {}

    def start(self) -> "FakeSlack":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, text, headers = fake.answer(
                    self.path, self.headers.get("Content-Type", ""), body
                )
                payload = text.encode()
                self.send_response(status)
                for name, value in {"Content-Type": "text/plain", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{HOOK_PATH}"
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
