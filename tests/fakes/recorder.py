"""A real HTTP server on 127.0.0.1 that records what it receives and answers as told."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                recorder.requests.append(
                    Recorded(self.path, dict(self.headers), self.rfile.read(length))
                )
                status, body, headers = (
                    recorder.responses.pop(0) if recorder.responses else (200, {}, {})
                )
                payload = json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
