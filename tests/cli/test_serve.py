"""The `parley` command against a real process and a real database."""

import json

import httpx


def test_serve_on_an_empty_database_serves_the_login_page(server):
    response = httpx.get(server.url + "/login/")

    assert response.status_code == 200
    assert "Parley" in response.text
    assert "Content-Security-Policy" in response.headers


def test_api_message_is_ingested_by_the_in_process_worker(server):
    headers, channel_id = server.admin_with_api_channel()

    accepted = httpx.post(
        f"{server.url}/api/v1/channels/{channel_id}/messages",
        headers=headers,
        json={
            "external_id": "e1",
            "sender": {"kind": "email", "id": "ann@example.com"},
            "text": "안녕하세요, 주문번호 1042 배송이 언제 되나요?",
        },
    )

    assert accepted.status_code == 202
    items = _wait_for_conversations(server.url, headers)
    assert items[0]["preview"].startswith("안녕하세요")


def _wait_for_conversations(url: str, headers: dict) -> list:
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        items = httpx.get(url + "/api/v1/conversations", headers=headers).json()["items"]
        if items:
            return items
        time.sleep(0.1)
    raise AssertionError("message was never ingested")


def test_createadmin_refuses_duplicates_and_weak_passwords_with_a_message(server):
    ok = server.parley("createadmin", "--email", "a@example.com", "--password", "long-enough-pw")
    again = server.parley("createadmin", "--email", "A@example.com", "--password", "long-enough-pw")
    weak = server.parley("createadmin", "--email", "b@example.com", "--password", "123")

    assert ok.returncode == 0
    assert again.returncode == 2 and "already exists" in again.stderr
    assert weak.returncode == 2 and "too short" in weak.stderr


def test_token_for_unknown_agent_is_a_clear_error(server):
    result = server.parley("token", "--email", "ghost@example.com")

    assert result.returncode == 2
    assert "no active agent" in result.stderr


def test_replay_reprocesses_failed_events(server):
    headers, channel_id = server.admin_with_api_channel()
    bad = httpx.post(
        f"{server.url}/api/v1/channels/{channel_id}/messages",
        headers=headers,
        content=json.dumps({"external_id": "x"}),
    )
    assert bad.status_code == 400

    result = server.parley("replay")

    assert result.returncode == 1
    assert "failed" in result.stdout and "sender" in result.stdout
