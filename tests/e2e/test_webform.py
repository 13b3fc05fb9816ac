"""The hosted contact form in a real browser: a visitor's submission becomes a ticket that an
agent, already working the inbox, sees arrive with the form's fields laid out."""

import re

from playwright.sync_api import Page, expect

from .conftest import Workspace
from .test_agent_workspace import expect_live, log_in, rows, timeline

FORM = {
    "title": "Contact the shop",
    "intro": "We answer within a day.",
    "min_seconds": 0,
    "fields": [
        {"name": "name", "label": "Your name"},
        {"name": "email"},
        {"name": "order_number", "required": False},
        {"name": "topic", "choices": ["Shipping", "Returns"]},
        {"name": "message"},
        {"name": "attachments", "required": False},
    ],
}


def make_form(workspace: Workspace) -> str:
    channel = workspace.api(
        "POST", "/channels", json={"kind": "webform", "name": "Contact", "settings": {"form": FORM}}
    )
    return channel.json()["public_key"]


def fill_in(visitor: Page) -> None:
    visitor.get_by_label("Your name").fill("Dana Diaz")
    visitor.get_by_label("Email").fill("dana@example.com")
    visitor.get_by_label("Order number").fill("A-2291")
    visitor.get_by_label("Topic").select_option("Returns")
    visitor.get_by_label("Message").fill("The shoes are too small.\nCan I swap them?")
    visitor.get_by_label("Attachments").set_input_files(
        {"name": "receipt.txt", "mimeType": "text/plain", "buffer": b"order A-2291"}
    )


def test_a_visitor_files_a_ticket_an_agent_sees_with_its_fields(new_page, workspace):
    key = make_form(workspace)
    agent = new_page()
    log_in(agent, workspace.admin)
    expect(agent).to_have_url(re.compile(r"/inbox/$"))
    agent.goto("/inbox/all/")
    expect_live(agent)
    visitor = new_page()
    visitor.set_viewport_size({"width": 390, "height": 800})

    visitor.goto(f"/forms/{key}/")
    expect(visitor.get_by_role("heading", name="Contact the shop")).to_be_visible()
    fill_in(visitor)
    visitor.get_by_role("button", name="Send").click()

    expect(visitor.get_by_role("heading", name="Thank you")).to_be_visible()
    reference = visitor.locator(".reference strong")
    expect(reference).to_have_text(re.compile(r"^#\d+$"))
    row = rows(agent).filter(has_text="Dana Diaz")
    expect(row).to_contain_text("Returns")
    expect(row).to_contain_text(reference.inner_text())
    row.locator("a").click()
    fields = timeline(agent).locator("dl.form-fields")
    expect(fields.locator("dt")).to_have_text(["Your name", "Email", "Order number", "Topic"])
    answers = ["Dana Diaz", "dana@example.com", "A-2291", "Returns"]
    expect(fields.locator("dd")).to_have_text(answers)
    expect(timeline(agent)).to_contain_text("The shoes are too small.")
    expect(timeline(agent).locator(".attachments")).to_contain_text("receipt.txt")


def test_a_visitor_who_misses_a_field_is_told_which(new_page, workspace):
    key = make_form(workspace)
    visitor = new_page()
    visitor.goto(f"/forms/{key}/")
    fill_in(visitor)
    visitor.get_by_label("Email").fill("dana-at-example")
    # The browser's own check is skipped so that the server's answer is what shows.
    visitor.locator("form").evaluate("form => form.noValidate = true")

    visitor.get_by_role("button", name="Send").click()

    expect(visitor.locator(".field.invalid .field-error")).to_have_text(
        "Enter a valid email address."
    )
    expect(visitor.get_by_label("Message")).to_have_value(
        "The shoes are too small.\nCan I swap them?"
    )
    fill_in(visitor)
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.locator(".reference strong")).to_have_text(re.compile(r"^#\d+$"))
