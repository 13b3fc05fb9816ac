"""The web form channel: the hosted page, the JSON endpoint, spam checks, replies by email,
and its settings on the channel admin page."""

import html
import re
import time

import httpx
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parley.connectors.models import Channel
from parley.conversations import actions
from parley.conversations.models import (
    Attachment,
    Conversation,
    DeliveryStatus,
    InboundEvent,
    InboundStatus,
    Message,
)
from tests import factories
from tests.fakes.smtp_sink import SmtpSink

FIELDS = [
    {"name": "name", "required": True},
    {"name": "email"},
    {"name": "order_number", "required": False, "label": "Order #"},
    {"name": "topic", "choices": ["Shipping", "Returns"]},
    {"name": "message"},
    {"name": "attachments", "required": False},
]
ANSWERS = {
    "name": "Ann Archer",
    "email": "ann@example.com",
    "order_number": "1042",
    "topic": "Shipping",
    "message": "My parcel has not arrived.\nIt was due on Monday.",
}
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def make_settings(**form: object) -> dict:
    return {"title": "Contact the shop", "min_seconds": 0, "fields": FIELDS, **form}


def make_form(**form: object) -> Channel:
    return factories.make_channel("webform", form=make_settings(**form))


@pytest.fixture
def webform(db):
    return make_form()


def page_url(channel: Channel) -> str:
    return f"/forms/{channel.public_key}/"


def api_url(channel: Channel) -> str:
    return f"/api/v1/forms/{channel.public_key}"


def token_of(response) -> str:
    return html.unescape(TOKEN.search(response.content.decode())[1])


def send_form(client: Client, channel: Channel, commit, token: str | None = None, **changes):
    token = token or token_of(client.get(page_url(channel)))
    with commit():
        return client.post(page_url(channel), {**ANSWERS, "form_token": token, **changes})


def api_token(client: Client, channel: Channel) -> str:
    return client.get(api_url(channel)).json()["form_token"]


def post_json(client: Client, channel: Channel, commit, body: dict, **headers: str):
    with commit():
        return client.post(api_url(channel), body, content_type="application/json", **headers)


def only_message() -> Message:
    return Message.objects.select_related("conversation__customer").get()


# The hosted page


def test_the_hosted_page_shows_the_configured_fields_in_order(client, webform):
    response = client.get(page_url(webform))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Contact the shop</h1>" in page
    labels = re.findall(r'<label for="id_(\w+)">', page)
    assert labels == ["name", "email", "order_number", "topic", "message", "attachments", "website"]
    assert "Order #" in page and '<option value="Returns">Returns</option>' in page
    assert 'name="website"' in page and 'enctype="multipart/form-data"' in page
    assert "style=" not in page and "<script" not in page  # the strict CSP allows neither


def test_the_hosted_page_speaks_korean(client, webform):
    response = client.get(page_url(webform), headers={"Accept-Language": "ko"})

    assert '<html lang="ko">' in response.content.decode()


def test_an_unknown_or_inactive_form_is_a_404(client, webform):
    webform.active = False
    webform.save()

    assert client.get(page_url(webform)).status_code == 404
    assert client.get("/forms/no-such-key/").status_code == 404


def test_a_form_with_broken_settings_says_it_is_unavailable(client, db):
    channel = factories.make_channel("webform", form={"fields": [{"name": "name"}]})

    response = client.get(page_url(channel))

    assert response.status_code == 503
    assert "This form is not available" in response.content.decode()


def test_a_submission_files_a_ticket_with_the_fields_structured(client, webform, commit, agent):
    response = send_form(client, webform, commit)

    assert response.status_code == 302
    message = only_message()
    conversation = message.conversation
    assert conversation.subject == "Shipping"
    assert message.text == ANSWERS["message"]
    assert conversation.customer.identities.get().value == "ann@example.com"
    assert str(conversation.customer) == "Ann Archer"
    assert message.details["form"]["fields"] == [
        {"name": "name", "label": "Name", "value": "Ann Archer"},
        {"name": "email", "label": "Email", "value": "ann@example.com"},
        {"name": "order_number", "label": "Order #", "value": "1042"},
        {"name": "topic", "label": "Topic", "value": "Shipping"},
    ]
    thanks = client.get(response["Location"]).content.decode()
    assert f"<strong>{conversation.reference}</strong>" in thanks
    agent_view = Client()
    agent_view.force_login(factories.make_agent("admin"))
    shown = agent_view.get(f"/c/{conversation.pk}/").content.decode()
    assert "<dt>Order #</dt><dd>1042</dd>" in shown


def test_without_a_topic_the_subject_is_the_first_line(client, db, commit):
    channel = make_form(fields=[{"name": "email"}, {"name": "message"}])

    send_form(client, channel, commit, message="\n  Hello there  \nmore")

    assert only_message().conversation.subject == "Hello there"


def test_each_submission_is_a_ticket_of_its_own(client, webform, commit):
    send_form(client, webform, commit)
    send_form(client, webform, commit, message="Another question")

    assert Conversation.objects.count() == 2


def test_the_same_form_sent_twice_is_one_ticket(client, webform, commit):
    token = token_of(client.get(page_url(webform)))

    first = send_form(client, webform, commit, token)
    again = send_form(client, webform, commit, token)

    assert first["Location"] == again["Location"]
    assert Message.objects.count() == 1
    assert InboundEvent.objects.filter(status=InboundStatus.PROCESSED).count() == 2


def test_a_changed_form_sent_from_the_same_page_is_not_lost(client, webform, commit):
    token = token_of(client.get(page_url(webform)))

    send_form(client, webform, commit, token)
    send_form(client, webform, commit, token, message="Sorry, one more thing")

    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"message": "   "}, "message", "This field is required."),
        ({"topic": "Refunds"}, "topic", "Select a valid choice."),
        ({"message": "x" * 20_001}, "message", "at most 20000 characters"),
        ({"name": "Ann\x00"}, "name", "Null characters are not allowed."),
    ],
    ids=["missing_email_case", "bad_email_case", "blank_message_case", "unknown_topic_case",
         "huge_message_case", "nul_byte_case"],
)  # fmt: skip
def test_bad_answers_are_form_errors(client, webform, commit, changes, field, problem):
    response = send_form(client, webform, commit, **changes)

    assert response.status_code == 400
    assert problem in response.context["form"].errors[field][0]
    assert "Please check the fields marked below." in response.content.decode()
    assert not InboundEvent.objects.exists()


def test_errors_keep_the_answers_and_the_token(client, webform, commit):
    token = token_of(client.get(page_url(webform)))

    response = send_form(client, webform, commit, token, email="")

    assert token_of(response) == token
    assert "My parcel has not arrived." in response.content.decode()


def test_attachments_are_kept_with_the_message(client, webform, commit):
    files = [
        SimpleUploadedFile("label.png", b"\x89PNG fake", content_type="image/png"),
        SimpleUploadedFile("receipt.txt", b"paid", content_type="text/plain"),
    ]

    send_form(client, webform, commit, attachments=files)

    kept = Attachment.objects.order_by("filename")
    assert [(a.filename, a.file.read()) for a in kept] == [
        ("label.png", b"\x89PNG fake"),
        ("receipt.txt", b"paid"),
    ]


def test_an_oversized_attachment_is_refused_naming_the_limit(client, db, commit):
    channel = make_form(max_attachment_bytes=1024 * 1024)
    big = SimpleUploadedFile("scan.pdf", b"x" * (1024 * 1024 + 1), content_type="application/pdf")

    response = send_form(client, channel, commit, attachments=[big])

    assert response.status_code == 400
    assert "at most 1 MB" in response.context["form"].errors["attachments"][0]
    assert not InboundEvent.objects.exists()


def test_too_many_attachments_are_refused(client, webform, commit):
    files = [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(6)]

    response = send_form(client, webform, commit, attachments=files)

    assert "at most 5 files" in response.context["form"].errors["attachments"][0]


def test_a_request_larger_than_any_valid_form_is_refused_unread(client, db):
    channel = make_form(fields=[{"name": "email"}, {"name": "message"}])

    response = client.post(
        page_url(channel), b"x" * 300_000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert "at most" in response.content.decode()


def test_a_malformed_multipart_body_is_a_clear_error(client, webform):
    response = client.post(
        page_url(webform), b"--nope\r\ngarbage", content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


# Spam


def test_a_honeypot_hit_looks_like_success_but_files_no_ticket(client, webform, commit):
    response = send_form(client, webform, commit, website="https://spam.example")

    assert response.status_code == 302
    event = InboundEvent.objects.get()
    assert event.status == InboundStatus.FAILED
    assert "honeypot" in event.error
    assert not Message.objects.exists()
    thanks = client.get(response["Location"]).content.decode()
    assert "We received your message" in thanks


def test_a_form_sent_too_fast_is_refused_neutrally(client, db, commit):
    channel = make_form(min_seconds=60)

    response = send_form(client, channel, commit)

    assert response.status_code == 400
    assert "Please take a moment" in response.content.decode()
    assert not InboundEvent.objects.exists()


def test_a_form_sent_after_the_minimum_time_is_accepted(client, db, commit):
    channel = make_form(min_seconds=1)
    token = token_of(client.get(page_url(channel)))
    time.sleep(1.1)

    assert send_form(client, channel, commit, token).status_code == 302


@pytest.mark.parametrize("token", ["", "forged", "e30:1u:abc"])
def test_a_missing_or_forged_token_asks_to_send_again(client, webform, commit, token):
    response = client.post(page_url(webform), {**ANSWERS, "form_token": token})

    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert token_of(response)  # a fresh one to send with
    assert not InboundEvent.objects.exists()


def test_a_token_of_another_form_is_refused(client, webform, commit):
    other = make_form()

    response = send_form(client, webform, commit, token_of(client.get(page_url(other))))

    assert "This form has expired" in response.content.decode()


def test_one_email_address_is_rate_limited(client, webform, commit):
    for n in range(5):
        assert send_form(client, webform, commit, message=f"try {n}").status_code == 302

    response = send_form(client, webform, commit, message="once more")

    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert Message.objects.count() == 5


def test_one_network_address_is_rate_limited(client, webform, commit):
    for n in range(20):
        send_form(client, webform, commit, email=f"person{n}@example.com")

    response = send_form(client, webform, commit, email="another@example.com")

    assert response.status_code == 429
    assert Message.objects.count() == 20


# The JSON endpoint


def test_the_endpoint_describes_the_form_with_a_token(client, webform):
    described = client.get(api_url(webform)).json()

    assert [f["name"] for f in described["fields"]] == [f["name"] for f in FIELDS]
    assert described["fields"][3]["choices"] == ["Shipping", "Returns"]
    assert described["title"] == "Contact the shop"
    assert described["form_token"]


def test_a_json_submission_files_a_ticket(client, webform, commit):
    body = {**ANSWERS, "form_token": api_token(client, webform)}

    response = post_json(client, webform, commit, body)

    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    message = only_message()
    assert message.external_id == response.json()["id"]
    assert message.details["form"]["fields"][2]["value"] == "1042"
    thanks = client.get(response.json()["thanks_url"].removeprefix("http://127.0.0.1:8000"))
    assert message.conversation.reference in thanks.content.decode()


def test_a_client_id_makes_retries_one_ticket(client, webform, commit):
    for _ in range(2):
        body = {**ANSWERS, "form_token": api_token(client, webform), "id": "shop-order-1042"}
        assert post_json(client, webform, commit, body).status_code == 202

    assert Message.objects.get().external_id.startswith("form:client:shop-order-1042:")


def test_a_reused_client_id_with_other_answers_is_another_ticket(client, webform, commit):
    for message in ("First question", "A different question"):
        body = {
            **ANSWERS,
            "message": message,
            "form_token": api_token(client, webform),
            "id": "shop-order-1042",
        }
        assert post_json(client, webform, commit, body).status_code == 202

    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"email": "nobody"}, "invalid_field", "email"),
        ({"email": None}, "invalid_field", "email"),
        ({"message": 42}, "invalid_field", "message"),
        ({"name": ["Ann"]}, "invalid_field", "name"),
        ({"topic": {"a": 1}}, "invalid_field", "topic"),
        ({"message": "hi\x00there"}, "invalid_field", "message"),
        ({"message": "x" * 20_001}, "invalid_field", "message"),
        ({"shoe_size": "44"}, "invalid_field", "shoe_size"),
        ({"attachments": [{"data": "aGk="}]}, "invalid_field", "attachments"),
        ({"id": "../../etc"}, "invalid_field", "id"),
        ({"form_token": "forged"}, "form_expired", None),
    ],
)
def test_bad_json_submissions_name_the_problem(client, webform, commit, changes, code, field):
    body = {**ANSWERS, "form_token": api_token(client, webform), **changes}

    response = post_json(client, webform, commit, body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json().get("field") == field
    if field:
        assert response.json()["detail"].startswith(f"{field}: ")
    assert not InboundEvent.objects.exists()


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_a_400(client, webform, body):
    response = client.post(api_url(webform), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"


def test_an_unsupported_content_type_is_a_400(client, webform):
    response = client.post(api_url(webform), b"hello", content_type="text/plain")

    assert response.json()["code"] == "unsupported_media_type"


def test_a_multipart_submission_carries_attachments(client, webform, commit):
    data = {
        **ANSWERS,
        "form_token": api_token(client, webform),
        "attachments": SimpleUploadedFile("photo.jpg", b"jpeg bytes", content_type="image/jpeg"),
    }

    with commit():
        response = client.post(api_url(webform), data)

    assert response.status_code == 202
    assert Attachment.objects.get().filename == "photo.jpg"


def test_an_oversized_multipart_attachment_is_a_413_naming_the_limit(client, db, commit):
    channel = make_form(max_attachment_bytes=1024 * 1024)
    data = {
        **ANSWERS,
        "form_token": api_token(client, channel),
        "attachments": SimpleUploadedFile("scan.pdf", b"x" * (1024 * 1024 + 1)),
    }

    response = client.post(api_url(channel), data)

    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "detail": "attachments: Each attachment can be at most 1 MB.",
    }


def test_a_request_too_large_for_the_form_is_a_413_before_it_is_read(client, db):
    channel = make_form(fields=[{"name": "email"}, {"name": "message"}])

    body = b"{}" + b" " * 300_000
    response = client.post(api_url(channel), body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_honeypot_hit_on_the_endpoint_looks_accepted(client, webform, commit):
    body = {**ANSWERS, "form_token": api_token(client, webform), "website": "x"}

    assert post_json(client, webform, commit, body).status_code == 202
    assert InboundEvent.objects.get().status == InboundStatus.FAILED
    assert not Message.objects.exists()


def test_the_endpoint_is_rate_limited_too(client, webform, commit):
    for n in range(5):
        body = {**ANSWERS, "form_token": api_token(client, webform), "message": f"n{n}"}
        post_json(client, webform, commit, body)

    body = {**ANSWERS, "form_token": api_token(client, webform)}
    response = post_json(client, webform, commit, body)

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_allowed_origins_get_cors_headers(client, db, commit):
    channel = make_form(fields=[{"name": "email"}, {"name": "message"}])
    channel.settings["allowed_origins"] = ["https://shop.example"]
    channel.save()
    origin = {"headers": {"Origin": "https://shop.example"}}

    preflight = client.options(api_url(channel), **origin)
    body = {**ANSWERS, "form_token": client.get(api_url(channel), **origin).json()["form_token"]}
    del body["name"], body["order_number"], body["topic"]
    posted = post_json(client, channel, commit, body, **origin)

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://shop.example"
    assert posted.status_code == 202, posted.json()
    assert posted["Access-Control-Allow-Origin"] == "https://shop.example"


def test_other_origins_are_refused_without_cors_headers(client, webform, commit):
    body = {**ANSWERS, "form_token": api_token(client, webform)}

    response = post_json(client, webform, commit, body, headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response
    assert not InboundEvent.objects.exists()


def test_an_unknown_form_key_is_a_404(client, db):
    response = client.get("/api/v1/forms/nope")

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_form"


# Replies


@pytest.fixture
def sink():
    running = SmtpSink().start()
    yield running
    running.stop()


def test_a_reply_goes_to_the_visitor_by_email(client, db, commit, sink, agent):
    mailbox = factories.make_channel(
        "email", address="support@shop.example", smtp=sink.smtp_settings()
    )
    channel = make_form()
    channel.settings["email_channel_id"] = mailbox.pk
    channel.save()
    send_form(client, channel, commit)
    conversation = only_message().conversation

    with commit():
        reply = actions.send_reply(agent, conversation, "It ships tomorrow.")

    assert Message.objects.get(pk=reply.pk).status == DeliveryStatus.SENT
    [mail] = sink.delivered
    assert mail.rcpt_tos == ["ann@example.com"]
    assert f"[{conversation.reference}]" in mail.message["Subject"]
    assert "It ships tomorrow." in mail.message.get_body(("plain",)).get_content()


def test_without_a_mailbox_a_reply_fails_saying_why(client, webform, commit, agent):
    send_form(client, webform, commit)

    with commit():
        reply = actions.send_reply(agent, only_message().conversation, "Hello")

    failed = Message.objects.get(pk=reply.pk)
    assert failed.status == DeliveryStatus.FAILED
    assert "no active email channel" in failed.failure_reason


# Settings


@pytest.fixture
def settings_page(admin):
    client = Client()
    client.force_login(admin)
    return client


def admin_form(channel: Channel, **changes: str) -> dict:
    return {"kind": "webform", "name": channel.name, "team": "", "active": "on", **changes}


def test_form_settings_are_saved_from_the_admin_form(settings_page, webform):
    mailbox = factories.make_channel("email", address="help@shop.example")
    form = '{"title": "Write to us", "fields": [{"name": "email"}, {"name": "message"}]}'

    response = settings_page.post(
        f"/django-admin/connectors/channel/{webform.pk}/change/",
        admin_form(
            webform,
            form_settings=form,
            form_origins="https://shop.example/",
            form_email_channel=str(mailbox.pk),
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    webform.refresh_from_db()
    assert webform.settings["form"]["title"] == "Write to us"
    assert webform.settings["allowed_origins"] == ["https://shop.example"]
    assert webform.settings["email_channel_id"] == mailbox.pk


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ('{"fields": [{"name": "message"}]}', "must ask for “email”"),
        ('{"fields": [{"name": "email"}, {"name": "message"}, {"name": "shoe"}]}', "one of"),
        ('{"fields": [{"name": "email"}, {"name": "message", "choices": ["a"]}]}', "topic"),
        ('{"min_seconds": "soon"}', "min_seconds"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_form_settings_are_form_errors(settings_page, webform, form, problem):
    response = settings_page.post(
        f"/django-admin/connectors/channel/{webform.pk}/change/",
        admin_form(webform, form_settings=form),
    )

    assert response.status_code == 200
    assert problem in response.context["adminform"].form.errors["form_settings"][0]


def test_the_channel_page_shows_the_hosted_page_and_a_snippet(settings_page, webform):
    page = settings_page.get(f"/django-admin/connectors/channel/{webform.pk}/change/")

    shown = page.content.decode()
    assert f"http://127.0.0.1:8000/forms/{webform.public_key}/" in shown
    assert f"/api/v1/forms/{webform.public_key}" in shown
    assert "&lt;form id=&quot;parley-form&quot;&gt;" in shown


# Through a real server


def test_the_hosted_page_works_through_a_real_server(server):
    headers, _ = server.admin_with_api_channel()
    created = httpx.post(
        server.url + "/api/v1/channels",
        headers=headers,
        json={
            "kind": "webform",
            "name": "Contact",
            "settings": {"form": make_settings(), "allowed_origins": ["https://shop.example"]},
        },
    )
    key = created.json()["public_key"]
    with httpx.Client(base_url=server.url, timeout=10) as visitor:
        form = visitor.get(f"/forms/{key}/")
        token = token_of(form)
        sent = visitor.post(
            f"/forms/{key}/",
            data={**ANSWERS, "form_token": token, "website": ""},
            files={"attachments": ("note.txt", b"hello", "text/plain")},
            headers={"Origin": server.url},
        )
        assert sent.status_code == 302, sent.text
        thanks = visitor.get(sent.headers["Location"])
        deadline = time.monotonic() + 10
        while 'class="pending"' in thanks.text and time.monotonic() < deadline:
            time.sleep(0.2)
            thanks = visitor.get(sent.headers["Location"])
    assert "default-src 'self'" in form.headers["Content-Security-Policy"]
    conversations = httpx.get(
        server.url + "/api/v1/conversations", headers=headers, params={"view": "all"}
    ).json()
    [conversation] = conversations["items"]
    assert f"<strong>#{conversation['id']}</strong>" in thanks.text
    messages = httpx.get(
        f"{server.url}/api/v1/conversations/{conversation['id']}/messages", headers=headers
    ).json()["items"]
    assert [a["filename"] for a in messages[0]["attachments"]] == ["note.txt"]


def test_a_site_posts_its_own_form_through_a_real_server(server):
    headers, _ = server.admin_with_api_channel()
    created = httpx.post(
        server.url + "/api/v1/channels",
        headers=headers,
        json={
            "kind": "webform",
            "name": "Contact",
            "settings": {"form": make_settings(), "allowed_origins": ["https://shop.example"]},
        },
    )
    url = f"{server.url}/api/v1/forms/{created.json()['public_key']}"
    shop = {"Origin": "https://shop.example"}

    token = httpx.get(url, headers=shop).json()["form_token"]
    sent = httpx.post(url, json={**ANSWERS, "form_token": token}, headers=shop)
    refused = httpx.post(
        url, json={**ANSWERS, "form_token": token}, headers={"Origin": "https://x.example"}
    )

    assert sent.status_code == 202, sent.text
    assert sent.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers
    thanks_url = sent.json()["thanks_url"].replace("http://127.0.0.1:8000", server.url)
    deadline = time.monotonic() + 10
    thanks = httpx.get(thanks_url)
    while 'class="pending"' in thanks.text and time.monotonic() < deadline:
        time.sleep(0.2)
        thanks = httpx.get(thanks_url)
    assert re.search(r"<strong>#\d+</strong>", thanks.text)


def test_a_phone_joins_the_profile_and_the_order_number_links_the_order(client, db, commit):
    from parley.customers.models import MergeSuggestion
    from parley.customers.orders import OrderData, record_order

    record_order("api", OrderData(external_id="1042", number="1042", email="ann@example.com"))
    channel = make_form(fields=[*FIELDS, {"name": "phone", "required": False}])
    send_form(client, channel, commit, phone="+82 10-1234-5678")

    conversation = only_message().conversation
    assert {(i.kind, i.value) for i in conversation.customer.identities.all()} == {
        ("email", "ann@example.com"),
        ("phone", "+821012345678"),
    }
    assert [o.number for o in conversation.orders.all()] == ["1042"]
    # Someone else's phone is not taken: it is suggested as the same person.
    other = factories.inbound(factories.make_channel(), sender="+447700900123", kind="phone")
    send_form(
        client, channel, commit, email="bo@example.com", phone="+44 7700 900123", order_number=""
    )
    suggestion = MergeSuggestion.objects.get()
    assert other.conversation.customer_id in {suggestion.customer_id, suggestion.other_id}


def test_a_phone_that_is_not_one_is_a_form_error(client, db, commit):
    channel = make_form(fields=[*FIELDS, {"name": "phone", "required": False}])
    response = send_form(client, channel, commit, phone="call me maybe")
    assert response.status_code == 400
    assert "phone number" in response.context["form"].errors["phone"][0]
