"""The agent workspace in a real browser: log in, work the inbox, answer, hand off, resolve,
and see other people's changes arrive live."""

import re

from playwright.sync_api import Locator, Page, expect

from .conftest import Account, Customer

LIVE_TIMEOUT = 10_000
HANDOFF_NOTE = "Terminal vendor ticket is T-88, call them first."
SELECTED = re.compile(r"\bselected\b")


def log_in(page: Page, account: Account, password: str | None = None) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail").fill(account.email)
    page.get_by_label("Password").fill(password or account.password)
    page.get_by_role("button", name="Log in").click()


def log_in_to_inbox(page: Page, account: Account, view: str = "all") -> None:
    log_in(page, account)
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    page.goto(f"/inbox/{view}/")
    expect_live(page)


def open_conversation(page: Page, account: Account, customer: Customer) -> None:
    log_in(page, account)
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    page.goto(f"/c/{customer.conversation_id}/")
    expect(timeline(page)).to_contain_text(customer.text)
    expect_live(page)


def expect_live(page: Page) -> None:
    """The page's WebSocket is connected, so pushes from now on reach it."""
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


def timeline(page: Page) -> Locator:
    return page.locator("#live .timeline")


def rows(page: Page) -> Locator:
    return page.locator("#inbox-list .row")


def count_badge(page: Page, view: str) -> Locator:
    return page.locator(f"[data-count={view}]")


def ticket_status(page: Page) -> Locator:
    return page.locator("#live [data-field=status]")


def composer(page: Page) -> Locator:
    return page.locator("#composer")


def filter_by_priority(page: Page, label: str) -> None:
    page.get_by_label("Priority").select_option(label=label)
    page.get_by_role("button", name="Filter").click()


def test_logging_in_with_email_and_password_lands_on_the_inbox_a_wrong_password_does_not(
    page, workspace
):
    log_in(page, workspace.admin, password="not-the-password")

    expect(page.get_by_role("alert")).to_have_text(
        "That e-mail and password do not match an account."
    )
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_label("E-mail")).to_have_value(workspace.admin.email)
    expect(page.locator(".topbar")).to_have_count(0)

    log_in(page, workspace.admin)

    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(page.locator(".topbar .me")).to_have_text("Ada Admin")
    expect(page.locator(".views a.current")).to_contain_text("Mine")
    expect(page.locator("#inbox-list")).to_contain_text("Nothing waiting here.")


def test_inbox_counts_views_filters_by_priority_and_is_driven_by_j_k_and_enter(page, workspace):
    log_in(page, workspace.admin)
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    urgent = workspace.customers["Bo Brandt"]

    page.get_by_role("link", name=re.compile(r"^All")).click()

    expect(page).to_have_url(re.compile(r"/inbox/all/$"))
    expect(rows(page)).to_have_count(3)
    expect(rows(page).first).to_contain_text("Bo Brandt")
    expect(rows(page).first.locator(".prio")).to_have_text("Urgent")
    expect(page.locator("#inbox-list")).to_contain_text(workspace.customers["김민지"].text)
    expect(page.locator("#inbox-list")).to_contain_text("Order 1042 is late")
    for view, count in (("mine", "0"), ("unassigned", "3"), ("teams", "0"), ("all", "3")):
        expect(count_badge(page, view)).to_have_text(count)

    filter_by_priority(page, "Urgent")

    expect(page).to_have_url(re.compile(r"[?&]priority=0"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Bo Brandt")
    expect(page.get_by_label("Priority")).to_have_value("0")

    filter_by_priority(page, "Low")

    expect(rows(page)).to_have_count(0)
    expect(page.locator("#inbox-list")).to_contain_text("Nothing waiting here.")

    filter_by_priority(page, "Normal")

    expect(rows(page)).to_have_count(2)
    expect(page.locator("#inbox-list")).not_to_contain_text("Bo Brandt")

    filter_by_priority(page, "Any priority")
    expect(rows(page)).to_have_count(3)

    page.keyboard.press("j")

    expect(rows(page).nth(0)).to_have_class(SELECTED)

    page.keyboard.press("j")

    expect(rows(page).nth(1)).to_have_class(SELECTED)
    expect(rows(page).nth(0)).not_to_have_class(SELECTED)

    page.keyboard.press("k")

    expect(rows(page).nth(0)).to_have_class(SELECTED)
    expect(rows(page).nth(1)).not_to_have_class(SELECTED)
    expect(rows(page).nth(0)).to_have_attribute("data-id", str(urgent.conversation_id))

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/c/{urgent.conversation_id}/$"))
    expect(page.locator(".thread-head h1")).to_contain_text("Our card terminal is down")
    expect(timeline(page)).to_contain_text(urgent.text)


def test_replies_and_internal_notes_appear_in_the_timeline_each_styled_as_what_it_is(
    page, workspace
):
    minji = workspace.customers["김민지"]
    open_conversation(page, workspace.admin, minji)
    expect(ticket_status(page)).to_have_text("New")

    page.get_by_label("Message").fill("내일 도착 예정입니다. It arrives tomorrow.")
    page.get_by_role("button", name="Send reply").click()

    reply = timeline(page).locator("li.msg-out").filter(has_text="내일 도착 예정입니다.")
    expect(reply).to_be_visible()
    expect(reply.locator("header strong")).to_have_text("Ada Admin")
    expect(reply.locator(".delivery")).to_have_text("Sent")
    expect(reply.locator(".note-badge")).to_have_count(0)
    expect(ticket_status(page)).to_have_text("Open")
    expect(page.get_by_label("Message")).to_have_value("")

    page.get_by_role("radio", name="Internal note").check()

    expect(composer(page)).to_have_class(re.compile(r"\bmode-note\b"))
    expect(composer(page).locator("button[type=submit]")).to_have_text("Add note")

    page.get_by_label("Message").fill("Courier confirmed a lost parcel, reship at no cost.")
    page.get_by_role("button", name="Add note").click()

    note = timeline(page).locator("li.msg-note").filter(has_text="Courier confirmed a lost parcel")
    expect(note).to_be_visible()
    expect(note.locator(".note-badge")).to_have_text("Internal note")
    expect(note.locator("header strong")).to_have_text("Ada Admin")
    expect(note.locator(".delivery")).to_have_count(0)
    expect(timeline(page).locator("li.msg-out")).to_have_count(1)
    expect(page.get_by_role("radio", name="Reply")).to_be_checked()

    page.keyboard.press("n")

    expect(page.get_by_role("radio", name="Internal note")).to_be_checked()
    expect(page.get_by_label("Message")).to_be_focused()
    expect(page.get_by_label("Message")).to_have_attribute(
        "placeholder", "Internal note: only your team sees this"
    )

    page.keyboard.type("VIP customer, be generous.")
    page.get_by_role("button", name="Add note").click()

    second_note = timeline(page).locator("li.msg-note").filter(has_text="be generous")
    expect(second_note).to_be_visible()
    expect(second_note.locator(".note-badge")).to_have_text("Internal note")
    expect(timeline(page).locator("li.msg-note")).to_have_count(2)
    expect(timeline(page).locator("li.msg-out")).to_have_count(1)


def test_ctrl_enter_sends_from_the_composer(page, workspace):
    open_conversation(page, workspace.admin, workspace.customers["Ann Archer"])

    page.get_by_label("Message").click()
    page.keyboard.type("Sorry for the wait, a new parcel is on its way.")
    page.keyboard.press("Control+Enter")

    reply = timeline(page).locator(".msg-out").filter(has_text="a new parcel is on its way")
    expect(reply).to_be_visible()
    expect(reply.locator(".delivery")).to_have_text("Sent")


def test_assigning_to_a_teammate_with_a_handoff_note_shows_the_handoff(page, workspace):
    open_conversation(page, workspace.admin, workspace.customers["Bo Brandt"])
    assign_form = page.locator("#assign-form")

    page.keyboard.press("a")

    expect(assign_form.get_by_label("Agent")).to_be_focused()

    assign_form.get_by_label("Agent").select_option(label="Bea Berg")
    assign_form.get_by_label("Handoff note").fill(HANDOFF_NOTE)
    assign_form.get_by_role("button", name="Assign").click()

    handoff = timeline(page).locator(".event-handoff")
    expect(handoff).to_contain_text("Ada Admin handed this off to Bea Berg")
    expect(handoff.locator(".handoff-note")).to_have_text(HANDOFF_NOTE)
    expect(page.locator("#live [data-field=owner]")).to_have_text("Bea Berg")
    expect(assign_form.get_by_label("Agent")).to_have_value(str(workspace.bea.id))


def test_the_resolve_button_resolves_the_conversation(page, workspace):
    open_conversation(page, workspace.admin, workspace.customers["Bo Brandt"])
    resolve = page.get_by_role("button", name="Resolve")

    resolve.click()

    expect(ticket_status(page)).to_have_text("Resolved")
    expect(timeline(page)).to_contain_text("Ada Admin changed status from New to Resolved")
    expect(resolve).to_be_disabled()


def test_the_e_key_resolves_and_g_i_goes_back_to_the_inbox(page, workspace):
    open_conversation(page, workspace.admin, workspace.customers["Ann Archer"])

    page.keyboard.press("e")

    expect(ticket_status(page)).to_have_text("Resolved")
    expect(timeline(page)).to_contain_text("Ada Admin changed status from New to Resolved")

    page.keyboard.press("g")
    page.keyboard.press("i")

    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(count_badge(page, "all")).to_have_text("2")


def test_a_new_conversation_appears_live_in_a_teammates_inbox(new_page, workspace):
    bea = new_page()
    log_in_to_inbox(bea, workspace.bea)
    expect(rows(bea)).to_have_count(3)
    expect(count_badge(bea, "all")).to_have_text("3")

    workspace.post_message(
        "dara-1",
        {"kind": "email", "id": "dara@example.com", "name": "Dara Diaz"},
        "Is the Gangnam store open on Sunday?",
    )

    new_row = rows(bea).filter(has_text="Dara Diaz")
    expect(new_row).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(new_row).to_contain_text("Is the Gangnam store open on Sunday?")
    expect(rows(bea)).to_have_count(4)
    expect(count_badge(bea, "all")).to_have_text("4")
    expect(count_badge(bea, "unassigned")).to_have_text("4")


def test_a_customers_follow_up_appears_live_in_the_open_conversation(new_page, workspace):
    ann = workspace.customers["Ann Archer"]
    ada = new_page()
    open_conversation(ada, workspace.admin, ann)
    expect(timeline(ada).locator(".msg-in")).to_have_count(1)

    workspace.post_message("ann-2", ann.sender, "Any news? The tracking page shows nothing.")

    follow_up = timeline(ada).locator(".msg-in").filter(has_text="Any news?")
    expect(follow_up).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(follow_up.locator("header strong")).to_have_text("Ann Archer")
    expect(timeline(ada).locator(".msg-in")).to_have_count(2)
    expect(ada).to_have_url(re.compile(rf"/c/{ann.conversation_id}/$"))


def test_question_mark_opens_the_shortcuts_dialog(page, workspace):
    log_in_to_inbox(page, workspace.admin)
    dialog = page.locator("dialog#shortcuts")
    expect(dialog).to_be_hidden()

    page.keyboard.press("?")

    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Keyboard shortcuts")
    expect(dialog).to_contain_text("Next / previous conversation")
    expect(dialog).to_contain_text("Back to the inbox")

    page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()


def test_a_reply_confirmed_while_the_page_loads_shows_as_sent_without_reload(
    page, workspace, held_callback
):
    workspace.api(
        "PATCH",
        f"/channels/{workspace.channel_id}",
        json={
            "settings": {"callback_url": held_callback.url},
            "secrets": {"callback_secret": "shared-secret"},
        },
    )
    ann = workspace.customers["Ann Archer"]
    text = "Your refund was issued today."
    open_conversation(page, workspace.admin, ann)

    def confirm_delivery_before_the_page_goes_live(route):
        held_callback.release()
        workspace.wait_for_delivery(ann.conversation_id, text, "sent")
        route.continue_()

    page.route(re.compile(r"/static/web/app\.js$"), confirm_delivery_before_the_page_goes_live)
    page.get_by_label("Message").fill(text)
    page.get_by_role("button", name="Send reply").click()

    reply = timeline(page).locator("li.msg-out").filter(has_text=text)
    expect(reply).to_be_visible()
    expect_live(page)
    expect(reply.locator(".delivery")).to_have_text("Sent", timeout=2_000)


def test_agents_see_who_else_is_viewing_and_typing(new_page, workspace):
    ann = workspace.customers["Ann Archer"]
    ada, bea = new_page(), new_page()
    open_conversation(ada, workspace.admin, ann)
    open_conversation(bea, workspace.bea, ann)

    expect(ada.locator("#colleagues")).to_contain_text("Bea Berg is viewing", timeout=LIVE_TIMEOUT)
    expect(bea.locator("#colleagues")).to_contain_text("Ada Admin is viewing", timeout=LIVE_TIMEOUT)
    bea.locator("#composer textarea").press_sequentially("We are on it")
    expect(ada.locator(".colleague.typing")).to_have_text(
        "Bea Berg is typing…", timeout=LIVE_TIMEOUT
    )
    # Nobody is shown to themselves.
    expect(ada.locator("#colleagues")).not_to_contain_text("Ada Admin")
