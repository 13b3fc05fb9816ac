"""/api/v1/saved-replies with the agent's permissions, the composer's search and insert,
and the Saved replies page with signatures."""

import pytest
from django.test import Client

from parley.accounts.models import Role
from parley.replies.models import SavedReply, Signature
from tests.conftest import api_client
from tests.factories import make_agent, make_team

from .conftest import make_order, make_reply

pytestmark = pytest.mark.django_db

SHIPPING = {
    "title": "Shipping update",
    "shortcut": "ship",
    "tags": ["shipping", "tracking"],
    "bodies": {
        "en": "Hi {{ customer.first_name }}, track it here: {{ order.tracking_url }}",
        "ko": "{{ customer.name }}님, 배송 조회: {{ order.tracking_url }}",
    },
    "default_language": "en",
}


def _post(client: Client, path: str, body: dict):
    return client.post(path, body, content_type="application/json")


def test_an_agent_creates_lists_changes_and_deletes_a_personal_reply(agent):
    client = api_client(agent)

    created = _post(client, "/api/v1/saved-replies", SHIPPING)
    reply_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/saved-replies/{reply_id}", {"title": "Tracking"}, content_type="application/json"
    )
    listed = client.get("/api/v1/saved-replies", {"q": "ship"})
    deleted = client.delete(f"/api/v1/saved-replies/{reply_id}")

    assert created.status_code == 201, created.json()
    assert created.json()["scope"] == "personal" and created.json()["owner_id"] == agent.pk
    assert changed.json()["title"] == "Tracking" and changed.json()["bodies"] == SHIPPING["bodies"]
    assert [r["id"] for r in listed.json()] == [reply_id]
    assert deleted.status_code == 204 and not SavedReply.objects.exists()


def test_an_agent_may_not_make_or_change_shared_replies(agent):
    lead = make_agent(Role.LEAD)
    shared = make_reply(lead, scope="workspace")
    client = api_client(agent)

    made = _post(client, "/api/v1/saved-replies", SHIPPING | {"scope": "workspace"})
    changed = client.patch(
        f"/api/v1/saved-replies/{shared.pk}", {"title": "Mine"}, content_type="application/json"
    )
    deleted = client.delete(f"/api/v1/saved-replies/{shared.pk}")

    assert (made.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert client.get(f"/api/v1/saved-replies/{shared.pk}").json()["can_change"] is False


def test_a_lead_makes_a_team_reply_its_members_see(db):
    team = make_team()
    member, outsider = make_agent(teams=[team]), make_agent()
    lead = api_client(make_agent(Role.LEAD))

    made = _post(lead, "/api/v1/saved-replies", SHIPPING | {"scope": "team", "team_id": team.pk})
    missing = _post(lead, "/api/v1/saved-replies", SHIPPING | {"scope": "team", "team_id": 999})

    assert made.status_code == 201 and made.json()["team_id"] == team.pk
    assert missing.status_code == 404
    assert len(api_client(member).get("/api/v1/saved-replies").json()) == 1
    assert api_client(outsider).get(f"/api/v1/saved-replies/{made.json()['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"bodies": {"en": "{{ settings.SECRET_KEY }}"}}, "unknown_variable"),
        ({"bodies": {"en": "{% load static %}"}}, "template_tag"),
        ({"bodies": {}}, "invalid"),
        ({"title": ""}, "invalid"),
        ({"title": "a\x00b"}, "invalid"),
        ({"tags": "shipping"}, "invalid"),
        ({"bodies": {"EN": "Hello", "en": "Hi"}}, "duplicate_language"),
    ],
    ids=["variable", "tag", "no_bodies", "no_title", "nul", "tags_type", "same_language"],
)
def test_bad_bodies_are_4xx_naming_the_problem(agent, change, code):
    answer = _post(api_client(agent), "/api/v1/saved-replies", SHIPPING | change)

    assert answer.status_code in (400, 422)
    assert answer.json()["code"] == code
    assert not SavedReply.objects.exists()


def test_the_composer_searches_and_inserts_a_filled_reply(web, agent, conversation):
    make_order(conversation, "1042", day=2, url="https://track.example/1042")
    reply = make_reply(agent, SHIPPING["bodies"]["en"], title="Shipping update", shortcut="ship")

    found = web.get(f"/replies/c/{conversation.pk}/", {"q": "shi"})
    used = web.post(f"/replies/c/{conversation.pk}/use/{reply.pk}/")

    assert found.json()["items"] == [
        {"id": reply.pk, "title": "Shipping update", "shortcut": "ship", "tags": []}
    ]
    assert used.json() == {"text": "Hi Ann, track it here: https://track.example/1042"}
    assert SavedReply.objects.get().usage_count == 1


def test_the_composer_cannot_use_others_personal_replies_or_hidden_conversations(
    web, agent, conversation
):
    theirs = make_reply(make_agent())
    hidden_team = make_team()
    conversation.team = hidden_team
    conversation.save()

    assert web.post(f"/replies/c/{conversation.pk}/use/{theirs.pk}/").status_code == 404
    assert web.get(f"/replies/c/{conversation.pk}/", {"q": "x"}).status_code == 404
    assert SavedReply.objects.get().usage_count == 0


def test_the_page_saves_a_reply_and_refuses_an_unknown_variable(web, agent):
    form = {
        "title": "Shipping update",
        "shortcut": "ship",
        "tags": "shipping, Tracking",
        "scope": "personal",
        "language_1": "en",
        "body_1": "Hi {{ customer.first_name }}",
        "language_2": "ko",
        "body_2": "{{ customer.name }}님",
    }

    refused = web.post("/replies/new/", form | {"body_2": "{{ customer.secret }}님"})
    saved = web.post("/replies/new/", form)
    listed = web.get("/replies/")

    assert refused.status_code == 400
    assert "Unknown variable {{ customer.secret }}" in refused.content.decode()
    assert saved.status_code == 302
    reply = SavedReply.objects.get()
    assert reply.tags == ["shipping", "tracking"] and set(reply.bodies) == {"en", "ko"}
    assert "##ship" in listed.content.decode()


def test_the_page_refuses_two_texts_in_one_language(web, agent):
    # Both rows "en": the second text silently replaced the first.
    form = {
        "title": "Shipping update",
        "scope": "personal",
        "language_1": "en",
        "body_1": "Hi {{ customer.first_name }}",
        "language_2": "EN ",
        "body_2": "Hello {{ customer.first_name }}",
    }

    refused = web.post("/replies/new/", form)

    assert refused.status_code == 400
    assert "Each language may have only one text." in refused.content.decode()
    assert not SavedReply.objects.exists()


def test_signatures_are_saved_and_the_email_one_is_the_agents_own(web, agent):
    web.post("/replies/signatures/", {"email": "Sam\nShop support", "chat": "— Sam", "social": ""})

    agent.refresh_from_db()
    assert agent.signature == "Sam\nShop support"
    assert dict(Signature.objects.values_list("kind", "text")) == {"chat": "— Sam", "social": ""}


def test_the_conversation_shows_limit_signature_and_brand_tone(web, agent, admin):
    from parley.replies.actions import save_brand_tone, save_signatures
    from tests.factories import inbound, make_channel

    save_brand_tone("Warm, short sentences. Never promise dates.")
    save_signatures(agent, email="", chat="", social="— Sam")
    channel = make_channel("instagram", demo=True)
    thread = "comment:media-1:c-1"
    conversation = inbound(channel, "Hi", sender="ig-1", kind="instagram", thread=thread)
    conversation = conversation.conversation

    html = web.get(f"/c/{conversation.pk}/").content.decode()

    assert 'data-limit-public="2200"' in html and 'data-limit-private="1000"' in html
    assert "Never promise dates." in html
    assert 'data-signature="— Sam"' in html
