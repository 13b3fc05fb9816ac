"""The conversations and messages API."""

import pytest

from parley.accounts.models import Role
from parley.conversations import actions
from parley.conversations.models import Priority, Status
from tests.conftest import api_client
from tests.factories import inbound, make_agent, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversations(api_channel):
    return [
        inbound(api_channel, f"question {i}", sender=f"c{i}@example.com").conversation
        for i in range(5)
    ]


def test_list_is_paginated_with_a_cursor(api, conversations):
    first = api.get("/api/v1/conversations?limit=2").json()
    second = api.get(f"/api/v1/conversations?limit=2&cursor={first['next_cursor']}").json()
    third = api.get(f"/api/v1/conversations?limit=2&cursor={second['next_cursor']}").json()

    ids = [c["id"] for page in (first, second, third) for c in page["items"]]
    assert sorted(ids) == sorted(c.pk for c in conversations)
    assert len(set(ids)) == 5
    assert third["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("cursor=garbage", "invalid_cursor"),
        ("limit=0", "invalid_limit"),
        ("limit=5000", "invalid_limit"),
        ("view=nope", "invalid_view"),
        ("priority=asap", "invalid_priority"),
    ],
)
def test_bad_list_parameters_get_400_with_a_code(api, conversations, query, code):
    response = api.get(f"/api/v1/conversations?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == code


def test_filters(api, conversations, admin):
    actions.set_priority(admin, conversations[0], Priority.URGENT)
    actions.set_status(admin, conversations[1], Status.PENDING)

    urgent = api.get("/api/v1/conversations?priority=urgent").json()["items"]
    pending = api.get("/api/v1/conversations?status=pending").json()["items"]

    assert [c["id"] for c in urgent] == [conversations[0].pk]
    assert [c["id"] for c in pending] == [conversations[1].pk]


def test_patch_status_priority_tags(api, conversations):
    target = conversations[0].pk
    response = api.patch(
        f"/api/v1/conversations/{target}",
        {"status": "pending", "priority": "high", "tags": ["refund", "vip"]},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["priority"], sorted(body["tags"])) == (
        "pending",
        "high",
        ["refund", "vip"],
    )


def test_patch_with_an_unknown_status_is_a_400(api, conversations):
    response = api.patch(
        f"/api/v1/conversations/{conversations[0].pk}",
        {"status": "done"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_status"


def test_wrong_types_get_422_naming_the_field(api, conversations):
    response = api.patch(
        f"/api/v1/conversations/{conversations[0].pk}",
        {"tags": "refund"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "tags" in response.json()["detail"]


def test_reply_and_note_then_list_messages(api, conversations, commit):
    target = conversations[0].pk
    with commit():
        reply = api.post(
            f"/api/v1/conversations/{target}/reply",
            {"text": "On its way"},
            content_type="application/json",
        )
        note = api.post(
            f"/api/v1/conversations/{target}/notes",
            {"text": "checked DHL"},
            content_type="application/json",
        )

    assert reply.status_code == 201 and reply.json()["direction"] == "out"
    assert note.status_code == 201 and note.json()["direction"] == "note"
    messages = api.get(f"/api/v1/conversations/{target}/messages").json()["items"]
    assert [m["direction"] for m in messages] == ["note", "out", "in"]


def test_empty_reply_is_refused(api, conversations):
    response = api.post(
        f"/api/v1/conversations/{conversations[0].pk}/reply",
        {"text": ""},
        content_type="application/json",
    )

    assert response.status_code == 422


def test_assign_with_handoff_note(api, conversations):
    teammate = make_agent(name="Kim")
    response = api.post(
        f"/api/v1/conversations/{conversations[0].pk}/assign",
        {"assignee_id": teammate.pk, "note": "call back after 3pm"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["assignee"]["name"] == "Kim"


def test_assign_to_unknown_agent_is_404(api, conversations):
    response = api.post(
        f"/api/v1/conversations/{conversations[0].pk}/assign",
        {"assignee_id": 999999},
        content_type="application/json",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_agent_tokens_carry_the_agents_limits(api_channel):
    care, sales = make_team("Care"), make_team("Sales")
    agent = make_agent(Role.AGENT, teams=[care])
    mine = inbound(api_channel, sender="a@example.com").conversation
    theirs = inbound(api_channel, sender="b@example.com").conversation
    mine.team, theirs.team = care, sales
    mine.save(), theirs.save()
    client = api_client(agent)

    listed = [c["id"] for c in client.get("/api/v1/conversations").json()["items"]]

    assert listed == [mine.pk]
    assert client.get(f"/api/v1/conversations/{theirs.pk}").status_code == 404
    assert (
        client.post(
            f"/api/v1/conversations/{theirs.pk}/notes",
            {"text": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_a_revoked_or_wrong_token_is_401(client, conversations):
    response = client.get("/api/v1/conversations", headers={"Authorization": "Bearer prl_nope"})

    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "detail": "a valid API token is required"}


def test_a_reply_can_refuse_to_talk_past_newer_messages(api, api_channel):
    from tests.factories import inbound

    first = inbound(api_channel, "Is it in stock?", sender="q@example.com")
    conversation = first.conversation
    inbound(api_channel, "Never mind, found it", sender="q@example.com")
    url = f"/api/v1/conversations/{conversation.pk}/reply"
    refused = api.post(
        url, {"text": "Yes!", "unless_newer_than": first.pk}, content_type="application/json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "newer_messages"
    latest = conversation.messages.order_by("-pk").first().pk
    sent = api.post(
        url, {"text": "Great!", "unless_newer_than": latest}, content_type="application/json"
    )
    assert sent.status_code == 201
