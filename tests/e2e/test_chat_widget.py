"""The live chat widget on a shop's page (another origin), answered from the workspace:
the visitor sees the agent typing and the reply arrive live; the agent sees the visitor
typing; a reload keeps the conversation."""

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from .conftest import Workspace
from .test_agent_workspace import expect_live, log_in, timeline

QUESTION = "Hi! Does the blue kettle come with a UK plug?"
ANSWER = "It does, and we ship it tomorrow."
# Host-page CSS that would wreck any widget living in the page's own DOM.
SHOP_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Kettle Shop</title>
<style>button, textarea {{ display: none !important; }} * {{ font-size: 40px; }}</style>
</head><body><h1>Kettle Shop</h1>
<script src="{parley}/chat/widget.js" data-key="{key}" data-language="en" async></script>
</body></html>"""


class Shop:
    """The customer's site on its own port: one page with the one script tag, naming the
    channel's key once the channel exists (it must allow this site's origin first)."""

    def __init__(self, parley: str) -> None:
        self.parley, self.key = parley, ""
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = SHOP_PAGE.format(parley=shop.parley, key=shop.key).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def shop(workspace: Workspace) -> Iterator[Shop]:
    running = Shop(workspace.url)
    channel = workspace.api(
        "POST",
        "/channels",
        json={
            "kind": "chat",
            "name": "Kettle Shop chat",
            "settings": {"allowed_origins": [running.url]},
        },
    ).json()
    running.key = channel["public_key"]
    yield running
    running.stop()


def chat_conversation(workspace: Workspace) -> int:
    items = workspace.wait_for_conversations(4)
    return next(item["id"] for item in items if item["channel"]["name"] == "Kettle Shop chat")


def widget(page: Page):
    return page.locator("#parley-chat")


def test_a_visitor_chats_and_sees_the_agents_reply_live(browser, new_page, workspace, shop):
    agent = new_page()
    log_in(agent, workspace.bea)
    expect(agent).to_have_url(re.compile(r"/inbox/$"))

    visitor_context = browser.new_context(locale="en-US")
    visitor = visitor_context.new_page()
    try:
        visitor.goto(shop.url)
        widget(visitor).get_by_role("button", name="Chat with us").click()
        box = widget(visitor).get_by_placeholder("Write a message…")
        box.fill(QUESTION)
        box.press("Enter")
        expect(widget(visitor).locator(".msg.visitor")).to_contain_text(QUESTION)
        expect(widget(visitor).locator(".msg.visitor.pending")).to_have_count(0)

        conversation_id = chat_conversation(workspace)
        agent.goto(f"/c/{conversation_id}/")
        expect(timeline(agent)).to_contain_text(QUESTION)
        expect_live(agent)

        box.press_sequentially(" And a spare lid?", delay=120)
        expect(agent.locator("#customer-typing")).to_be_visible()

        agent.locator("#composer textarea").press_sequentially(ANSWER, delay=20)
        expect(widget(visitor).locator(".typing")).to_have_text("Typing…")
        agent.get_by_role("button", name="Send reply").click()

        expect(widget(visitor).locator(".msg.agent")).to_contain_text(ANSWER)
        expect(widget(visitor).locator(".msg.agent .who")).to_have_text("Bea Berg")
        workspace.wait_for_delivery(conversation_id, ANSWER, "sent")

        visitor.reload()
        widget(visitor).get_by_role("button", name="Chat with us").click()
        expect(widget(visitor).locator(".msg")).to_have_count(2)
        expect(widget(visitor).locator(".msg").nth(0)).to_contain_text(QUESTION)
        expect(widget(visitor).locator(".msg").nth(1)).to_contain_text(ANSWER)
    finally:
        visitor_context.close()


def set_chat_settings(workspace: Workspace, shop: Shop, **settings: object) -> None:
    channel = next(
        c for c in workspace.api("GET", "/channels").json() if c["public_key"] == shop.key
    )
    workspace.api("PATCH", f"/channels/{channel['id']}", json={"settings": settings})


def test_outside_opening_hours_the_widget_says_when_and_takes_an_email(browser, workspace, shop):
    # Open one minute a week, at a minute that is not now.
    set_chat_settings(workspace, shop, time_zone="UTC", hours={"sun": [["03:00", "03:01"]]})
    context = browser.new_context(locale="en-US")
    visitor = context.new_page()
    try:
        visitor.goto(shop.url)
        widget(visitor).get_by_role("button", name="Chat with us").click()

        expect(widget(visitor).locator(".away-text")).to_contain_text(
            re.compile(r"We are away right now\. We will answer Sunday")
        )
        away_form = widget(visitor).locator(".away-email")
        away_form.get_by_placeholder("Your email").fill("ann@example.com")
        away_form.get_by_role("button", name="Save").click()

        expect(widget(visitor).locator(".email-saved")).to_have_text(
            "Thanks! We will reply to ann@example.com."
        )
    finally:
        context.close()


def test_a_site_not_on_the_allow_list_gets_no_chat(browser, workspace, shop):
    set_chat_settings(workspace, shop, allowed_origins=["https://somewhere-else.example"])
    context = browser.new_context(locale="en-US")
    visitor = context.new_page()
    try:
        visitor.goto(shop.url)
        widget(visitor).get_by_role("button", name="Chat with us").click()

        expect(widget(visitor).locator(".error")).to_have_text(
            "This chat is not available on this site."
        )
    finally:
        context.close()
