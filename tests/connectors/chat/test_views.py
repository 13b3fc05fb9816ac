"""The widget's HTTP side: script, session, contact details, uploads and files."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parley.connectors.chat.frames import history_frame
from parley.connectors.chat.identity import read_token
from parley.conversations.models import Message
from tests import factories

SHOP = "https://shop.example"


@pytest.fixture
def browser():
    return Client(headers={"Origin": SHOP})


def post(browser, chat, path, body):
    return browser.post(
        f"/chat/{chat.public_key}/{path}", json.dumps(body), content_type="application/json"
    )


def start(browser, chat, **body):
    response = post(browser, chat, "session", body)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_widget_script_is_served_as_javascript(client):
    response = client.get("/chat/widget.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"attachShadow" in b"".join(response.streaming_content)


def test_a_session_starts_and_resumes_with_its_token(browser, chat):
    first = start(browser, chat)
    again = start(browser, chat, token=first["token"])

    assert read_token(chat, again["token"]).id == read_token(chat, first["token"]).id
    assert first["socket"] == f"/ws/chat/{chat.public_key}/"
    assert first["settings"]["title"] == chat.name


def test_answers_carry_cors_headers_for_the_allowed_origin(browser, db):
    chat = factories.make_channel("chat", allowed_origins=[SHOP])

    preflight = browser.options(f"/chat/{chat.public_key}/session")
    response = post(browser, chat, "session", {})

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SHOP
    assert "Content-Type" in preflight["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Origin"] == SHOP


def test_other_origins_are_refused(db):
    chat = factories.make_channel("chat", allowed_origins=[SHOP])
    elsewhere = Client(headers={"Origin": "https://evil.example"})

    response = post(elsewhere, chat, "session", {})

    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"


def test_an_unknown_key_is_a_404(browser, db):
    response = browser.post("/chat/nope/session", "{}", content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (404, "unknown_channel")


def test_a_body_that_is_not_json_is_a_400(browser, chat):
    response = browser.post(f"/chat/{chat.public_key}/session", "{", content_type="text/plain")

    assert (response.status_code, response.json()["code"]) == (400, "bad_json")


def test_a_signed_in_shopper_is_recognised_and_signed_out_starts_afresh(browser, chat):
    chat.set_secret("identity_secret", "shop-secret")
    chat.save()
    signature = hmac.new(b"shop-secret", b"42", hashlib.sha256).hexdigest()

    signed = start(browser, chat, identity={"id": "42", "name": "Ann", "hash": signature})
    signed_out = start(browser, chat, token=signed["token"])

    assert read_token(chat, signed["token"]).id == "user:42"
    assert read_token(chat, signed_out["token"]).id.startswith("v-")


def test_a_forged_identity_is_refused(browser, chat):
    chat.set_secret("identity_secret", "shop-secret")
    chat.save()

    response = post(browser, chat, "session", {"identity": {"id": "42", "hash": "0" * 64}})

    assert (response.status_code, response.json()["code"]) == (403, "bad_identity")


@pytest.mark.parametrize(
    ("hours", "reason"), [("", "nobody_online"), ("sat 09:00-10:00", "closed")]
)
def test_the_widget_is_told_when_nobody_will_answer(browser, db, hours, reason):
    from parley.connectors.chat.hours import parse_hours

    chat = factories.make_channel("chat", time_zone="UTC", hours=parse_hours(hours))

    away = start(browser, chat)["away"]

    assert away["reason"] == reason
    if reason == "closed":
        assert datetime.fromisoformat(away["next_open"]) > datetime.now(UTC)


def test_an_upload_is_a_message_with_its_file_and_the_visitor_can_fetch_it(browser, chat, commit):
    token = start(browser, chat)["token"]
    photo = SimpleUploadedFile("broken.png", b"\x89PNG fake", content_type="image/png")

    with commit():
        response = browser.post(
            f"/chat/{chat.public_key}/upload",
            {"token": token, "client_id": "c-1", "text": "It arrived broken", "file": photo},
        )

    assert response.status_code == 202, response.content
    message = Message.objects.get(channel=chat)
    assert message.text == "It arrived broken"
    [file] = history_frame(chat, read_token(chat, token).id)["messages"][0]["attachments"]
    fetched = browser.get(file["url"])
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == b"\x89PNG fake"
    assert browser.get(file["url"][:-3] + "abc").status_code == 404


@pytest.mark.parametrize("size", [2048, 100_000])  # checked after / before reading the body
def test_a_too_large_upload_is_refused(browser, db, size):
    chat = factories.make_channel("chat", max_attachment_bytes=1024)
    token = start(browser, chat)["token"]
    big = SimpleUploadedFile("big.bin", b"x" * size, content_type="application/octet-stream")

    response = browser.post(
        f"/chat/{chat.public_key}/upload", {"token": token, "client_id": "c-1", "file": big}
    )

    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert "too large" in response.json()["detail"]
    assert not Message.objects.filter(channel=chat).exists()


def test_an_email_left_in_the_widget_is_linked_to_the_visitor(browser, chat, commit):
    token = start(browser, chat)["token"]
    with commit():
        browser.post(
            f"/chat/{chat.public_key}/upload",
            {"token": token, "client_id": "c-1", "text": "hello", "file": _file()},
        )
    with commit():
        left = post(browser, chat, "contact", {"token": token, "email": "Ann@Example.com"})

    assert left.status_code == 200
    assert left.json()["visitor"]["email"] == "ann@example.com"
    customer = Message.objects.get(channel=chat).conversation.customer
    assert set(customer.identities.values_list("kind", flat=True)) == {"chat", "email"}


def test_a_bad_email_is_a_clear_400(browser, chat):
    token = start(browser, chat)["token"]

    response = post(browser, chat, "contact", {"token": token, "email": "ann at home"})

    assert (response.status_code, response.json()["code"]) == (400, "bad_email")


def _file():
    return SimpleUploadedFile("a.txt", b"hi", content_type="text/plain")
