"""One shopper, two channels: an Instagram DM names the order the shopper e-mailed about
from another address; the agent sees the order and the suggested duplicate beside the DM,
merges, and reads both histories in one timeline."""

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ServerProcess, free_port, start_server, stop_server
from tests.fakes import meta_webhooks as hooks
from tests.fakes.graph import FakeGraph

from .conftest import Workspace
from .test_agent_workspace import LIVE_TIMEOUT, log_in_to_inbox, rows, timeline
from .test_platform_channels import add_channel, post

IG_ID = "17841400000000078"
MAILBOX = "support@shop.example"
TRACKING = "https://track.example/CJ-555"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def server(tmp_path, graph, smtp_port) -> Iterator[ServerProcess]:
    running = start_server(
        tmp_path, PARLEY_GRAPH_API_URL=graph.url, PARLEY_SMTP_PORT=str(smtp_port)
    )
    try:
        yield running
    finally:
        stop_server(running)


def email_about_the_order(workspace: Workspace, smtp_port: int) -> int:
    """Dana e-mails about order 1042; the shop's order (with tracking) is on her profile."""
    workspace.api(
        "POST",
        "/channels",
        json={"kind": "email", "name": "Support mail", "settings": {"address": MAILBOX}},
    )
    mail = EmailMessage()
    mail["From"] = "Dana Diaz <dana@example.com>"
    mail["To"] = MAILBOX
    mail["Subject"] = "Where is order 1042?"
    mail["Message-ID"] = "<dana-1@example.com>"
    mail.set_content("Hello, my order #1042 has not arrived. Dana")
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.send_message(mail)
    items = workspace.wait_for_conversations(len(workspace.customers) + 1)
    email = next(item for item in items if item["subject"] == "Where is order 1042?")
    order = {
        "number": "1042",
        "total": "59.00",
        "currency": "USD",
        "financial_status": "paid",
        "fulfillment_status": "fulfilled",
        "line_items": [{"title": "Blue mug", "quantity": 2}],
        "tracking": [{"number": "CJ-555", "url": TRACKING, "company": "CJ"}],
        "admin_url": "https://shop.example/admin/orders/1042",
    }
    customer_id = email["customer"]["id"]
    workspace.api("PUT", f"/customers/{customer_id}/orders", json={"orders": [order]})
    return email["id"]


def test_a_dm_naming_an_emailed_order_shows_it_and_merges_the_two_profiles(
    page: Page, workspace: Workspace, graph: FakeGraph, smtp_port: int
):
    email_id = email_about_the_order(workspace, smtp_port)
    graph.objects["igsid-dana"] = {"name": "dana.d", "username": "dana.d"}
    instagram = add_channel(workspace, "instagram", "page-token", instagram_account_id=IG_ID)
    log_in_to_inbox(page, workspace.admin)

    dm = hooks.text_event(IG_ID, "igsid-dana", "mid.dana-1", "Hi! Any news on my order #1042?")
    post(instagram, hooks.instagram_payload(hooks.messaging_entry(IG_ID, dm)))
    rows(page).filter(has_text="Any news on my order").click(timeout=LIVE_TIMEOUT)
    expect(timeline(page)).to_contain_text("Any news on my order #1042?")

    # Beside the DM: the order it names, with its tracking link, and the e-mailing shopper.
    order = page.locator("#orders .order", has_text="#1042")
    expect(order).to_contain_text("Blue mug")
    expect(order).to_contain_text("On the profile of Dana Diaz")
    expect(order.get_by_role("link", name="CJ-555")).to_have_attribute("href", TRACKING)
    expect(order.get_by_role("link", name="Open in shop")).to_be_visible()
    suggestion = page.locator(".panel.customer .suggestion")
    expect(suggestion).to_contain_text("Dana Diaz")
    expect(suggestion).to_contain_text("Where is order 1042?")

    order.get_by_role("button", name="Insert link").click()
    expect(page.locator("#composer textarea")).to_have_value(TRACKING)

    suggestion.get_by_role("link", name="Review merge").click()
    expect(page.locator(".merge-counts")).to_contain_text("1 conversation")
    expect(page.locator(".merge-counts")).to_contain_text("1 order")
    page.get_by_role("button", name="Merge").click()

    history = page.locator(".customer-timeline")
    expect(history).to_contain_text("Where is order 1042?")
    expect(history).to_contain_text("Any news on my order #1042?")
    expect(history).to_contain_text("merged")
    expect(page.locator(".identities")).to_contain_text("dana@example.com")
    expect(page.locator(".identities")).to_contain_text("igsid-dana")
    expect(page.locator(".orders")).to_contain_text("#1042")

    page.goto(f"/c/{email_id}/")
    expect(page.locator(".panel.customer .suggestion")).to_have_count(0)
    expect(page.locator("#other-conversations")).to_contain_text("Any news on my order")
