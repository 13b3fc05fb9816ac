"""A fake OpenAI-compatible chat completions API on 127.0.0.1.

It checks each request the way the documented API would (POST /v1/chat/completions, a
Bearer key, JSON with `model` and `messages` whose roles are system, user or assistant and
whose content is a string; optional temperature and max_tokens) and answers in the
documented shapes: a `chat.completion` with choices[0].message.content, finish_reason and
usage, or {"error": {"message", "type", "param", "code"}} with the documented status.
Tests queue special answers (429, 500, slow, malformed) with `fail_next`.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .recorder import serve_json

PATH = "/v1/chat/completions"
ROLES = {"system", "user", "assistant"}


def error(status: int, message: str, kind: str, code: str | None) -> tuple[int, dict, dict]:
    return status, {"error": {"message": message, "type": kind, "param": None, "code": code}}, {}


@dataclass
class FakeOpenAI:
    key: str = "sk-test-0123456789abcdef"
    # What the model "writes"; a callable gets the request's messages.
    reply: Any = "Hello! Your parcel is on its way."
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[str] = []

    def start(self) -> "FakeOpenAI":
        self._server, base = serve_json(self._respond)
        self.url = base + "/v1"
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, how: str) -> None:
        """ "429", "500", "slow:<seconds>", "malformed" or "empty" for the next request."""
        with self._lock:
            self._failures.append(how)

    def _respond(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, dict]:
        if path != PATH:
            return error(404, f"Invalid URL (POST {path})", "invalid_request_error", None)
        lowered = {k.lower(): v for k, v in headers.items()}
        if lowered.get("authorization") != f"Bearer {self.key}":
            given = lowered.get("authorization", "").removeprefix("Bearer ")
            masked = f"{given[:3]}***{given[-4:]}" if given else ""
            message = f"Incorrect API key provided: {masked}."
            return error(401, message, "invalid_request_error", "invalid_api_key")
        try:
            request = json.loads(body)
            problem = _shape_problem(request)
        except ValueError:
            problem = "We could not parse the JSON body of your request."
        if problem:
            return error(400, problem, "invalid_request_error", None)
        with self._lock:
            self.requests.append(request)
            failure = self._failures.pop(0) if self._failures else ""
        return self._answer(request, failure)

    def _answer(self, request: dict, failure: str) -> tuple[int, dict, dict]:
        if failure == "429":
            message = "Rate limit reached for requests. Please try again in 1s."
            status, answer, _ = error(429, message, "requests", "rate_limit_exceeded")
            return status, answer, {"Retry-After": "1"}
        if failure == "500":
            return error(
                500, "The server had an error while processing your request.", "server_error", None
            )
        if failure.startswith("slow:"):
            time.sleep(float(failure.split(":")[1]))
        if failure == "malformed":
            return 200, {"id": "chatcmpl-x", "object": "chat.completion", "choices": []}, {}
        text = self.reply(request["messages"]) if callable(self.reply) else self.reply
        prompt = sum(len(m["content"].split()) for m in request["messages"])
        return (
            200,
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": request["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": "" if failure == "empty" else text,
                        },
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": len(text.split()),
                    "total_tokens": prompt + len(text.split()),
                },
            },
            {},
        )


def _shape_problem(request: object) -> str:
    if not isinstance(request, dict):
        return "The request body must be a JSON object."
    if not isinstance(request.get("model"), str) or not request["model"]:
        return "you must provide a model parameter"
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            return f"Invalid value for 'messages[{i}].role'."
        if not isinstance(message.get("content"), str):
            return f"Invalid type for 'messages[{i}].content': expected a string."
    temperature = request.get("temperature", 1)
    if not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
        return "Invalid 'temperature': expected a number from 0 to 2."
    max_tokens = request.get("max_tokens", 1)
    if not isinstance(max_tokens, int) or max_tokens < 1:
        return "Invalid 'max_tokens': expected a positive integer."
    unknown = set(request) - {"model", "messages", "temperature", "max_tokens"}
    return (
        f"Unrecognized request argument supplied: {', '.join(sorted(unknown))}" if unknown else ""
    )
