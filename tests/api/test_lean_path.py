"""The inbound endpoint as `parley serve` answers it: the lean ASGI path in front of Django."""

import json

import httpx
import pytest

from tests.conftest import start_server, stop_server


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("lean"), PARLEY_MAX_WEBHOOK_BYTES="2000")
    headers, channel_id = server.admin_with_api_channel()
    server.parley("manage", "shell", "-c", _make_agent_script())
    agent_token = server.parley("token", "--email", "plain@example.com").stdout.strip()
    yield server, headers, agent_token, channel_id
    stop_server(server)


def _make_agent_script() -> str:
    return (
        "from parley.accounts.actions import create_agent; "
        "create_agent(email='plain@example.com', password='long-enough-pw', name='Plain')"
    )


def message(external_id: str = "m1") -> dict:
    return {"external_id": external_id, "sender": {"kind": "email", "id": "a@example.com"},
            "text": "hi"}  # fmt: skip


def post(live, path_id=None, **kwargs):
    server, headers, _, channel_id = live
    kwargs.setdefault("headers", headers)
    url = f"{server.url}/api/v1/channels/{path_id or channel_id}/messages"
    return httpx.post(url, **kwargs)


def test_a_valid_message_is_accepted_with_a_json_body_and_length(live):
    response = post(live, json=message("ok-1"))

    assert response.status_code == 202
    assert response.headers["content-type"] == "application/json"
    assert response.json()["status"] == "received"


@pytest.mark.parametrize(
    ("kwargs_case", "status", "code"),
    [
        ({"headers": {}}, 401, "unauthenticated"),
        ({"headers": {"Authorization": "Bearer prl_wrong"}}, 401, "unauthenticated"),
        ({"headers": {"Authorization": "Basic abc"}}, 401, "unauthenticated"),
        ({"content": b"{not json"}, 400, "invalid_payload"),
        ({"content": json.dumps(message()).encode() + b" " * 3000}, 413, "too_large"),
    ],
)
def test_bad_requests_get_a_json_error(live, kwargs_case, status, code):
    response = post(live, **kwargs_case)

    assert response.status_code == status
    assert response.json()["code"] == code


@pytest.mark.parametrize("channel_case", ["999999", "9" * 19])
def test_unknown_channels_are_404(live, channel_case):
    response = post(live, path_id=channel_case, json=message())

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_plain_agent_tokens_are_refused(live):
    _, _, agent_token, _ = live

    response = post(live, headers={"Authorization": f"Bearer {agent_token}"}, json=message())

    assert response.status_code == 403


def test_other_methods_still_reach_django(live):
    server, headers, _, channel_id = live

    response = httpx.get(f"{server.url}/api/v1/channels/{channel_id}/messages", headers=headers)

    assert response.status_code == 405
