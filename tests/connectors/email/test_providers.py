"""Email providers' inbound webhooks, in each provider's documented format (Mailgun routes'
forward(), SendGrid Inbound Parse, Postmark inbound JSON), through the real URL."""

import base64
import email
import email.policy
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import httpx
import pytest
from django.test import Client

from parley.connectors.actions import save_channel
from parley.connectors.email.inbox import stored_mail
from parley.conversations.models import InboundEvent, InboundStatus

from .conftest import ADDRESS, customer_mail

SIGNING_KEY = "key-mailgun-signing-for-tests"
BASIC_AUTH = "parley:inbound-pw"
KOREAN_TEXT = "안녕하세요, 주문이 아직 안 왔어요."
# 8-bit Latin-1 text, as old mail clients still send it: kept byte for byte.
LATIN1_MAIL = (
    b"From: Zoe <zoe@example.com>\r\nTo: support@shop.example\r\nSubject: Caf\xe9\r\n"
    b"Message-ID: <latin1@example.com>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: text/plain; charset="iso-8859-1"\r\nContent-Transfer-Encoding: 8bit\r\n'
    b"\r\nUn caf\xe9, s'il vous pla\xeet.\r\n"
)


@pytest.fixture
def mailbox(db):
    return save_channel(
        None,
        kind="email",
        name="Support",
        settings={"address": ADDRESS},
        secrets={"mailgun_webhook_signing_key": SIGNING_KEY, "inbound_webhook_auth": BASIC_AUTH},
    )


def url(channel, provider: str, suffix: str = "") -> str:
    return f"/hooks/email/{channel.pk}/{provider}/inbound{suffix}"


def basic(credentials: str = BASIC_AUTH) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body with the fields' bytes as they are (no re-encoding)."""
    boundary = "----parley-test-boundary"
    body = b"".join(
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary.encode(), name.encode(), value)
        for name, value in fields.items()
    )
    return body + b"--%s--\r\n" % boundary.encode(), f"multipart/form-data; boundary={boundary}"


def mailgun_signature(key: str = SIGNING_KEY) -> dict[str, bytes]:
    timestamp, token = str(int(time.time())).encode(), b"a" * 50
    signature = hmac.new(key.encode(), timestamp + token, hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature.encode()}


def mailgun_mime(raw: bytes, key: str = SIGNING_KEY) -> dict[str, bytes]:
    return {
        "recipient": ADDRESS.encode(),
        "sender": b"zoe@example.com",
        "from": b"Zoe <zoe@example.com>",
        "subject": b"Cafe",
        "body-mime": raw,
        **mailgun_signature(key),
    }


def sendgrid_raw(raw: bytes) -> dict[str, bytes]:
    envelope = {"to": [ADDRESS], "from": "zoe@example.com"}
    return {
        "email": raw,
        "to": ADDRESS.encode(),
        "from": b"Zoe <zoe@example.com>",
        "subject": b"Cafe",
        "envelope": json.dumps(envelope).encode(),
        "charsets": b'{"to":"UTF-8","subject":"UTF-8","from":"UTF-8"}',
        "spam_score": b"0.1",
    }


def postmark_payload(**extra: object) -> dict:
    return {
        "FromName": "Zoe Park",
        "MessageStream": "inbound",
        "From": "zoe@example.com",
        "FromFull": {"Email": "zoe@example.com", "Name": "Zoe Park", "MailboxHash": ""},
        "To": ADDRESS,
        "ToFull": [{"Email": ADDRESS, "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": ADDRESS,
        "Subject": "주문 문의",
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Fri, 1 Aug 2025 16:45:32 -04:00",
        "TextBody": KOREAN_TEXT,
        "HtmlBody": f"<p>{KOREAN_TEXT}</p>",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": "<zoe@example.com>"},
            {"Name": "Message-ID", "Value": "<pm-1@mail.example.com>"},
        ],
        "Attachments": [
            {
                "Name": "receipt.txt",
                "Content": base64.b64encode(b"order 1001").decode(),
                "ContentType": "text/plain",
                "ContentLength": 10,
            }
        ],
        **extra,
    }


def post_form(channel, provider: str, fields: dict[str, bytes], suffix: str = "", **headers):
    body, content_type = multipart(fields)
    return Client().post(url(channel, provider, suffix), body, content_type, **headers)


def post_json(channel, provider: str, payload: dict, **headers):
    return Client().post(url(channel, provider), payload, "application/json", **headers)


def the_stored_mail(channel) -> tuple[InboundEvent, bytes]:
    event = InboundEvent.objects.get(channel=channel)
    return event, stored_mail(event.headers, event.body)


def test_mailgun_raw_mime_is_stored_byte_for_byte(mailbox):
    answer = post_form(mailbox, "mailgun", mailgun_mime(LATIN1_MAIL), "/mime", **basic())

    assert (answer.status_code, answer.content) == (200, b"ok")
    event, raw = the_stored_mail(mailbox)
    assert raw == LATIN1_MAIL
    assert event.status == InboundStatus.RECEIVED
    assert event.headers["x-parley-source"] == "mailgun"
    assert event.headers["x-parley-recipients"] == ADDRESS


def test_mailgun_urlencoded_raw_mime_is_stored_byte_for_byte(mailbox):
    body = urlencode(mailgun_mime(LATIN1_MAIL)).encode()

    answer = Client().post(
        url(mailbox, "mailgun", "/mime"), body, "application/x-www-form-urlencoded", **basic()
    )

    assert answer.status_code == 200
    assert the_stored_mail(mailbox)[1] == LATIN1_MAIL


def test_mailgun_parsed_fields_become_a_mime_message(mailbox):
    fields = {
        "recipient": ADDRESS.encode(),
        "sender": b"zoe@example.com",
        "from": b"Zoe <zoe@example.com>",
        "subject": b"Parsed",
        "body-plain": "Où est ma commande ?".encode(),
        "message-headers": json.dumps(
            [
                ["From", "Zoe <zoe@example.com>"],
                ["To", ADDRESS],
                ["Subject", "Parsed"],
                ["Message-Id", "<parsed@example.com>"],
                ["Content-Type", "text/plain; charset=utf-8"],
            ]
        ).encode(),
        **mailgun_signature(),
    }

    answer = post_form(mailbox, "mailgun", fields, **basic())

    assert answer.status_code == 200
    message = email.message_from_bytes(the_stored_mail(mailbox)[1], policy=email.policy.default)
    assert message["Message-Id"] == "<parsed@example.com>"
    assert message.get_body(("plain",)).get_content().strip() == "Où est ma commande ?"


@pytest.mark.parametrize(
    "fields_case",
    [
        pytest.param(mailgun_mime(LATIN1_MAIL, key="someone-elses-key"), id="wrong_key_case"),
        pytest.param({**mailgun_mime(LATIN1_MAIL), "timestamp": b"1000000000"}, id="altered_case"),
        pytest.param({"body-mime": LATIN1_MAIL}, id="unsigned_case"),
    ],
)
def test_mailgun_without_a_valid_signature_is_refused_and_nothing_stored(mailbox, fields_case):
    answer = post_form(mailbox, "mailgun", fields_case, "/mime", **basic())

    assert answer.status_code == 401
    assert answer.json()["code"] == "bad_signature"
    assert not InboundEvent.objects.exists()


def test_mailgun_checks_the_channels_basic_auth_too_when_set(mailbox):
    answer = post_form(mailbox, "mailgun", mailgun_mime(LATIN1_MAIL), "/mime")

    assert answer.status_code == 401
    assert not InboundEvent.objects.exists()


def test_sendgrid_raw_is_stored_byte_for_byte(mailbox):
    answer = post_form(mailbox, "sendgrid", sendgrid_raw(LATIN1_MAIL), **basic())

    assert answer.status_code == 200
    event, raw = the_stored_mail(mailbox)
    assert raw == LATIN1_MAIL
    assert event.headers["x-parley-recipients"] == ADDRESS


@pytest.mark.parametrize(
    "headers_case",
    [
        pytest.param(basic("parley:guess"), id="wrong_password_case"),
        pytest.param({}, id="no_auth_case"),
    ],
)
def test_sendgrid_without_the_channels_basic_auth_is_refused(mailbox, headers_case):
    answer = post_form(mailbox, "sendgrid", sendgrid_raw(LATIN1_MAIL), **headers_case)

    assert answer.status_code == 401
    assert not InboundEvent.objects.exists()


def test_postmark_json_becomes_a_mime_message_with_its_attachment(mailbox):
    answer = post_json(mailbox, "postmark", postmark_payload(), **basic())

    assert answer.status_code == 200
    event, raw = the_stored_mail(mailbox)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "주문 문의"
    assert message["Message-ID"] == "<pm-1@mail.example.com>"
    assert message["From"].addresses[0].addr_spec == "zoe@example.com"
    assert message.get_body(("plain",)).get_content().strip() == KOREAN_TEXT
    (attachment,) = message.iter_attachments()
    assert (attachment.get_filename(), attachment.get_content()) == ("receipt.txt", "order 1001")
    assert event.headers["x-parley-recipients"] == ADDRESS


def test_postmark_raw_email_is_stored_as_sent(mailbox):
    raw = customer_mail("Hello from Postmark")

    answer = post_json(mailbox, "postmark", postmark_payload(RawEmail=raw.decode()), **basic())

    assert answer.status_code == 200
    assert the_stored_mail(mailbox)[1] == raw


def test_postmark_with_wrong_basic_auth_is_refused(mailbox):
    answer = post_json(mailbox, "postmark", postmark_payload(), **basic("parley:nope"))

    assert answer.status_code == 401
    assert not InboundEvent.objects.exists()


def test_a_channel_without_the_providers_secret_refuses_its_webhooks(db):
    bare = save_channel(None, kind="email", name="Bare", settings={"address": ADDRESS})

    mailgun = post_form(bare, "mailgun", mailgun_mime(LATIN1_MAIL), "/mime")
    postmark = post_json(bare, "postmark", postmark_payload(), **basic())

    assert (mailgun.status_code, mailgun.json()["code"]) == (403, "not_set_up")
    assert "mailgun_webhook_signing_key" in mailgun.json()["detail"]
    assert (postmark.status_code, postmark.json()["code"]) == (403, "not_set_up")
    assert not InboundEvent.objects.exists()


def test_bad_requests_get_a_clear_4xx(mailbox):
    api = save_channel(None, kind="api", name="Feed")
    client = Client()

    unknown = post_json(mailbox, "mailchimp", postmark_payload(), **basic())
    not_email = post_json(api, "postmark", postmark_payload(), **basic())
    get = client.get(url(mailbox, "postmark"), **basic())
    not_json = client.post(url(mailbox, "postmark"), b"{", "application/json", **basic())
    tracking = post_json(mailbox, "postmark", {"RecordType": "Delivery"}, **basic())

    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_provider")
    assert "mailgun, postmark, sendgrid" in unknown.json()["detail"]
    assert (not_email.status_code, not_email.json()["code"]) == (404, "not_found")
    assert (get.status_code, get.json()["code"]) == (405, "method_not_allowed")
    assert (not_json.status_code, not_json.json()["code"]) == (400, "invalid_payload")
    assert (tracking.status_code, tracking.json()["code"]) == (400, "invalid_payload")
    assert not InboundEvent.objects.exists()


def test_postmark_through_a_real_parley_serve(server):
    headers, _ = server.admin_with_api_channel()
    channel = httpx.post(
        server.url + "/api/v1/channels",
        headers=headers,
        json={
            "kind": "email",
            "name": "Support",
            "settings": {"address": ADDRESS},
            "secrets": {"inbound_webhook_auth": BASIC_AUTH},
        },
    ).json()
    hook = f"{server.url}/hooks/email/{channel['id']}/postmark/inbound"
    user, password = BASIC_AUTH.split(":")

    forged = httpx.post(hook, json=postmark_payload(), auth=(user, "forged"))
    good = httpx.post(hook, json=postmark_payload(), auth=(user, password))

    assert forged.status_code == 401
    assert (good.status_code, good.text) == (200, "ok")
    conversations = wait_for_conversations(server, headers)
    assert [c["subject"] for c in conversations] == ["주문 문의"]


def wait_for_conversations(server, headers: dict[str, str]) -> list[dict]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        items = httpx.get(
            server.url + "/api/v1/conversations", params={"view": "all"}, headers=headers
        ).json()["items"]
        if items:
            return items
        time.sleep(0.1)
    return []


def test_a_payload_over_the_upload_limit_is_refused_with_413(mailbox, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = customer_mail("x" * 5000)

    answer = post_form(mailbox, "sendgrid", sendgrid_raw(big), **basic())

    assert (answer.status_code, answer.json()["code"]) == (413, "too_large")
    assert not InboundEvent.objects.exists()
