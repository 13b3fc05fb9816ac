"""Saved replies in a real browser: ##ship finds "Shipping update", which arrives filled in
with the customer's first name and tracking link and is sent; a placeholder nobody filled
stops the send with a visible message."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import Workspace
from .test_agent_workspace import open_conversation, timeline

TRACKING = "https://track.example/1042"


@pytest.fixture
def shipping_update(workspace: Workspace) -> int:
    body = {
        "title": "Shipping update",
        "shortcut": "ship",
        "tags": ["shipping"],
        "bodies": {
            "en": "Hi {{ customer.first_name }}, order #{{ order.number }} is on its way: "
            "{{ order.tracking_url }}",
            "ko": "{{ customer.name }}님, 배송 조회: {{ order.tracking_url }}",
        },
        "scope": "workspace",
    }
    return workspace.api("POST", "/saved-replies", json=body).json()["id"]


def _give_ann_an_order(workspace: Workspace) -> None:
    ann = workspace.customers["Ann Archer"]
    conversation = workspace.api("GET", f"/conversations/{ann.conversation_id}").json()
    order = {"number": "1042", "fulfillment_status": "fulfilled", "tracking": [{"url": TRACKING}]}
    workspace.api(
        "PUT", f"/customers/{conversation['customer']['id']}/orders", json={"orders": [order]}
    )


def test_an_agent_inserts_the_shipping_update_and_sends_it(
    page: Page, workspace: Workspace, shipping_update: int
):
    _give_ann_an_order(workspace)
    ann = workspace.customers["Ann Archer"]
    open_conversation(page, workspace.bea, ann)

    message = page.get_by_label("Message")
    message.press_sequentially("##shi")
    picker = page.get_by_role("listbox")
    expect(picker.get_by_role("option")).to_have_count(1)
    expect(picker.get_by_role("option")).to_contain_text("Shipping update")
    message.press("ArrowDown")  # wraps around to the same, only option
    message.press("Enter")

    expected = f"Hi Ann, order #1042 is on its way: {TRACKING}"
    expect(message).to_have_value(expected)
    expect(picker).to_be_hidden()
    message.press_sequentially(" Thanks!")
    page.get_by_role("button", name="Send reply").click()

    reply = timeline(page).locator("li.msg-out").filter(has_text=TRACKING)
    expect(reply).to_contain_text("Hi Ann")
    sent = workspace.api("GET", f"/conversations/{ann.conversation_id}/messages").json()
    assert [m["text"] for m in sent["items"] if m["direction"] == "out"] == [expected + " Thanks!"]
    used = workspace.api("GET", f"/saved-replies/{shipping_update}").json()
    assert used["usage_count"] == 1


def test_an_unfilled_placeholder_blocks_sending(
    page: Page, workspace: Workspace, shipping_update: int
):
    bo = workspace.customers["Bo Brandt"]  # no orders: no number, no tracking link
    open_conversation(page, workspace.bea, bo)

    message = page.get_by_label("Message")
    message.press_sequentially("/ship")
    page.get_by_role("option", name="Shipping update").click()
    expect(message).to_have_value(
        "Hi Bo, order #[order.number] is on its way: [order.tracking_url]"
    )
    page.get_by_role("button", name="Send reply").click()

    warning = page.locator(".reply-check")
    expect(warning).to_have_text(
        "Fill in [order.number], [order.tracking_url] before sending: "
        "the customer would see the brackets."
    )
    expect(page.get_by_role("button", name="Send reply")).to_be_enabled()
    sent = workspace.api("GET", f"/conversations/{bo.conversation_id}/messages").json()
    assert not [m for m in sent["items"] if m["direction"] == "out"]

    message.fill("Hi Bo, we are looking into it now.")
    page.get_by_role("button", name="Send reply").click()
    expect(timeline(page).locator("li.msg-out")).to_contain_text("looking into it")
