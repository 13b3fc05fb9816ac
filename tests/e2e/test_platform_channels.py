"""Instagram comments and WhatsApp in a real browser: messages arrive live from the (fake)
platform's signed webhooks, the agent answers, and receipts turn the reply delivered, then
read."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ServerProcess, start_server, stop_server
from tests.fakes import meta_webhooks as hooks
from tests.fakes.graph import FakeGraph

from .conftest import Workspace
from .test_agent_workspace import LIVE_TIMEOUT, log_in_to_inbox, rows, timeline

APP_SECRET = "e2e-app-secret"
IG_ID = "17841400000000077"
PHONE_NUMBER_ID = "106540000000077"
SECRETS = {"access_token": "page-token", "app_secret": APP_SECRET, "verify_token": "v"}


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture
def server(tmp_path, graph) -> Iterator[ServerProcess]:
    """`parley serve` talking to the fake Graph API instead of Meta's."""
    running = start_server(tmp_path, PARLEY_GRAPH_API_URL=graph.url)
    try:
        yield running
    finally:
        stop_server(running)


def add_channel(workspace: Workspace, kind: str, token: str, **settings: str) -> str:
    body = {
        "kind": kind,
        "name": f"Shop {kind}",
        "settings": settings,
        "secrets": {**SECRETS, "access_token": token},
    }
    channel = workspace.api("POST", "/channels", json=body).json()
    return f"{workspace.url}/hooks/{kind}/{channel['id']}"


def post(url: str, payload: dict) -> None:
    response = FakeGraph.post_webhook(url, payload, APP_SECRET)
    assert response.status_code == 200, response.text


def reply(page: Page, text: str, *, private: bool = False) -> None:
    if private:
        page.get_by_label("Private message to the commenter").check()
    page.locator("#composer textarea").fill(text)
    page.locator("#composer button[type=submit]").click()


def expect_delivery(page: Page, status: str) -> None:
    expect(page.locator("#live [data-field=delivery]").last).to_have_text(
        status, timeout=LIVE_TIMEOUT
    )


def test_an_instagram_comment_and_a_whatsapp_message_arrive_live_and_get_answered(
    page: Page, workspace: Workspace, graph: FakeGraph
):
    graph.objects["media-7"] = {"caption": "Spring mugs are here", "permalink": "https://ig/p/7"}
    instagram = add_channel(workspace, "instagram", "page-token", instagram_account_id=IG_ID)
    whatsapp = add_channel(
        workspace, "whatsapp", "wa-token", phone_number_id=PHONE_NUMBER_ID, waba_id="555"
    )
    log_in_to_inbox(page, workspace.admin)

    comment = hooks.ig_comment_change("igc-1", "igsid-42", "minji.shop", "Restock soon?", "media-7")
    post(instagram, hooks.instagram_payload(hooks.changes_entry(IG_ID, comment)))
    wa_message = hooks.wa_text("821012345678", "wamid.in-1", "주문 1042 배송 언제 되나요?")
    post(
        whatsapp,
        hooks.whatsapp_payload(
            hooks.wa_value(
                PHONE_NUMBER_ID,
                contacts=[hooks.wa_contact("821012345678", "Kim Minji")],
                messages=[wa_message],
            )
        ),
    )
    expect(rows(page).filter(has_text="Restock soon?")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(rows(page).filter(has_text="주문 1042")).to_be_visible(timeout=LIVE_TIMEOUT)

    rows(page).filter(has_text="Restock soon?").click()
    expect(page.locator(".origin")).to_contain_text("Spring mugs are here")
    reply(page, "Back in stock on Friday!", private=True)
    expect(timeline(page)).to_contain_text("Back in stock on Friday!")
    expect_delivery(page, "Sent")
    assert graph.calls("/messages", "POST")[-1].json()["recipient"] == {"comment_id": "igc-1"}
    sent_mid = external_id(workspace, page, "Back in stock on Friday!")
    receipt = hooks.delivery_event(IG_ID, "igsid-42", [sent_mid], watermark=2**41)
    post(instagram, hooks.instagram_payload(hooks.messaging_entry(IG_ID, receipt)))
    expect_delivery(page, "Delivered")
    read = hooks.read_event(IG_ID, "igsid-42", mid=sent_mid)
    post(instagram, hooks.instagram_payload(hooks.messaging_entry(IG_ID, read)))
    expect_delivery(page, "Read")

    page.goto("/inbox/all/")
    rows(page).filter(has_text="주문 1042").click()
    reply(page, "금요일에 발송됩니다!")
    expect_delivery(page, "Sent")
    wamid = external_id(workspace, page, "금요일에 발송됩니다!")
    for status in ("delivered", "read"):
        update = hooks.wa_status(wamid, status, "821012345678")
        post(whatsapp, hooks.whatsapp_payload(hooks.wa_value(PHONE_NUMBER_ID, statuses=[update])))
        expect_delivery(page, status.capitalize())


def external_id(workspace: Workspace, page: Page, text: str) -> str:
    """The platform's id for the reply with this text, as Parley stored it."""
    conversation_id = page.url.rstrip("/").split("/")[-1]
    messages = workspace.api("GET", f"/conversations/{conversation_id}/messages").json()
    return next(m["external_id"] for m in messages["items"] if m["text"] == text)
