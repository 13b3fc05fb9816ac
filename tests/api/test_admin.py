"""Configuration endpoints: channels (secrets write-only), agents, teams, tags, customers."""

import pytest

from parley.accounts.models import Role
from parley.connectors.models import Channel
from tests.conftest import api_client
from tests.factories import inbound, make_agent

pytestmark = pytest.mark.django_db


def test_channel_secrets_are_write_only_and_encrypted_at_rest(api):
    response = api.post(
        "/api/v1/channels",
        {"kind": "api", "name": "Shop feed", "secrets": {"callback_secret": "very-secret-value"}},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["secrets"] == {"callback_secret": "••••alue"}
    channel = Channel.objects.get()
    assert "very-secret-value" not in str(channel.encrypted_secrets)
    assert channel.secret("callback_secret") == "very-secret-value"
    listed = api.get("/api/v1/channels").content.decode()
    assert "very-secret-value" not in listed


def test_unknown_channel_kind_is_400(api):
    response = api.post(
        "/api/v1/channels", {"kind": "fax", "name": "x"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_kind"


def test_agents_and_teams_are_admin_only(db):
    client = api_client(make_agent(Role.LEAD))

    assert client.get("/api/v1/agents").status_code == 403
    assert (
        client.post("/api/v1/teams", {"name": "x"}, content_type="application/json").status_code
        == 403
    )


def test_admin_creates_agents_and_teams(api):
    created = api.post(
        "/api/v1/agents",
        {"email": "kim@example.com", "password": "long-enough-pw", "name": "Kim", "role": "lead"},
        content_type="application/json",
    )
    duplicate = api.post(
        "/api/v1/agents",
        {"email": "KIM@example.com", "password": "long-enough-pw"},
        content_type="application/json",
    )
    team = api.post(
        "/api/v1/teams",
        {"name": "Care", "member_ids": [created.json()["id"]]},
        content_type="application/json",
    )

    assert created.status_code == 201 and created.json()["role"] == "lead"
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_email"
    assert team.status_code == 201 and team.json()["member_ids"] == [created.json()["id"]]


def test_weak_passwords_are_refused(api):
    response = api.post(
        "/api/v1/agents",
        {"email": "k@example.com", "password": "password"},
        content_type="application/json",
    )

    assert response.status_code in (400, 422)


def test_tags(api):
    assert (
        api.post("/api/v1/tags", {"name": "Refund"}, content_type="application/json").status_code
        == 201
    )
    assert [t["name"] for t in api.get("/api/v1/tags").json()] == ["refund"]
    bad = api.post("/api/v1/tags", {"name": "x", "color": "red"}, content_type="application/json")
    assert bad.status_code == 422


def test_customer_search_and_update(api, api_channel):
    customer = inbound(api_channel, sender="jin@example.kr", name="Jin").conversation.customer

    found = api.get("/api/v1/customers?q=jin@").json()["items"]
    patched = api.patch(
        f"/api/v1/customers/{customer.pk}",
        {"attributes": {"vip": True}},
        content_type="application/json",
    )

    assert [c["id"] for c in found] == [customer.pk]
    assert patched.json()["attributes"] == {"vip": True}
    assert api.get("/api/v1/customers/999999").status_code == 404


def test_openapi_schema_is_served(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert "/api/v1/channels/{channel_id}/messages" in response.json()["paths"]
