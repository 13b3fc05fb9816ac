"""A real HTTP server on 127.0.0.1 that records what it receives and answers as told."""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (path, headers, body) → (status, JSON body, extra headers)
Responder = Callable[[str, dict, bytes], tuple[int, dict, dict]]


def serve_json(respond: Responder) -> tuple[ThreadingHTTPServer, str]:
    """A threaded HTTP server on a free loopback port answering every POST with JSON."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer, headers = respond(self.path, dict(self.headers), body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class RecordingServer:
    """Answers each request with the next queued (status, body, headers), then 200 {}."""

    requests: list[Recorded] = field(default_factory=list)
    responses: list[tuple[int, dict, dict]] = field(default_factory=list)
    url: str = ""

    def start(self) -> "RecordingServer":
        self._server, self.url = serve_json(self._answer)
        return self

    def _answer(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, dict]:
        self.requests.append(Recorded(path, headers, body))
        return self.responses.pop(0) if self.responses else (200, {}, {})

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
