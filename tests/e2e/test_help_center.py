"""The help center end to end: a visitor searches, reads an article and finds it helpful;
an agent finds the same article beside the composer, inserts it and sends the reply."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ServerProcess, start_server, stop_server

from .conftest import Workspace
from .test_agent_workspace import open_conversation, timeline

PUBLIC_URL = "http://support.shop.example"
ARTICLE_PATH = "/help/en/a/where-is-my-parcel/"


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    running = start_server(tmp_path, PARLEY_PUBLIC_URL=PUBLIC_URL)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture
def articles(workspace: Workspace) -> dict[str, int]:
    category = workspace.api(
        "POST", "/article-categories", json={"name": "Shipping", "language": "en"}
    ).json()

    def add(title: str, **fields: str) -> int:
        body = {"title": title, "language": "en", "category_id": category["id"], **fields}
        return workspace.api("POST", "/articles", json=body).json()["id"]

    return {
        "parcel": add(
            "Where is my parcel?",
            summary="Follow the tracking link in your shipping e-mail.",
            body="Every order ships with **tracking**. Still stuck after 10 days? Write to us.",
            status="published",
        ),
        "draft": add("Parcel insurance", summary="Not ready.", status="draft"),
    }


def test_a_visitor_searches_reads_and_finds_an_article_helpful(
    page: Page, workspace: Workspace, articles: dict[str, int]
):
    page.goto("/help/")
    expect(page).to_have_url(re.compile(r"/help/en/$"))
    page.get_by_label("Search for answers").fill("PARCEL")
    page.get_by_role("button", name="Search").click()

    results = page.locator(".help-articles li")
    expect(results).to_have_count(1)  # the draft is not there
    results.get_by_role("link", name="Where is my parcel?").click()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "$"))
    expect(page.locator(".help-body strong")).to_have_text("tracking")
    page.get_by_role("button", name="Yes").click()

    expect(page.get_by_role("status")).to_have_text("Thank you for your feedback.")
    counted = workspace.api("GET", f"/articles/{articles['parcel']}").json()
    assert (counted["helpful"], counted["not_helpful"]) == (1, 0)
    assert page.goto("/help/en/a/parcel-insurance/").status == 404


def test_an_agent_inserts_an_article_into_a_reply_and_sends_it(
    page: Page, workspace: Workspace, articles: dict[str, int]
):
    ann = workspace.customers["Ann Archer"]
    open_conversation(page, workspace.bea, ann)

    panel = page.locator(".kb-panel")
    panel.get_by_label("Search articles").fill("parcel")
    hit = panel.locator(".kb-hit")
    expect(hit).to_have_count(1)
    page.get_by_label("Message").fill("Hello Ann, here is how to follow it:")
    hit.get_by_role("button", name="Insert").click()
    link = PUBLIC_URL + ARTICLE_PATH
    expect(page.get_by_label("Message")).to_have_value(
        "Hello Ann, here is how to follow it: Where is my parcel?\n"
        f"Follow the tracking link in your shipping e-mail.\n{link}"
    )
    page.get_by_role("button", name="Send reply").click()

    reply = timeline(page).locator("li.msg-out").filter(has_text=link)
    expect(reply).to_be_visible()
    sent = workspace.api("GET", f"/conversations/{ann.conversation_id}/messages").json()
    assert any(link in m["text"] for m in sent["items"] if m["direction"] == "out")
