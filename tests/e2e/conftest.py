"""Real headless Chromium against a real `parley serve`, seeded only through the CLI and API."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.conftest import ServerProcess, require_binary

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct-horse-42"
EXPECT_TIMEOUT = 8_000


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    password: str = PASSWORD


@dataclass(frozen=True)
class Customer:
    """One seeded customer and the conversation their first message started."""

    name: str
    sender: dict
    text: str
    conversation_id: int


@dataclass
class Workspace:
    url: str
    headers: dict
    admin: Account
    bea: Account
    cal: Account
    team_id: int
    channel_id: int
    customers: dict[str, Customer] = field(default_factory=dict)

    def api(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        response = httpx.request(
            method, self.url + "/api/v1" + path, headers=self.headers, timeout=10, **kwargs
        )
        response.raise_for_status()
        return response

    def post_message(self, external_id: str, sender: dict, text: str, subject: str = "") -> None:
        """A customer message arriving on the API channel (ingested by the server's worker)."""
        self.api(
            "POST",
            f"/channels/{self.channel_id}/messages",
            json={"external_id": external_id, "sender": sender, "text": text, "subject": subject},
        )

    def wait_for_conversations(self, count: int) -> list[dict]:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            items = self.api("GET", "/conversations", params={"view": "all"}).json()["items"]
            if len(items) >= count:
                return items
            time.sleep(0.05)
        raise AssertionError(f"only {len(items)} of {count} conversations were ingested")

    def wait_for_delivery(self, conversation_id: int, text: str, status: str) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            messages = self.api("GET", f"/conversations/{conversation_id}/messages").json()
            if any(m["text"] == text and m["status"] == status for m in messages["items"]):
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never reached delivery status {status!r}")


SEED_MESSAGES = (
    (
        "ann-1",
        {"kind": "email", "id": "ann@example.com", "name": "Ann Archer"},
        "My order 1042 has not arrived yet.",
        "Order 1042 is late",
    ),
    (
        "minji-1",
        {"kind": "email", "id": "minji@example.kr", "name": "김민지"},
        "안녕하세요, 주문번호 1042 배송이 언제 되나요?",
        "",
    ),
    (
        "bo-1",
        {"kind": "phone", "id": "+15550100", "name": "Bo Brandt"},
        "Our card terminal is down, we cannot take payments!",
        "",
    ),
)


def seed(server: ServerProcess) -> Workspace:
    """An admin (Ada), two agents (Bea, Cal), a team, an API channel and three conversations,
    Bo's marked urgent."""
    created = server.parley(
        "createadmin", "--email", "ada@example.com", "--password", PASSWORD, "--name", "Ada Admin"
    )
    assert created.returncode == 0, created.stderr
    minted = server.parley("token", "--email", "ada@example.com")
    assert minted.returncode == 0, minted.stderr
    headers = {"Authorization": f"Bearer {minted.stdout.strip()}"}

    def post(path: str, body: dict) -> dict:
        response = httpx.post(server.url + "/api/v1" + path, headers=headers, json=body, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    agents = [
        post("/agents", {"email": email, "password": PASSWORD, "name": name, "role": "agent"})
        for email, name in (("bea@example.com", "Bea Berg"), ("cal@example.com", "Cal Cruz"))
    ]
    admin_id = next(
        a["id"]
        for a in httpx.get(server.url + "/api/v1/agents", headers=headers).json()
        if a["email"] == "ada@example.com"
    )
    team = post("/teams", {"name": "Payments", "member_ids": [a["id"] for a in agents]})
    channel = post("/channels", {"kind": "api", "name": "Shop feed"})
    workspace = Workspace(
        url=server.url,
        headers=headers,
        admin=Account(admin_id, "ada@example.com", "Ada Admin"),
        bea=Account(agents[0]["id"], agents[0]["email"], agents[0]["name"]),
        cal=Account(agents[1]["id"], agents[1]["email"], agents[1]["name"]),
        team_id=team["id"],
        channel_id=channel["id"],
    )
    for external_id, sender, text, subject in SEED_MESSAGES:
        workspace.post_message(external_id, sender, text, subject)
    items = workspace.wait_for_conversations(len(SEED_MESSAGES))
    by_customer = {item["customer"]["name"]: item["id"] for item in items}
    for _, sender, text, _ in SEED_MESSAGES:
        workspace.customers[sender["name"]] = Customer(
            sender["name"], sender, text, by_customer[sender["name"]]
        )
    bo = workspace.customers["Bo Brandt"].conversation_id
    workspace.api("PATCH", f"/conversations/{bo}", json={"priority": "urgent"})
    return workspace


@pytest.fixture
def workspace(server: ServerProcess) -> Workspace:
    return seed(server)


class HeldCallback:
    """An API channel's callback endpoint that accepts replies only once released, so a test
    decides exactly when a reply counts as sent."""

    def __init__(self) -> None:
        self.released = threading.Event()
        released = self.released

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                released.wait(timeout=8)
                body = json.dumps({"id": "callback-1"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/replies"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def release(self) -> None:
        self.released.set()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def held_callback() -> Iterator[HeldCallback]:
    callback = HeldCallback()
    yield callback
    callback.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = require_binary("chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT)

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def new_page(browser, workspace: Workspace) -> Iterator[Callable[[], object]]:
    """Pages in fresh browser contexts (separate cookies: one per logged-in agent)."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=workspace.url, locale="en-US")
        context.set_default_timeout(EXPECT_TIMEOUT)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
