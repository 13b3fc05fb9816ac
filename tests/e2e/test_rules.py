"""An admin builds a rule in the browser, tries it, enables it — and the next matching
Instagram message arrives tagged, prioritised and with the Payments team, with the firing
on its timeline."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ServerProcess, start_server, stop_server
from tests.fakes import meta_webhooks as hooks
from tests.fakes.graph import FakeGraph

from .conftest import Workspace
from .test_agent_workspace import LIVE_TIMEOUT, log_in_to_inbox, rows, timeline
from .test_platform_channels import add_channel, post

IG_ID = "17841400000000079"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture
def server(tmp_path, graph) -> Iterator[ServerProcess]:
    running = start_server(tmp_path, PARLEY_GRAPH_API_URL=graph.url)
    try:
        yield running
    finally:
        stop_server(running)


def send_dm(url: str, sender: str, mid: str, text: str) -> None:
    event = hooks.text_event(IG_ID, sender, mid, text)
    post(url, hooks.instagram_payload(hooks.messaging_entry(IG_ID, event)))


def test_an_admin_builds_tries_and_enables_a_rule_that_then_routes_a_message(
    page: Page, workspace: Workspace, graph: FakeGraph
):
    instagram = add_channel(workspace, "instagram", "page-token", instagram_account_id=IG_ID)
    send_dm(instagram, "igsid-old", "mid.old", "Hi, I'd like a refund for my mug")
    workspace.wait_for_conversations(len(workspace.customers) + 1)
    log_in_to_inbox(page, workspace.admin)

    page.get_by_role("link", name="Rules").click()
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name").fill("Refunds on Instagram")
    conditions = page.locator(".condition-row")
    conditions.nth(0).locator("select").nth(0).select_option("channel_kind")
    conditions.nth(0).locator("select").nth(1).select_option("is")
    conditions.nth(0).locator("input").fill("instagram")
    conditions.nth(1).locator("select").nth(0).select_option("text")
    conditions.nth(1).locator("select").nth(1).select_option("contains_any")
    conditions.nth(1).locator("input").fill("refund, 환불")
    actions = page.locator(".action-row")
    for n, (kind, value) in enumerate(
        [("add_tags", "refund"), ("set_priority", "high"), ("assign_team", "Payments")]
    ):
        actions.nth(n).locator("select").select_option(kind)
        actions.nth(n).locator("input").fill(value)

    page.get_by_role("button", name="Try on the last 500 conversations").click()
    expect(page.locator(".dry-run")).to_contain_text("Would have matched 1 of the last 4")
    expect(page.locator(".dry-run")).to_contain_text("refund for my mug")

    page.get_by_label("Enabled").check()
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator(".rule-list")).to_contain_text("Refunds on Instagram")

    page.goto("/inbox/all/")
    send_dm(instagram, "igsid-new", "mid.new", "결제가 안 돼요, 환불 부탁드립니다")
    row = rows(page).filter(has_text="환불 부탁드립니다")
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT)
    row.click()
    expect(timeline(page)).to_contain_text(
        "Rule “Refunds on Instagram”: tagged refund", timeout=LIVE_TIMEOUT
    )
    expect(timeline(page)).to_contain_text("assigned to Payments")
    page.reload()  # the ticket panel as it is now
    expect(page.locator("select[name=priority] option[selected]")).to_have_text("High")
    expect(page.locator("select[name=team] option[selected]")).to_have_text("Payments")
    expect(page.locator("input[name=tags]")).to_have_value("refund")
