"""The design's invariants, checked end to end through the product's own paths."""

import json

import pytest

from parley.conversations import actions
from parley.conversations.models import EntryKind, InboundEvent, Message, TimelineEntry
from tests.conftest import api_client
from tests.factories import inbound, make_agent, make_channel

pytestmark = pytest.mark.django_db

NOTE = "INTERNAL: customer is on the fraud watch list"


def test_a_note_never_reaches_the_customer_through_any_channel(recorder, agent, commit):
    channel = make_channel("api", callback_url=recorder.url + "/out")
    conversation = inbound(channel, "Where is my refund?").conversation

    with commit():
        actions.add_note(agent, conversation, NOTE)
        actions.send_reply(agent, conversation, "Your refund is on its way.")
        actions.add_note(agent, conversation, NOTE + " (second)")
        actions.send_reply(agent, conversation, "Anything else?")

    bodies = [r.body.decode() for r in recorder.requests]
    assert len(bodies) == 2
    assert all("INTERNAL" not in body for body in bodies)


def test_a_redelivered_payload_creates_nothing_new(api, api_channel, commit):
    payload = json.dumps(
        {"external_id": "x-1", "sender": {"kind": "phone", "id": "+82 10 5555 1234"}, "text": "hi"}
    )
    url = f"/api/v1/channels/{api_channel.pk}/messages"
    with commit():
        for _ in range(3):
            assert api.post(url, payload, content_type="application/json").status_code == 202

    assert InboundEvent.objects.count() == 3  # every delivery is kept…
    assert Message.objects.count() == 1  # …and stored once
    assert TimelineEntry.objects.filter(kind=EntryKind.MESSAGE_RECEIVED).count() == 1


def test_every_change_has_an_author_and_a_time(agent, api_channel, commit):
    conversation = inbound(api_channel).conversation
    colleague = make_agent()
    with commit():
        actions.send_reply(agent, conversation, "hello")
        actions.add_note(agent, conversation, "note")
        actions.assign_conversation(
            agent, conversation, assignee=colleague, team=None, note="yours"
        )
        actions.set_priority(agent, conversation, 0)
        actions.set_tags(agent, conversation, ["vip"])
        actions.set_status(agent, conversation, "resolved")

    for entry in conversation.timeline.all():
        assert entry.created_at is not None
        assert entry.actor is not None or entry.actor_label, entry.kind


@pytest.mark.parametrize(
    "body_case",
    ["", "null", "[]", '{"external_id": 5}', "\x00\x01", '{"a":' * 500, "😀" * 100],
)
def test_hostile_api_input_gets_a_4xx_json_error_never_a_500(api, api_channel, body_case, commit):
    with commit():
        response = api.post(
            f"/api/v1/channels/{api_channel.pk}/messages",
            body_case,
            content_type="application/json",
        )

    assert 400 <= response.status_code < 500
    assert set(response.json()) >= {"code", "detail"}


def test_an_agent_token_sees_only_what_the_agent_sees(api_channel):
    from tests.factories import make_team

    conversation = inbound(api_channel).conversation
    conversation.team = make_team("Private")
    conversation.save()
    outsider = api_client(make_agent())

    assert outsider.get(f"/api/v1/conversations/{conversation.pk}/messages").status_code == 404
    assert outsider.get(f"/api/v1/customers/{conversation.customer_id}").status_code == 404


HUGE = "9" * 23


@pytest.mark.parametrize(
    "url_case",
    [
        f"/api/v1/conversations?channel={HUGE}",
        f"/api/v1/conversations?assignee={HUGE}&team={HUGE}",
        f"/api/v1/conversations/{HUGE}",
        f"/api/v1/customers/{HUGE}",
    ],
)
def test_ids_too_large_for_the_database_are_4xx(api, url_case):
    assert 400 <= api.get(url_case).status_code < 500


@pytest.mark.parametrize(
    "url_case", [f"/c/{HUGE}/", f"/customers/{HUGE}/", f"/inbox/all/?channel={HUGE}&team={HUGE}"]
)
def test_ids_too_large_for_the_database_in_pages(web, url_case):
    assert web.get(url_case).status_code in (200, 404)


def test_assigning_to_a_huge_id_is_4xx(api, api_channel):
    conversation = inbound(api_channel).conversation

    response = api.post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"assignee_id": int(HUGE)},
        content_type="application/json",
    )

    assert response.status_code == 422


def test_web_forms_with_huge_ids_are_form_errors(web, api_channel):
    conversation = inbound(api_channel).conversation

    response = web.post(f"/c/{conversation.pk}/assign/", {"assignee": HUGE, "team": HUGE})

    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_nul_characters_in_api_json_are_refused(api, api_channel):
    conversation = inbound(api_channel).conversation

    reply = api.post(
        f"/api/v1/conversations/{conversation.pk}/reply",
        '{"text": "hi\\u0000there"}',
        content_type="application/json",
    )
    patch = api.patch(
        f"/api/v1/customers/{conversation.customer_id}",
        '{"attributes": {"note": "a\\u0000b"}}',
        content_type="application/json",
    )

    assert reply.status_code == 400 and reply.json()["code"] == "invalid"
    assert patch.status_code == 400


@pytest.mark.parametrize("url_case", ["/api/v1/conversations?tag=%00", "/api/v1/customers?q=%00"])
def test_nul_characters_in_api_queries_are_refused(api, url_case):
    assert api.get(url_case).status_code == 422


def test_nul_characters_in_page_filters_are_ignored(web):
    assert web.get("/inbox/all/?tag=%00").status_code == 200


def test_a_nul_inside_a_channel_message_is_kept_visible(api, api_channel, commit):
    payload = '{"external_id": "n1", "sender": {"kind": "email", "id": "a@example.com"}, ' \
              '"text": "before\\u0000after"}'  # fmt: skip
    with commit():
        response = api.post(
            f"/api/v1/channels/{api_channel.pk}/messages", payload, content_type="application/json"
        )

    assert response.status_code == 202
    assert Message.objects.get().text == "before\ufffdafter"


def test_a_body_that_is_not_json_gets_invalid_json(api, api_channel):
    conversation = inbound(api_channel).conversation

    response = api.post(
        f"/api/v1/conversations/{conversation.pk}/reply", "{text:", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
