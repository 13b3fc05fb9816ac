"""The agent workspace, rendered server-side."""

import pytest

from parley.accounts.models import Role
from parley.conversations.models import Direction, EntryKind, Priority, Status
from tests.factories import inbound, make_agent, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(api_channel):
    return inbound(api_channel, "My order #1042 is late", name="Ann").conversation


def test_login_page_and_redirect(client):
    assert client.get("/inbox/").status_code == 302
    page = client.get("/login/")
    assert page.status_code == 200
    assert b"Log in" in page.content


def test_login_with_email_and_password(client, agent):
    from tests.factories import PASSWORD

    response = client.post("/login/", {"username": agent.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/inbox/").status_code == 200


def test_wrong_password_shows_an_error(client, agent):
    response = client.post("/login/", {"username": agent.email, "password": "nope"})

    assert response.status_code == 200
    assert b"do not match" in response.content


def test_inbox_views_and_counts(web, agent, conversation):
    unassigned = web.get("/inbox/unassigned/")
    mine = web.get("/inbox/mine/")

    assert b"My order #1042 is late" in unassigned.content
    assert b"Nothing waiting here" in mine.content
    assert unassigned.context["counts"] == {"mine": 0, "unassigned": 1, "teams": 0, "all": 1}
    assert web.get("/inbox/bogus/").status_code == 404


def test_inbox_sorts_by_priority_then_longest_waiting(web, api_channel, admin):
    old = inbound(api_channel, "old", sender="old@example.com").conversation
    new = inbound(api_channel, "new", sender="new@example.com").conversation
    urgent = inbound(api_channel, "urgent", sender="u@example.com").conversation
    from parley.conversations import actions

    actions.set_priority(admin, urgent, Priority.URGENT)

    rows = list(web.get("/inbox/all/").context["page"].object_list)

    assert [c.pk for c in rows] == [urgent.pk, old.pk, new.pk]


def test_inbox_filters_ignore_garbage(web, conversation):
    response = web.get("/inbox/all/?status=nonsense&channel=abc&priority=9&page=zzz")

    assert response.status_code == 200


def test_conversation_page_shows_timeline_and_customer(web, conversation):
    response = web.get(f"/c/{conversation.pk}/")

    assert response.status_code == 200
    assert b"My order #1042 is late" in response.content
    assert b"ann@example.com" in response.content


def test_reply_and_note_from_the_composer(web, conversation, commit):
    with commit():
        web.post(f"/c/{conversation.pk}/reply/", {"mode": "reply", "text": "On its way!"})
        web.post(f"/c/{conversation.pk}/reply/", {"mode": "note", "text": "DHL says Friday"})

    directions = list(conversation.messages.values_list("direction", "text"))
    assert (Direction.OUTBOUND, "On its way!") in directions
    assert (Direction.NOTE, "DHL says Friday") in directions
    page = web.get(f"/c/{conversation.pk}/").content.decode()
    assert 'class="msg msg-note"' in page


def test_empty_reply_is_a_form_error_not_a_500(web, conversation):
    response = web.post(
        f"/c/{conversation.pk}/reply/", {"mode": "reply", "text": "  "}, follow=True
    )

    assert response.status_code == 200
    assert conversation.messages.count() == 1
    assert b"required" in response.content


def test_uploaded_attachment_is_served_only_to_agents_who_may_see_it(
    web, conversation, api_channel, commit
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("label.pdf", b"%PDF label", content_type="application/pdf")
    with commit():
        web.post(
            f"/c/{conversation.pk}/reply/", {"mode": "note", "text": "label", "attachments": upload}
        )
    attachment = conversation.messages.get(direction="note").attachments.get()

    assert web.get(f"/attachments/{attachment.pk}/").getvalue() == b"%PDF label"
    outsider = make_agent(Role.AGENT)
    conversation.team = make_team("Other")
    conversation.save()
    from django.test import Client

    other = Client()
    other.force_login(outsider)
    assert other.get(f"/attachments/{attachment.pk}/").status_code == 404


def test_assign_with_handoff_note_and_resolve(web, agent, conversation):
    colleague = make_agent(name="Kim")
    web.post(f"/c/{conversation.pk}/assign/", {"assignee": colleague.pk, "note": "Refund OK'd"})
    web.post(f"/c/{conversation.pk}/update/", {"status": "resolved"})

    conversation.refresh_from_db()
    assert conversation.assignee == colleague
    assert conversation.status == Status.RESOLVED
    handoff = conversation.timeline.get(kind=EntryKind.HANDOFF)
    assert handoff.data["note"] == "Refund OK'd"
    assert b"Refund OK&#x27;d" in web.get(f"/c/{conversation.pk}/").content


def test_bad_assign_and_update_input_is_a_message_not_a_500(web, conversation):
    assign = web.post(f"/c/{conversation.pk}/assign/", {"assignee": "99999"}, follow=True)
    update = web.post(f"/c/{conversation.pk}/update/", {"status": "done"}, follow=True)

    assert assign.status_code == 200 and b"Pick an agent" in assign.content
    assert update.status_code == 200 and b"does not exist" in update.content


def test_agents_cannot_open_other_teams_conversations(conversation):
    from django.test import Client

    conversation.team = make_team("Sales")
    conversation.save()
    outsider = make_agent(Role.AGENT, teams=[make_team("Care")])
    client = Client()
    client.force_login(outsider)

    assert client.get(f"/c/{conversation.pk}/").status_code == 404
    assert (
        client.post(f"/c/{conversation.pk}/reply/", {"mode": "reply", "text": "x"}).status_code
        == 404
    )
    assert b"#1042" not in client.get("/inbox/all/").content


def test_korean_ui_from_the_browser(client, agent):
    client.force_login(agent)

    response = client.get("/inbox/", headers={"Accept-Language": "ko"})

    assert response.headers["Content-Language"] == "ko"


def test_agent_language_setting_wins(client, agent):
    agent.language = "ko"
    agent.save()
    client.force_login(agent)

    response = client.get("/inbox/", headers={"Accept-Language": "en"})

    assert response.headers["Content-Language"] == "ko"


def test_customer_notes_are_added_from_the_conversation_page(web, conversation):
    url = f"/customers/{conversation.customer_id}/notes/"
    back = f"/c/{conversation.pk}/"

    response = web.post(url, {"body": "Prefers WhatsApp", "pinned": "on", "next": back})
    evil = web.post(url, {"body": "x", "next": "https://evil.example/"})
    empty = web.post(url, {"body": "  "}, follow=True)

    assert response.status_code == 302 and response.url == back
    assert evil.url == f"/customers/{conversation.customer_id}/"
    assert b"needs some text" in empty.content
    note = conversation.customer.notes.get(body="Prefers WhatsApp")
    assert note.pinned and note.author is not None
    assert b"Prefers WhatsApp" in web.get(back).content


def test_admin_settings_pages_are_for_admins_only(client, admin, agent):
    client.force_login(agent)
    assert client.get("/django-admin/accounts/agent/").status_code == 302

    client.force_login(admin)
    assert client.get("/django-admin/accounts/agent/").status_code == 200
    assert client.get("/django-admin/connectors/channel/add/").status_code == 200
    assert client.get("/django-admin/conversations/inboundevent/").status_code == 200


def test_channel_secrets_in_the_admin_are_write_only(client, admin):
    from tests.factories import make_channel

    channel = make_channel("api")
    channel.set_secret("callback_secret", "shh-very-secret")
    channel.save()
    client.force_login(admin)

    page = client.get(f"/django-admin/connectors/channel/{channel.pk}/change/").content.decode()
    saved = client.post(
        f"/django-admin/connectors/channel/{channel.pk}/change/",
        {"kind": "api", "name": "Renamed", "active": "on", "settings": "{}", "callback_secret": ""},
    )

    assert "shh-very-secret" not in page
    assert "••••cret" in page
    assert saved.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "Renamed"
    assert channel.secret("callback_secret") == "shh-very-secret"  # blank keeps the stored one


def test_repeated_wrong_passwords_lock_the_login_out(client, agent):
    from tests.factories import PASSWORD

    for _ in range(5):  # PARLEY_LOGIN_FAILURE_LIMIT's default
        client.post("/login/", {"username": agent.email, "password": "wrong"})

    locked = client.post("/login/", {"username": agent.email, "password": PASSWORD})

    assert locked.status_code == 429
    assert b"Too many failed" in locked.content
    assert "_auth_user_id" not in client.session


def test_a_reply_written_past_a_newer_message_asks_first(web, agent, api_channel, conversation):
    from parley.conversations.models import Message

    page = web.get(f"/c/{conversation.pk}/").content.decode()
    seen = int(page.split('name="seen" value="')[1].split('"')[0])
    inbound(api_channel, "Actually, make it the blue one!", name="Ann")
    answer = web.post(
        f"/c/{conversation.pk}/reply/",
        {"mode": "reply", "text": "Sending the red one.", "seen": seen},
    )
    assert answer.status_code == 409
    shown = answer.content.decode()
    assert "While you were writing:" in shown and "make it the blue one" in shown
    assert "Sending the red one." in shown and 'name="confirm"' in shown
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()

    # Another agent's reply counts too; the agent's own notes do not.
    other = make_agent(name="Bea")
    from parley.conversations.actions import add_note, send_reply

    latest = conversation.messages.order_by("-pk").first().pk
    add_note(agent, conversation, "checking stock")
    assert (
        web.post(
            f"/c/{conversation.pk}/reply/", {"mode": "reply", "text": "Blue it is.", "seen": latest}
        ).status_code
        == 302
    )
    send_reply(other, conversation, "I already told them!")
    again = web.post(
        f"/c/{conversation.pk}/reply/", {"mode": "reply", "text": "Blue!", "seen": latest}
    )
    assert again.status_code == 409 and "I already told them!" in again.content.decode()
    sent = web.post(
        f"/c/{conversation.pk}/reply/",
        {"mode": "reply", "text": "Blue!", "seen": latest, "confirm": "on"},
    )
    assert sent.status_code == 302
    assert Message.objects.filter(direction=Direction.OUTBOUND, text="Blue!").exists()
