"""Real headless Chromium against a real `parley serve`, seeded only through the CLI and API."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import ServerProcess, require_binary

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct-horse-42"


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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = require_binary("chromium")
    from playwright.sync_api import sync_playwright

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
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
