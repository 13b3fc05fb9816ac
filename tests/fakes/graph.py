"""A fake Meta Graph API on 127.0.0.1: Messenger / Instagram Send API and WhatsApp Cloud API.

It speaks real HTTP so connectors are exercised through their actual HTTP client, validates
request shapes against the protocol notes in shared/protocols, records every request and can be
told to fail. `sign`, `FakeGraph.post_webhook` and `FakeGraph.verify_subscription` play Meta's
side of the webhook.
"""

import hashlib
import hmac
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

DEFAULT_TOKENS = ("page-token", "wa-token")

VERSION_PREFIX = re.compile(r"^/v\d+\.\d+/(.+)$")
PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")

MESSENGER_ATTACHMENT_TYPES = {"image", "video", "audio", "file"}
MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}
MESSAGE_TAGS = {
    "HUMAN_AGENT",
    "ACCOUNT_UPDATE",
    "CONFIRMED_EVENT_UPDATE",
    "POST_PURCHASE_UPDATE",
    "CUSTOMER_FEEDBACK",
}
SENDER_ACTIONS = {"typing_on", "typing_off", "mark_seen"}
WA_MEDIA_TYPES = {"image", "audio", "video", "document", "sticker"}
WA_TYPES = WA_MEDIA_TYPES | {"text", "template", "reaction", "location", "interactive", "contacts"}
TEXT_LIMIT_MESSENGER = 2000
TEXT_LIMIT_WHATSAPP = 4096


def sign(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 value Meta computes over the raw body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class GraphError(Exception):
    """A Graph error answer: raised inside handlers, turned into the JSON envelope."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = error


def invalid(what: str, **extra: Any) -> GraphError:
    """Code 100 (invalid parameter): the answer to a request of the wrong shape."""
    return GraphError(
        400, {"message": f"(#100) {what}", "type": "OAuthException", "code": 100, **extra}
    )


@dataclass
class Call:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str, default: str | None = None) -> str | None:
        """Case-insensitive header lookup."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), default)

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str | bytes]:
        """Urlencoded fields, or multipart fields (text as str, file parts as bytes)."""
        if self.content_type == "multipart/form-data":
            fields, files = self._multipart()
            return {**fields, **{name: content for name, (_, _, content) in files.items()}}
        if self.content_type == "application/x-www-form-urlencoded":
            parsed = parse_qs(self.body.decode(), keep_blank_values=True)
            return {k: v[-1] for k, v in parsed.items()}
        return {}

    @property
    def files(self) -> dict[str, tuple[str | None, str, bytes]]:
        """Multipart file parts: field name -> (filename, content type, bytes)."""
        if self.content_type != "multipart/form-data":
            return {}
        return self._multipart()[1]

    def _multipart(self) -> tuple[dict[str, str], dict[str, tuple[str | None, str, bytes]]]:
        head = f"Content-Type: {self.header('Content-Type')}\r\nMIME-Version: 1.0\r\n\r\n"
        message = BytesParser(policy=default_policy).parsebytes(head.encode() + self.body)
        fields: dict[str, str] = {}
        files: dict[str, tuple[str | None, str, bytes]] = {}
        if not isinstance(message, EmailMessage) or not message.is_multipart():
            return fields, files
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            # A part without a filename is a text field unless it says it is binary.
            if filename is None and (
                part.get("Content-Type") is None or part.get_content_maintype() == "text"
            ):
                fields[name] = content.decode(part.get_content_charset() or "utf-8")
            else:
                files[name] = (filename, part.get_content_type(), content)
        return fields, files


@dataclass
class Media:
    content: bytes
    mime_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Failure:
    status: int
    error: dict[str, Any] | None
    headers: dict[str, str]
    path_contains: str
    body: bytes | None


@dataclass
class FakeGraph:
    """Graph API double. Tests seed `objects`, `templates`, `closed_windows` and `media`."""

    tokens: set[str] = field(default_factory=lambda: set(DEFAULT_TOKENS))
    # GET /{id}: profiles, pages, IG media, FB posts, WhatsApp phone numbers.
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Meta's template shape: {"name", "language", "status", "category", "id", "components"}.
    templates: list[dict[str, Any]] = field(default_factory=list)
    # Recipients (wa_id or PSID/IGSID) whose 24-hour window has closed.
    closed_windows: set[str] = field(default_factory=set)
    # Recipients past even the 7-day HUMAN_AGENT window (Messenger / Instagram).
    human_agent_closed: set[str] = field(default_factory=set)
    # WhatsApp media by id, retrievable through GET /{media-id} and /wamedia/{id}.
    media: dict[str, Media] = field(default_factory=dict)
    # Who wrote a comment, so a private reply answers with that person's id.
    comment_authors: dict[str, str] = field(default_factory=dict)
    requests: list[Call] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._failures: list[Failure] = []
        self._private_replied: set[str] = set()
        self._cdn: dict[str, tuple[bytes, str]] = {}
        self._expired: set[str] = set()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "FakeGraph":
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                split = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                call = Call(
                    self.command,
                    unquote(split.path),
                    query,
                    dict(self.headers),
                    self.rfile.read(length),
                )
                status, body, headers = graph._respond(call)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- test controls ------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        error: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        path_contains: str = "",
        *,
        body: bytes | None = None,
    ) -> None:
        """Answer the next request whose path contains `path_contains` with this failure.

        `error` is wrapped as {"error": {...}} with a fbtrace_id; without it the body is `body`
        (e.g. an HTML error page) or empty. Failures queue and are consumed in order.
        """
        with self._lock:
            self._failures.append(Failure(status, error, headers or {}, path_contains, body))

    def cdn_url(self, name: str, content: bytes, content_type: str = "image/jpeg") -> str:
        """Host a file like Meta's signed CDN (no auth) and return its URL."""
        with self._lock:
            self._cdn[name] = (content, content_type)
            self._expired.discard(name)
        return f"{self.url}/cdn/{name}"

    def expire(self, name: str) -> None:
        """Make a CDN URL answer 403 as an expired signed URL does."""
        with self._lock:
            self._expired.add(name)

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        with self._lock:
            self.media[media_id] = Media(content, mime_type)

    def calls(self, path_contains: str = "", method: str | None = None) -> list[Call]:
        """Recorded calls filtered by path substring and method."""
        with self._lock:
            return [
                c
                for c in self.requests
                if path_contains in c.path and (method is None or c.method == method.upper())
            ]

    # -- webhooks (Meta's side) ---------------------------------------------------------------

    @staticmethod
    def post_webhook(
        url: str,
        payload: dict[str, Any],
        app_secret: str,
        *,
        signature: str | None = None,
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> httpx.Response:
        """POST a webhook as Meta does; `signature` overrides the computed one, `body` the JSON."""
        raw = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature if signature is not None else sign(raw, app_secret),
        }
        return httpx.post(url, content=raw, headers=headers, timeout=timeout)

    @staticmethod
    def verify_subscription(
        url: str, verify_token: str, challenge: str = "1158201444", *, mode: str = "subscribe"
    ) -> httpx.Response:
        params = {"hub.mode": mode, "hub.verify_token": verify_token, "hub.challenge": challenge}
        return httpx.get(url, params=params, timeout=10.0)

    # -- dispatch -----------------------------------------------------------------------------

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def _respond(self, call: Call) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            self.requests.append(call)
            failure = next((f for f in self._failures if f.path_contains in call.path), None)
            if failure is not None:
                self._failures.remove(failure)
        if failure is not None:
            return self._failure(failure)
        try:
            status, payload, content_type = self._route(call)
        except GraphError as exc:
            return self._error(exc.status, exc.error)
        if isinstance(payload, bytes):
            return status, payload, {"Content-Type": content_type}
        return status, json.dumps(payload).encode(), {"Content-Type": "application/json"}

    def _fbtrace(self) -> str:
        return f"AfakeTrace{self._next_id():06d}"

    def _error(
        self, status: int, error: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        body = json.dumps(
            {"error": {**error, "fbtrace_id": error.get("fbtrace_id") or self._fbtrace()}}
        )
        return status, body.encode(), {"Content-Type": "application/json", **(headers or {})}

    def _failure(self, failure: Failure) -> tuple[int, bytes, dict[str, str]]:
        if failure.error is not None:
            return self._error(failure.status, failure.error, failure.headers)
        body = failure.body or b""
        content_type = "text/html; charset=utf-8" if body else "application/json"
        return failure.status, body, {"Content-Type": content_type, **failure.headers}

    def _route(self, call: Call) -> tuple[int, Any, str]:
        if call.method == "GET" and call.path.startswith("/cdn/"):
            return self._cdn_get(call.path.removeprefix("/cdn/"))
        if call.method == "GET" and call.path.startswith("/wamedia/"):
            return self._wamedia_get(call, call.path.removeprefix("/wamedia/"))
        match = VERSION_PREFIX.match(call.path)
        if match is None:
            raise GraphError(
                404,
                {
                    "message": f"Unknown path {call.path}",
                    "type": "GraphMethodException",
                    "code": 803,
                },
            )
        self._authenticate(call)
        parts = match.group(1).strip("/").split("/")
        if call.method == "GET" and len(parts) == 1:
            return 200, self._get_object(call, parts[0]), ""
        if call.method == "GET" and len(parts) == 2 and parts[1] == "message_templates":
            return 200, self._list_templates(call), ""
        if call.method == "POST" and len(parts) == 2:
            edge = parts[1]
            if edge == "messages":
                params = self._params(call, ("recipient", "message"))
                if params.get("messaging_product") == "whatsapp":
                    return 200, self._wa_send(params), ""
                return 200, self._messenger_send(call, params), ""
            if edge == "message_attachments":
                return 200, self._upload_attachment(call), ""
            if edge == "media":
                return 200, self._wa_upload(call), ""
            if edge in ("comments", "replies"):
                return 200, self._comment_reply(call, parts[0], edge), ""
        raise GraphError(
            400,
            {
                "message": f"Unknown path components: /{'/'.join(parts[1:])}",
                "type": "OAuthException",
                "code": 2500,
            },
        )

    # -- auth and parameters ------------------------------------------------------------------

    def _token(self, call: Call) -> str | None:
        auth = call.header("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        if "access_token" in call.query:
            return call.query["access_token"]
        if call.method == "POST":
            try:
                value = self._body_fields(call).get("access_token")
            except GraphError:
                return None
            return value if isinstance(value, str) else None
        return None

    def _authenticate(self, call: Call) -> None:
        token = self._token(call)
        if token is None or token not in self.tokens:
            raise GraphError(
                400,
                {
                    "message": (
                        "Error validating access token: "
                        "Session has expired or the token is invalid."
                    ),
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                },
            )

    def _body_fields(self, call: Call) -> dict[str, Any]:
        if call.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return {k: v for k, v in call.form().items() if isinstance(v, str)}
        if not call.body:
            return {}
        try:
            data = call.json()
        except ValueError as exc:
            raise invalid("The request body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise invalid("The request body must be a JSON object")
        return data

    def _params(self, call: Call, json_keys: tuple[str, ...] = ()) -> dict[str, Any]:
        """Graph takes parameters from the query, a form or a JSON body.

        In the query or a form, object parameters (`json_keys`) arrive as JSON text.
        """
        params: dict[str, Any] = {k: v for k, v in call.query.items() if k != "access_token"}
        params.update(self._body_fields(call))
        params.pop("access_token", None)
        for key in json_keys:
            value = params.get(key)
            if isinstance(value, str):
                try:
                    params[key] = json.loads(value)
                except ValueError as exc:
                    raise invalid(f"param {key} must be a JSON object") from exc
        return params

    # -- reads --------------------------------------------------------------------------------

    def _get_object(self, call: Call, object_id: str) -> dict[str, Any]:
        with self._lock:
            media = self.media.get(object_id)
            obj = self.objects.get(object_id)
        if media is not None:
            return {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/wamedia/{object_id}",
                "mime_type": media.mime_type,
                "sha256": media.sha256,
                "file_size": str(len(media.content)),
                "id": object_id,
            }
        if obj is None:
            raise GraphError(
                400,
                {
                    "message": (
                        f"Unsupported get request. Object with ID '{object_id}' does not exist, "
                        "cannot be loaded due to missing permissions, or does not support this "
                        "operation."
                    ),
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                },
            )
        wanted = [f.strip() for f in call.query.get("fields", "").split(",") if f.strip()]
        if not wanted:
            return {**obj, "id": object_id}
        return {**{f: obj[f] for f in wanted if f in obj}, "id": object_id}

    def _list_templates(self, call: Call) -> dict[str, Any]:
        with self._lock:
            data = list(self.templates)
        if "name" in call.query:
            data = [t for t in data if t.get("name") == call.query["name"]]
        return {"data": data, "paging": {"cursors": {"before": "", "after": ""}}}

    def _cdn_get(self, name: str) -> tuple[int, bytes, str]:
        with self._lock:
            entry = self._cdn.get(name)
            expired = name in self._expired
        if entry is None:
            return 404, b"Not Found", "text/plain"
        if expired:
            return 403, b"URL signature expired", "text/plain"
        return 200, entry[0], entry[1]

    def _wamedia_get(self, call: Call, media_id: str) -> tuple[int, bytes, str]:
        auth = call.header("Authorization") or ""
        if auth[:7].lower() != "bearer " or auth[7:].strip() not in self.tokens:
            return 401, b"", "text/plain"
        with self._lock:
            media = self.media.get(media_id)
        if media is None:
            return 404, b"", "text/plain"
        return 200, media.content, media.mime_type

    # -- Messenger / Instagram ----------------------------------------------------------------

    def _messenger_send(self, call: Call, params: dict[str, Any]) -> dict[str, Any]:
        recipient = params.get("recipient")
        if not isinstance(recipient, dict):
            raise invalid("param recipient must be an object")
        keys = [k for k in ("id", "comment_id") if recipient.get(k)]
        if len(keys) != 1:
            raise invalid("recipient must have exactly one of id or comment_id")
        if "sender_action" in params and "message" not in params:
            if params["sender_action"] not in SENDER_ACTIONS:
                raise invalid(f"sender_action must be one of {sorted(SENDER_ACTIONS)}")
            return {"recipient_id": recipient.get("id", "")}
        messaging_type = params.get("messaging_type")
        # Private replies document no messaging_type; every other send must name one.
        if messaging_type is None and keys == ["id"]:
            raise invalid("param messaging_type is required")
        if messaging_type is not None and messaging_type not in MESSAGING_TYPES:
            raise invalid(f"messaging_type must be one of {sorted(MESSAGING_TYPES)}")
        tag = params.get("tag")
        if messaging_type == "MESSAGE_TAG" and tag not in MESSAGE_TAGS:
            raise invalid("param tag is required with messaging_type MESSAGE_TAG")
        message = params.get("message")
        if not isinstance(message, dict):
            raise invalid("param message must be an object")
        reusable = self._check_messenger_message(message, bool(call.files.get("filedata")))

        if keys == ["comment_id"]:
            comment_id = str(recipient["comment_id"])
            with self._lock:
                repeated = comment_id in self._private_replied
                self._private_replied.add(comment_id)
                recipient_id = self.comment_authors.get(comment_id, comment_id)
            if repeated:
                raise GraphError(
                    400,
                    {
                        "message": "(#10) Private reply already sent",
                        "type": "OAuthException",
                        "code": 10,
                    },
                )
        else:
            recipient_id = str(recipient["id"])
            self._check_messenger_window(recipient_id, messaging_type, tag)
        answer: dict[str, Any] = {
            "recipient_id": recipient_id,
            "message_id": f"m_{self._next_id()}",
        }
        if reusable:
            answer["attachment_id"] = str(self._next_id())
        return answer

    def _check_messenger_message(self, message: dict[str, Any], has_file: bool) -> bool:
        """Validate a Send API message; returns whether the attachment asked to be reusable."""
        present = [k for k in ("text", "attachment") if k in message]
        if len(present) != 1:
            raise invalid("message must have exactly one of text or attachment")
        if present == ["text"]:
            text = message["text"]
            if not isinstance(text, str) or not text:
                raise invalid("message.text must be a non-empty string")
            if len(text) > TEXT_LIMIT_MESSENGER:
                raise invalid(f"message.text must be at most {TEXT_LIMIT_MESSENGER} characters")
            return False
        attachment = message["attachment"]
        if not isinstance(attachment, dict):
            raise invalid("message.attachment must be an object")
        payload = attachment.get("payload")
        if not isinstance(payload, dict):
            raise invalid("message.attachment.payload must be an object")
        kind = attachment.get("type")
        if kind == "template":
            if not payload.get("template_type"):
                raise invalid("message.attachment.payload.template_type is required")
            return False
        if kind not in MESSENGER_ATTACHMENT_TYPES:
            raise invalid(
                f"message.attachment.type must be one of {sorted(MESSENGER_ATTACHMENT_TYPES)}"
            )
        if not (payload.get("attachment_id") or payload.get("url") or has_file):
            raise invalid("message.attachment.payload needs attachment_id or url")
        return bool(payload.get("is_reusable"))

    def _check_messenger_window(self, recipient_id: str, messaging_type: Any, tag: Any) -> None:
        with self._lock:
            closed = recipient_id in self.closed_windows
            agent_closed = recipient_id in self.human_agent_closed
        human_agent = messaging_type == "MESSAGE_TAG" and tag == "HUMAN_AGENT"
        if (closed and not human_agent) or (human_agent and agent_closed):
            raise GraphError(
                400,
                {
                    "message": "(#10) This message is sent outside of allowed window.",
                    "type": "OAuthException",
                    "code": 10,
                    "error_subcode": 2018278,
                },
            )

    def _upload_attachment(self, call: Call) -> dict[str, Any]:
        params = self._params(call, ("message",))
        message = params.get("message")
        attachment = message.get("attachment") if isinstance(message, dict) else None
        if not isinstance(attachment, dict):
            raise invalid("param message.attachment is required")
        if attachment.get("type") not in MESSENGER_ATTACHMENT_TYPES:
            raise invalid(
                f"message.attachment.type must be one of {sorted(MESSENGER_ATTACHMENT_TYPES)}"
            )
        payload = attachment.get("payload")
        if not isinstance(payload, dict):
            raise invalid("message.attachment.payload must be an object")
        file = call.files.get("filedata")
        if call.content_type == "multipart/form-data":
            if file is None or not file[2]:
                raise invalid("multipart upload needs a non-empty filedata file part")
        elif not payload.get("url"):
            raise invalid("message.attachment.payload.url is required without filedata")
        return {"attachment_id": str(self._next_id())}

    def _comment_reply(self, call: Call, comment_id: str, edge: str) -> dict[str, Any]:
        params = self._params(call)
        message = params.get("message")
        has_attachment = any(params.get(k) for k in ("attachment_url", "attachment_id"))
        if edge == "replies" and not (isinstance(message, str) and message):
            raise invalid("param message must be a non-empty string")
        if message is not None and not isinstance(message, str):
            raise invalid("param message must be a string")
        if not message and not has_attachment:
            raise invalid("param message must be a non-empty string")
        n = self._next_id()
        return {"id": f"{comment_id}_{n}" if edge == "comments" else f"1790000{n:010d}"}

    # -- WhatsApp -----------------------------------------------------------------------------

    def _wa_send(self, params: dict[str, Any]) -> dict[str, Any]:
        if "status" in params:
            if params["status"] != "read":
                raise invalid("status must be 'read'")
            if not isinstance(params.get("message_id"), str) or not params["message_id"]:
                raise invalid("param message_id is required to mark a message read")
            return {"success": True}
        to = params.get("to")
        if not isinstance(to, str) or not to.isdigit():
            raise invalid("param to must be the recipient's phone number, digits only")
        if params.get("recipient_type", "individual") != "individual":
            raise invalid("recipient_type must be 'individual'")
        kind = params.get("type", "text")
        if kind not in WA_TYPES:
            raise invalid(f"type must be one of {sorted(WA_TYPES)}")
        body = params.get(kind)
        if not isinstance(body, dict):
            raise invalid(f"param {kind} must be an object")
        context = params.get("context")
        if context is not None and not (isinstance(context, dict) and context.get("message_id")):
            raise invalid("context.message_id is required when context is given")
        if kind == "template":
            self._check_template(body)
        else:
            self._check_wa_free_form(kind, body)
            with self._lock:
                closed = to in self.closed_windows
            if closed:
                raise GraphError(
                    400,
                    {
                        "message": "(#131047) Re-engagement message",
                        "type": "OAuthException",
                        "code": 131047,
                        "error_data": {
                            "messaging_product": "whatsapp",
                            "details": (
                                "Message failed to send because more than 24 hours have passed "
                                "since the customer last replied to this number."
                            ),
                        },
                    },
                )
        sent: dict[str, Any] = {"id": f"wamid.{self._next_id()}"}
        if kind == "template":
            sent["message_status"] = "accepted"
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [sent],
        }

    def _check_wa_free_form(self, kind: str, body: dict[str, Any]) -> None:
        if kind == "text":
            text = body.get("body")
            if not isinstance(text, str) or not text:
                raise invalid("text.body must be a non-empty string")
            if len(text) > TEXT_LIMIT_WHATSAPP:
                raise invalid(f"text.body must be at most {TEXT_LIMIT_WHATSAPP} characters")
        elif kind in WA_MEDIA_TYPES:
            if len([k for k in ("id", "link") if body.get(k)]) != 1:
                raise invalid(f"{kind} must have exactly one of id or link")
        elif kind == "reaction":
            if not body.get("message_id") or not isinstance(body.get("emoji"), str):
                raise invalid("reaction needs message_id and emoji")
        elif kind == "location":
            if "latitude" not in body or "longitude" not in body:
                raise invalid("location needs latitude and longitude")
        elif kind == "interactive":
            if not body.get("type") or not isinstance(body.get("action"), dict):
                raise invalid("interactive needs type and action")
        elif kind == "contacts" and not body:
            raise invalid("contacts must not be empty")

    def _check_template(self, body: dict[str, Any]) -> None:
        name = body.get("name")
        language = body.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if not name or not code:
            raise invalid("template needs name and language.code")
        with self._lock:
            found = next(
                (t for t in self.templates if t.get("name") == name and t.get("language") == code),
                None,
            )
        status = (found or {}).get("status")
        if status in ("PAUSED", "DISABLED"):
            number = 132015 if status == "PAUSED" else 132016
            raise self._template_error(
                number, f"Template is {status.lower()}", f"{name} is {status}"
            )
        if found is None or status != "APPROVED":
            raise self._template_error(
                132001,
                "Template name does not exist in the translation",
                f"template name ({name}) does not exist in {code}",
            )
        supplied = {
            str(c.get("type", "")).lower(): c.get("parameters") or []
            for c in body.get("components") or []
            if isinstance(c, dict)
        }
        for component in found.get("components") or []:
            kind = str(component.get("type", "")).lower()
            if kind not in ("body", "header") or not isinstance(component.get("text"), str):
                continue
            expected = len(set(PLACEHOLDER.findall(component["text"])))
            given = len(supplied.get(kind, []))
            if expected != given:
                raise self._template_error(
                    132000,
                    "Number of parameters does not match the expected number of params",
                    f"{kind}: number of localizable_params ({given}) does not match the "
                    f"expected number of params ({expected})",
                )

    @staticmethod
    def _template_error(code: int, title: str, details: str) -> GraphError:
        return GraphError(
            400,
            {
                "message": f"(#{code}) {title}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
            },
        )

    def _wa_upload(self, call: Call) -> dict[str, Any]:
        if call.content_type != "multipart/form-data":
            raise invalid("media upload must be multipart/form-data")
        form = call.form()
        if form.get("messaging_product") != "whatsapp":
            raise invalid("param messaging_product must be 'whatsapp'")
        file = call.files.get("file")
        if file is None or not file[2]:
            raise invalid("param file is required")
        mime_type = form.get("type")
        if not isinstance(mime_type, str) or not mime_type:
            raise invalid("param type (the MIME type) is required")
        media_id = str(9000000 + self._next_id())
        self.add_media(media_id, file[2], mime_type)
        return {"id": media_id}
