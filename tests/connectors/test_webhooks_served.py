"""Platform webhooks against a real `parley serve`: signed POSTs take the lean ASGI path,
handshakes the Django view; both screen the same way."""

import time

import httpx

from tests.fakes import meta_webhooks as hooks
from tests.fakes.graph import FakeGraph

from .conftest import APP_SECRET, PAGE_ID, VERIFY_TOKEN


def add_page(server) -> str:
    headers, _ = server.admin_with_api_channel()
    channel = httpx.post(
        server.url + "/api/v1/channels",
        headers=headers,
        json={
            "kind": "messenger",
            "name": "Page",
            "settings": {"page_id": PAGE_ID},
            "secrets": {
                "access_token": "t",
                "app_secret": APP_SECRET,
                "verify_token": VERIFY_TOKEN,
            },
        },
    ).json()
    return f"{server.url}/hooks/messenger/{channel['id']}"


def test_signed_posts_are_stored_forged_ones_refused_handshakes_answered(server):
    url = add_page(server)
    payload = hooks.page_payload(
        hooks.messaging_entry(PAGE_ID, hooks.text_event(PAGE_ID, "601", "m_1", "안녕하세요"))
    )

    good = FakeGraph.post_webhook(url, payload, APP_SECRET)
    forged = FakeGraph.post_webhook(url, payload, APP_SECRET, signature="sha256=00")
    unknown = FakeGraph.post_webhook(url.rsplit("/", 1)[0] + "/999999", payload, APP_SECRET)
    handshake = FakeGraph.verify_subscription(url, VERIFY_TOKEN, challenge="42")

    assert (good.status_code, good.text) == (200, "ok")
    assert forged.status_code == 403
    assert forged.json()["code"] == "bad_signature"
    assert unknown.status_code == 404
    assert (handshake.status_code, handshake.text) == (200, "42")
    assert wait_for_messages(server) == 1


def wait_for_messages(server) -> int:
    token = server.parley("token", "--email", "ops@example.com").stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        items = httpx.get(
            server.url + "/api/v1/conversations", params={"view": "all"}, headers=headers
        ).json()["items"]
        if items:
            return len(items)
        time.sleep(0.1)
    return 0
