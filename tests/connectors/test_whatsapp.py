"""WhatsApp Cloud API: webhooks in, replies and templates out, against the fake Graph API."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from parley.connectors import windows
from parley.connectors.actions import check_channel
from parley.connectors.models import Channel
from parley.conversations import actions
from parley.conversations.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    EntryKind,
    InboundEvent,
    InboundStatus,
    Message,
)
from parley.conversations.tasks import deliver_message
from parley.core.errors import InvalidInput
from parley.customers.models import Customer, IdentityKind
from parley.customers.resolve import IdentityRef, resolve_customer
from tests.connectors.conftest import PHONE_NUMBER_ID, VERIFY_TOKEN, WABA_ID, customer_wrote
from tests.fakes.meta_webhooks import (
    wa_button,
    wa_contact,
    wa_contacts,
    wa_interactive_button,
    wa_interactive_list,
    wa_location,
    wa_media,
    wa_order,
    wa_reaction,
    wa_status,
    wa_system_number_change,
    wa_text,
    wa_unsupported,
    wa_value,
    whatsapp_payload,
)

pytestmark = pytest.mark.django_db

WA_ID = "821012345678"
E164 = "+821012345678"
NEW_WA_ID = "821099998888"  # the customer's number after a change
ORDER_UPDATE = {
    "name": "order_update",
    "language": "ko",
    "status": "APPROVED",
    "category": "UTILITY",
    "id": "9001",
    "components": [{"type": "BODY", "text": "Hello {{1}}, your order {{2}} has shipped."}],
}
SPRING_SALE = {
    "name": "spring_sale",
    "language": "ko",
    "status": "PENDING",
    "category": "MARKETING",
    "id": "9002",
    "components": [{"type": "BODY", "text": "Spring sale: 20% off."}],
}


def payload(*messages: dict, statuses: tuple = (), number: str = PHONE_NUMBER_ID) -> dict:
    """One change from the customer (profile name "Kim Minji") for the channel's number."""
    contacts = [wa_contact(WA_ID, "Kim Minji")] if messages else []
    value = wa_value(number, contacts=contacts, messages=messages, statuses=statuses)
    return whatsapp_payload(value)


def from_new_number(wamid: str) -> dict:
    """A text from the customer's new number (after a number change)."""
    message = wa_text(NEW_WA_ID, wamid, "new phone, same me")
    return whatsapp_payload(wa_value(PHONE_NUMBER_ID, messages=[message]))


def status(wamid: str, state: str, **extra: object) -> dict:
    return payload(statuses=(wa_status(wamid, state, WA_ID, **extra),))


def inbound_message(wamid: str) -> Message:
    return Message.objects.get(external_id=wamid, direction=Direction.INBOUND)


def last_event() -> InboundEvent:
    return InboundEvent.objects.latest("pk")


def sent(graph) -> list[dict]:
    """The bodies of every send to the fake's /{phone-number-id}/messages."""
    return [call.json() for call in graph.calls(f"{PHONE_NUMBER_ID}/messages", "POST")]


def reply(agent, conversation, commit, text: str = "Your order ships today", **kwargs) -> Message:
    """An agent's reply, delivered through the connector as the on-commit task does."""
    with commit():
        message = actions.send_reply(agent, conversation, text, **kwargs)
    message.refresh_from_db()
    return message


def sync_templates(graph, channel: Channel) -> None:
    graph.objects[PHONE_NUMBER_ID] = {
        "display_phone_number": "15550001111",
        "verified_name": "Shop",
    }
    graph.templates[:] = [ORDER_UPDATE, SPRING_SALE]
    assert check_channel(channel)[0]


@pytest.fixture
def conversation(graph, whatsapp, deliver) -> Conversation:
    """A conversation in which the customer has just written."""
    deliver(whatsapp, payload(wa_text(WA_ID, "wamid.first", "안녕하세요, 주문 문의드려요 🙏")))
    return Conversation.objects.get()


# Inbound ---------------------------------------------------------------------------------


def test_text_starts_a_conversation_with_the_profile_name_and_e164_number(whatsapp, deliver):
    deliver(whatsapp, payload(wa_text(WA_ID, "wamid.t1", "안녕하세요 😊", ts=1_700_000_000)))

    message = inbound_message("wamid.t1")
    assert message.text == "안녕하세요 😊"
    assert message.sent_at.timestamp() == 1_700_000_000
    assert message.conversation.thread_ref == f"whatsapp:{WA_ID}"
    customer = message.conversation.customer
    assert customer.name == "Kim Minji"
    assert [(i.kind, i.value) for i in customer.identities.all()] == [("whatsapp", E164)]
    assert last_event().status == InboundStatus.PROCESSED


@pytest.mark.parametrize(
    ("kind", "mime_type", "caption", "filename", "stored_name"),
    [
        ("image", "image/jpeg", "the broken lid", None, "image-media-1"),
        ("audio", "audio/ogg", None, None, "audio-media-1"),
        ("video", "video/mp4", "unboxing", None, "video-media-1"),
        ("document", "application/pdf", "my receipt", "영수증.pdf", "영수증.pdf"),
        ("sticker", "image/webp", None, None, "sticker-media-1"),
    ],
)
def test_media_is_fetched_in_two_steps_and_stored(
    graph, whatsapp, deliver, kind, mime_type, caption, filename, stored_name
):
    content = f"{kind} bytes".encode()
    graph.add_media("media-1", content, mime_type)
    media = wa_media(
        WA_ID, "wamid.m1", kind, "media-1", mime_type, caption=caption, filename=filename
    )

    deliver(whatsapp, payload(media))

    lookup, download = graph.calls("media-1", "GET")
    assert re.fullmatch(r"/v[\d.]+/media-1", lookup.path)
    assert download.path == "/wamedia/media-1"
    assert download.header("Authorization") == "Bearer wa-token"
    message = inbound_message("wamid.m1")
    assert message.text == (caption or "")
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type, attachment.problem) == (
        stored_name,
        mime_type,
        "",
    )
    assert attachment.file.read() == content
    assert attachment.size == len(content)


@pytest.mark.parametrize(
    ("known", "failure", "explanation"),
    [
        (False, None, "does not exist"),
        (True, {"status": 404, "path_contains": "/wamedia/"}, "HTTP 404"),
        (True, {"status": 500, "error": {"code": 131016}, "path_contains": "/media-1"}, "131016"),
    ],
    ids=["unknown-media-id", "download-fails", "lookup-fails"],
)
def test_media_that_cannot_be_downloaded_keeps_the_message_and_says_why(
    graph, whatsapp, deliver, known, failure, explanation
):
    if known:
        graph.add_media("media-1", b"\xff\xd8 jpeg", "image/jpeg")
    if failure:
        graph.fail_next(**failure)

    deliver(whatsapp, payload(wa_media(WA_ID, "wamid.m1", "image", "media-1", "image/jpeg")))

    attachment = inbound_message("wamid.m1").attachments.get()
    assert attachment.problem.startswith("Could not be downloaded")
    assert explanation in attachment.problem
    assert not attachment.file
    assert last_event().status == InboundStatus.PROCESSED


@pytest.mark.parametrize(
    ("message", "text", "details"),
    [
        (
            wa_location(
                WA_ID, "wamid.x", 37.5665, 126.978, name="City Hall", address="Sejong-daero"
            ),
            "📍 City Hall — Sejong-daero",
            {
                "location": {
                    "latitude": 37.5665,
                    "longitude": 126.978,
                    "name": "City Hall",
                    "address": "Sejong-daero",
                }
            },
        ),
        (
            wa_location(WA_ID, "wamid.x", 37.5665, 126.978),
            "📍 37.5665, 126.978",
            {"location": {"latitude": 37.5665, "longitude": 126.978}},
        ),
        (
            wa_interactive_button(WA_ID, "wamid.x", "track", "Track my order"),
            "Track my order",
            {"interactive": {"id": "track", "title": "Track my order"}},
        ),
        (
            wa_interactive_list(WA_ID, "wamid.x", "refund", "Refund", "Money back in 5 days"),
            "Refund",
            {
                "interactive": {
                    "id": "refund",
                    "title": "Refund",
                    "description": "Money back in 5 days",
                }
            },
        ),
        (
            wa_button(WA_ID, "wamid.x", "STOP_PROMOS", "Stop promotions"),
            "Stop promotions",
            {"button": "STOP_PROMOS"},
        ),
        (
            wa_unsupported(WA_ID, "wamid.x"),
            "",
            {"unsupported": "Message type unknown"},
        ),
    ],
    ids=["location", "location-without-name", "button-reply", "list-reply", "button", "unknown"],
)
def test_structured_messages_keep_their_text_and_details(whatsapp, deliver, message, text, details):
    deliver(whatsapp, payload(message))

    stored = inbound_message("wamid.x")
    assert (stored.text, stored.details) == (text, details)


def test_shared_contacts_are_listed_by_name(whatsapp, deliver):
    card = wa_contacts(WA_ID, "wamid.x", "Lee Jisoo", ["+82 10-5555-1234"], first_name="Jisoo")

    deliver(whatsapp, payload(card))

    stored = inbound_message("wamid.x")
    assert stored.text == "Shared contact: Lee Jisoo"
    assert stored.details["contacts"][0]["phones"][0]["wa_id"] == "821055551234"


def test_an_order_lists_its_items(whatsapp, deliver):
    items = [
        {"product_retailer_id": "mug", "quantity": 2, "item_price": 9.5, "currency": "USD"},
        {"product_retailer_id": "tea", "quantity": 1, "item_price": 12, "currency": "USD"},
    ]

    deliver(whatsapp, payload(wa_order(WA_ID, "wamid.x", "catalog-7", items)))

    stored = inbound_message("wamid.x")
    assert stored.text == "Order: 2 item(s)"
    assert stored.details == {"order": {"catalog_id": "catalog-7", "product_items": items}}


def test_a_reaction_marks_the_earlier_message_and_starts_nothing(whatsapp, deliver, conversation):
    deliver(whatsapp, payload(wa_reaction(WA_ID, "wamid.r1", "wamid.first", "❤️")))

    assert inbound_message("wamid.first").reactions == {WA_ID: "❤️"}
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1

    deliver(whatsapp, payload(wa_reaction(WA_ID, "wamid.r2", "wamid.first", "")))

    assert inbound_message("wamid.first").reactions == {}


def test_a_quoted_reply_links_the_message_it_answers(
    whatsapp, deliver, conversation, agent, commit
):
    ours = reply(agent, conversation, commit, "Which order number?")

    deliver(whatsapp, payload(wa_text(WA_ID, "wamid.q", "#1042", context_id=ours.external_id)))

    assert inbound_message("wamid.q").reply_to == ours


def test_several_messages_and_statuses_in_one_post_are_all_handled(
    graph, whatsapp, deliver, conversation, agent, commit
):
    ours = reply(agent, conversation, commit)
    graph.add_media("media-9", b"png bytes", "image/png")
    messages = (
        wa_text(WA_ID, "wamid.a", "first"),
        wa_media(WA_ID, "wamid.b", "image", "media-9", "image/png"),
        wa_text(WA_ID, "wamid.c", "third"),
    )
    statuses = (wa_status(ours.external_id, "delivered", WA_ID),)

    deliver(whatsapp, payload(*messages, statuses=statuses))

    texts = conversation.messages.filter(direction=Direction.INBOUND).values_list("text", flat=True)
    assert list(texts) == ["안녕하세요, 주문 문의드려요 🙏", "first", "", "third"]
    assert inbound_message("wamid.b").attachments.get().file.read() == b"png bytes"
    ours.refresh_from_db()
    assert ours.status == DeliveryStatus.DELIVERED
    assert last_event().status == InboundStatus.PROCESSED


def test_the_same_payload_twice_stores_one_message(whatsapp, deliver):
    twice = payload(wa_text(WA_ID, "wamid.dup", "hello?"))

    deliver(whatsapp, twice)
    deliver(whatsapp, twice)

    assert Message.objects.filter(external_id="wamid.dup").count() == 1
    assert InboundEvent.objects.count() == 2


def test_a_change_for_another_number_is_kept_but_ignored(whatsapp, deliver):
    deliver(whatsapp, payload(wa_text(WA_ID, "wamid.other", "hi"), number="999000111"))

    event = last_event()
    assert event.status == InboundStatus.IGNORED
    assert "another number" in event.error
    assert "999000111" in event.error
    assert not Message.objects.exists()


def test_an_unknown_field_is_kept_but_ignored(whatsapp, deliver):
    change = {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    body = {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [change]}]}

    deliver(whatsapp, body)

    event = last_event()
    assert event.status == InboundStatus.IGNORED
    assert "message_template_status_update" in event.error


def test_a_bad_signature_is_refused_and_nothing_is_stored(whatsapp, deliver):
    response = deliver(whatsapp, payload(wa_text(WA_ID, "wamid.x", "hi")), signature="sha256=0")

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


@pytest.mark.parametrize(("token", "status_code"), [(VERIFY_TOKEN, 200), ("guess", 403)])
def test_the_subscription_handshake_needs_the_verify_token(client, whatsapp, token, status_code):
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}

    response = client.get(f"/hooks/whatsapp/{whatsapp.pk}", query)

    assert response.status_code == status_code
    assert (response.content == b"1158201444") == (status_code == 200)
    assert not InboundEvent.objects.exists()


# Identity --------------------------------------------------------------------------------


def test_a_customer_known_by_phone_is_the_same_on_whatsapp(whatsapp, deliver):
    known = resolve_customer(IdentityRef("phone", "+82 10-1234-5678", "Minji K."))

    deliver(whatsapp, payload(wa_text(WA_ID, "wamid.x", "it's me")))

    assert inbound_message("wamid.x").conversation.customer == known
    assert Customer.objects.count() == 1
    identities = {(i.kind, i.value) for i in known.identities.all()}
    assert identities == {("phone", E164), ("whatsapp", E164)}


def test_a_number_change_links_the_new_number_to_the_same_customer(whatsapp, deliver, conversation):
    deliver(whatsapp, payload(wa_system_number_change(WA_ID, "wamid.sys", NEW_WA_ID)))

    customer = conversation.customer
    numbers = customer.identities.filter(kind=IdentityKind.WHATSAPP).values_list("value", flat=True)
    assert sorted(numbers) == [E164, "+821099998888"]
    assert not Message.objects.filter(external_id="wamid.sys").exists()

    deliver(whatsapp, from_new_number("wamid.new"))

    assert inbound_message("wamid.new").conversation.customer == customer
    assert Customer.objects.count() == 1


def test_a_reply_goes_to_the_number_the_conversation_is_with(
    graph, whatsapp, deliver, conversation, agent, commit
):
    deliver(whatsapp, payload(wa_system_number_change(WA_ID, "wamid.sys", NEW_WA_ID)))
    deliver(whatsapp, from_new_number("wamid.new"))

    reply(agent, inbound_message("wamid.new").conversation, commit)

    assert [body["to"] for body in sent(graph)] == [NEW_WA_ID]


# Statuses --------------------------------------------------------------------------------


def test_an_agent_reply_goes_out_as_a_whatsapp_text(graph, conversation, agent, commit):
    message = reply(agent, conversation, commit, "배송은 내일 도착합니다 📦")

    assert sent(graph) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": WA_ID,
            "type": "text",
            "text": {"body": "배송은 내일 도착합니다 📦", "preview_url": False},
        }
    ]
    assert graph.calls("/messages")[0].header("Authorization") == "Bearer wa-token"
    assert message.status == DeliveryStatus.SENT
    assert message.external_id.startswith("wamid.")


def test_delivered_and_read_statuses_move_a_reply_forward(
    whatsapp, deliver, conversation, agent, commit
):
    message = reply(agent, conversation, commit)

    deliver(whatsapp, status(message.external_id, "delivered"))
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DELIVERED

    deliver(whatsapp, status(message.external_id, "read"))
    message.refresh_from_db()
    assert message.status == DeliveryStatus.READ


def test_a_read_before_delivered_stays_read(whatsapp, deliver, conversation, agent, commit):
    message = reply(agent, conversation, commit)

    deliver(whatsapp, status(message.external_id, "read"))
    deliver(whatsapp, status(message.external_id, "delivered"))

    message.refresh_from_db()
    assert message.status == DeliveryStatus.READ


def test_a_failed_status_fails_the_reply_with_the_reason(
    whatsapp, deliver, conversation, agent, commit
):
    message = reply(agent, conversation, commit)

    deliver(whatsapp, status(message.external_id, "failed", error_code=131026))

    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert "number may not be on WhatsApp" in message.failure_reason
    assert "131026" in message.failure_reason
    failed = conversation.timeline.get(kind=EntryKind.DELIVERY_FAILED)
    assert failed.data["reason"] == message.failure_reason


# The customer-service window and templates -----------------------------------------------


def test_a_free_form_reply_inside_24_hours_is_sent(graph, conversation, agent, commit):
    customer_wrote(conversation, timedelta(hours=23))

    message = reply(agent, conversation, commit)

    assert message.status == DeliveryStatus.SENT
    assert [body["type"] for body in sent(graph)] == ["text"]


def test_a_free_form_reply_after_24_hours_fails_without_calling_whatsapp(
    graph, conversation, agent, commit
):
    customer_wrote(conversation, timedelta(hours=25))

    message = reply(agent, conversation, commit)

    assert message.status == DeliveryStatus.FAILED
    assert "template" in message.failure_reason
    assert graph.calls("/messages") == []


def test_check_connection_syncs_templates_and_only_approved_ones_are_offered(
    graph, whatsapp, conversation
):
    graph.objects[PHONE_NUMBER_ID] = {
        "display_phone_number": "15550001111",
        "verified_name": "Shop",
    }
    graph.templates[:] = [ORDER_UPDATE, SPRING_SALE]

    ok, said = check_channel(whatsapp)

    assert ok
    assert "1 approved template" in said
    rows = whatsapp.templates.order_by("name").values_list("name", "language", "status", "body")
    assert list(rows) == [
        ("order_update", "ko", "APPROVED", "Hello {{1}}, your order {{2}} has shipped."),
        ("spring_sale", "ko", "PENDING", "Spring sale: 20% off."),
    ]
    customer_wrote(conversation, timedelta(hours=25))
    options = windows.reply_options(
        whatsapp, conversation.thread_ref, conversation.last_customer_message_at
    )
    assert not options.free_form
    assert [t.name for t in options.templates] == ["order_update"]


def test_a_template_goes_out_with_its_parameters_in_order(
    graph, whatsapp, conversation, agent, commit
):
    sync_templates(graph, whatsapp)
    customer_wrote(conversation, timedelta(days=3))
    template = whatsapp.templates.get(name="order_update")

    with commit():
        message = actions.send_template(agent, conversation, template.pk, ["Minji", "#1042"])

    assert sent(graph)[0]["template"] == {
        "name": "order_update",
        "language": {"code": "ko"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Minji"},
                    {"type": "text", "text": "#1042"},
                ],
            }
        ],
    }
    message.refresh_from_db()
    assert message.text == "Hello Minji, your order #1042 has shipped."
    assert message.status == DeliveryStatus.SENT


@pytest.mark.parametrize("parameters", [["Minji"], ["Minji", "#1042", "extra"], ["Minji", " "]])
def test_a_template_needs_exactly_its_parameters(graph, whatsapp, conversation, agent, parameters):
    sync_templates(graph, whatsapp)
    template = whatsapp.templates.get(name="order_update")

    with pytest.raises(InvalidInput):
        actions.send_template(agent, conversation, template.pk, parameters)

    assert not conversation.messages.filter(direction=Direction.OUTBOUND).exists()


def test_the_page_outside_the_window_offers_approved_templates(
    graph, whatsapp, conversation, agent, client
):
    sync_templates(graph, whatsapp)
    customer_wrote(conversation, timedelta(hours=30))
    approved = whatsapp.templates.get(name="order_update")
    client.force_login(agent)

    page = client.get(f"/c/{conversation.pk}/").content.decode()

    assert "WhatsApp allows only an approved template" in page
    assert f'<option value="{approved.pk}">order_update (ko)</option>' in page
    assert "spring_sale" not in page


def test_the_composer_sends_a_chosen_template(graph, whatsapp, conversation, agent, client, commit):
    sync_templates(graph, whatsapp)
    customer_wrote(conversation, timedelta(hours=30))
    template = whatsapp.templates.get(name="order_update")
    client.force_login(agent)
    form = {"mode": "reply", "template": template.pk, f"param-{template.pk}": ["Minji", "#7"]}

    with commit():
        response = client.post(f"/c/{conversation.pk}/reply/", form)

    assert response.status_code == 302
    parameters = sent(graph)[0]["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["Minji", "#7"]
    message = conversation.messages.get(direction=Direction.OUTBOUND)
    assert (message.text, message.status) == ("Hello Minji, your order #7 has shipped.", "sent")


# Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 400, "error": {"code": 130429, "message": "(#130429) Rate limit hit"}},
        {"status": 500, "body": b"<html><body><h1>500 Internal Server Error</h1></body></html>"},
    ],
    ids=["throughput-limit", "html-500"],
)
def test_temporary_failures_are_retried_later(
    graph, conversation, agent, commit, db_task_backend, failure
):
    graph.fail_next(path_contains="/messages", **failure)
    message = actions.send_reply(agent, conversation, "Hello")

    with commit():
        outcome = deliver_message.call(message.pk)

    assert outcome == "retrying"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (DeliveryStatus.QUEUED, 1)
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_message").exists()


def test_the_platforms_re_engagement_refusal_fails_the_reply(graph, conversation, agent, commit):
    graph.closed_windows.add(WA_ID)

    message = reply(agent, conversation, commit)

    assert message.status == DeliveryStatus.FAILED
    assert "only an approved template can be sent now" in message.failure_reason
    assert "131047" in message.failure_reason


def test_an_invalid_token_fails_the_reply_and_warns_admins(
    graph, whatsapp, conversation, agent, admin, client, commit
):
    graph.tokens.discard("wa-token")

    message = reply(agent, conversation, commit)

    assert message.status == DeliveryStatus.FAILED
    whatsapp.refresh_from_db()
    assert "access token is invalid or has expired" in whatsapp.health_problem
    client.force_login(admin)
    page = client.get("/", follow=True).content.decode()
    assert "“whatsapp test” is not working" in page
    assert "access token is invalid or has expired" in page


# Attachments and notes -------------------------------------------------------------------


def test_reply_files_are_uploaded_then_sent_by_media_id(graph, conversation, agent, commit):
    files = [
        SimpleUploadedFile("invoice.pdf", b"%PDF-1.7 invoice", content_type="application/pdf"),
        SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg"),
    ]

    message = reply(agent, conversation, commit, "Here you go", attachments=files)

    uploads = graph.calls(f"/{PHONE_NUMBER_ID}/media", "POST")
    assert [call.files["file"] for call in uploads] == [
        ("invoice.pdf", "application/pdf", b"%PDF-1.7 invoice"),
        ("photo.jpg", "image/jpeg", b"\xff\xd8\xff jpeg"),
    ]
    assert [call.form()["type"] for call in uploads] == ["application/pdf", "image/jpeg"]
    media_id = {media.content: media_id for media_id, media in graph.media.items()}
    bodies = sent(graph)
    assert [(body["type"], body.get(body["type"])) for body in bodies] == [
        ("document", {"id": media_id[b"%PDF-1.7 invoice"], "filename": "invoice.pdf"}),
        ("image", {"id": media_id[b"\xff\xd8\xff jpeg"]}),
        ("text", {"body": "Here you go", "preview_url": False}),
    ]
    assert message.status == DeliveryStatus.SENT


def test_notes_never_reach_whatsapp(graph, conversation, agent, commit):
    with commit():
        note = actions.add_note(agent, conversation, "customer sounds upset, be gentle")

    assert deliver_message.call(note.pk) == "not a reply"
    assert graph.requests == []
