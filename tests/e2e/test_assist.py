"""AI assistance in a real browser: an admin connects a (fake) OpenAI-compatible provider in
Settings; an agent sees the offline panel (language, a suggested article), asks for a
draft, edits it in the composer and sends it."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.fakes.openai import FakeOpenAI

from .conftest import Workspace
from .test_agent_workspace import log_in, open_conversation, timeline

DRAFT = "Hello Ann, order 1042 left our warehouse yesterday."
EDITED = DRAFT + " Tracking: ZX9920."


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(reply=DRAFT).start()
    yield server
    server.stop()


@pytest.fixture
def late_parcels(workspace: Workspace) -> None:
    category = workspace.api(
        "POST", "/article-categories", json={"name": "Shipping", "language": "en"}
    ).json()
    workspace.api(
        "POST",
        "/articles",
        json={
            "title": "Late parcels",
            "summary": "If your parcel has not arrived after 10 days, write to us.",
            "language": "en",
            "category_id": category["id"],
            "status": "published",
        },
    )


def connect_provider(page: Page, workspace: Workspace, fake: FakeOpenAI) -> None:
    log_in(page, workspace.admin)
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    page.goto("/django-admin/assist/providersettings/add/")
    page.get_by_label("Enabled").check()
    page.get_by_label("API URL").fill(fake.url)
    page.get_by_label("Model").fill("gpt-test")
    page.get_by_label("API key").fill(fake.key)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")


def test_an_agent_edits_a_drafted_reply_and_sends_it(
    new_page, workspace: Workspace, fake_openai: FakeOpenAI, late_parcels: None
):
    connect_provider(new_page(), workspace, fake_openai)
    page = new_page()
    ann = workspace.customers["Ann Archer"]
    open_conversation(page, workspace.bea, ann)

    panel = page.locator(".assist-panel")
    expect(panel.locator(".assist-language")).to_have_text("English")
    expect(panel.locator(".assist-suggestion")).to_contain_text("Late parcels")
    panel.get_by_role("button", name="Draft a reply").click()
    composer = page.get_by_label("Message")
    expect(composer).to_have_value(DRAFT)
    composer.press("End")
    composer.type(" Tracking: ZX9920.")
    page.get_by_role("button", name="Send reply").click()

    expect(timeline(page).locator("li.msg-out").filter(has_text=EDITED)).to_be_visible()
    sent = str(fake_openai.requests[0]["messages"])
    assert ann.text in sent and "Bo Brandt" not in sent
    assert "Late parcels" in sent  # the relevant public article went with it


def test_a_provider_error_keeps_the_text_and_the_offline_summary_goes_into_a_handoff(
    new_page, workspace: Workspace, fake_openai: FakeOpenAI
):
    connect_provider(new_page(), workspace, fake_openai)
    page = new_page()
    open_conversation(page, workspace.bea, workspace.customers["Ann Archer"])
    composer = page.get_by_label("Message")
    composer.fill("We are on it")
    fake_openai.fail_next("429")

    page.locator(".assist-panel").get_by_role("button", name="Shorter").click()

    expect(page.locator(".assist-error")).to_contain_text("busy or over its quota")
    expect(composer).to_have_value("We are on it")

    panel = page.locator(".assist-panel")
    panel.get_by_role("button", name="Summarise for a handoff").click()
    expect(panel.locator(".assist-output-text")).to_have_text(
        "Ann Archer: My order 1042 has not arrived yet."
    )
    panel.get_by_role("button", name="Insert into the handoff note").click()
    expect(page.get_by_label("Handoff note")).to_have_value(
        "Ann Archer: My order 1042 has not arrived yet."
    )
