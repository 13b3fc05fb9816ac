"""Facebook Messenger and Instagram DMs and comments, through the real webhook endpoint and
against the fake Graph API."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parley.connectors.actions import check_channel
from parley.connectors.models import Channel
from parley.conversations import actions
from parley.conversations.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    InboundEvent,
    InboundStatus,
    Message,
    Status,
)
from parley.conversations.tasks import deliver_message
from parley.customers.models import Customer
from tests.fakes import meta_webhooks as hooks
from tests.fakes.graph import FakeGraph

from .conftest import APP_SECRET, IG_ID, PAGE_ID, VERIFY_TOKEN, customer_wrote

pytestmark = pytest.mark.django_db

PSID = "6000000000000001"
IGSID = "7000000000000001"


def dm(page, deliver, *events):
    return deliver(page, hooks.page_payload(hooks.messaging_entry(PAGE_ID, *events)))


def ig(instagram, deliver, *events):
    return deliver(instagram, hooks.instagram_payload(hooks.messaging_entry(IG_ID, *events)))


# Webhook set-up ------------------------------------------------------------------------------


def test_the_subscription_handshake_answers_the_challenge_only_with_the_verify_token(client, page):
    url = f"/hooks/messenger/{page.pk}"
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}

    good = client.get(url, {**query, "hub.verify_token": VERIFY_TOKEN})
    bad = client.get(url, {**query, "hub.verify_token": "guess"})

    assert good.status_code == 200
    assert good.content == b"1158201444"
    assert bad.status_code == 403


def test_a_bad_signature_is_refused_logged_and_stores_nothing(page, deliver, graph, caplog):
    caplog.set_level("WARNING")
    response = dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "hi"))  # warm-up
    assert response.status_code == 200

    forged = deliver(
        page,
        hooks.page_payload(
            hooks.messaging_entry(PAGE_ID, hooks.text_event(PAGE_ID, PSID, "m_2", "x"))
        ),
        signature="sha256=" + "0" * 64,
    )

    assert forged.status_code == 403
    assert "rejected" in caplog.text
    assert InboundEvent.objects.count() == 1
    assert not Message.objects.filter(external_id="m_2").exists()


def test_a_real_http_webhook_from_the_fake_platform_is_stored_and_processed(
    graph, live_server, settings
):
    from .conftest import APP_SECRET, platform_channel

    channel = platform_channel("messenger", page_id=PAGE_ID)
    payload = hooks.page_payload(
        hooks.messaging_entry(PAGE_ID, hooks.text_event(PAGE_ID, PSID, "m_1", "hi"))
    )

    response = FakeGraph.post_webhook(
        f"{live_server.url}/hooks/messenger/{channel.pk}", payload, APP_SECRET
    )

    assert response.status_code == 200
    assert InboundEvent.objects.get().channel == channel


# Inbound DMs ---------------------------------------------------------------------------------


def test_a_text_becomes_a_conversation_with_the_profile_name(page, deliver, graph):
    graph.objects[PSID] = {"first_name": "Minji", "last_name": "Kim", "profile_pic": "x"}

    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "배송 언제 되나요? 📦"))

    conversation = Conversation.objects.get()
    assert conversation.customer.name == "Minji Kim"
    assert conversation.customer.identities.get().value == PSID
    assert conversation.messages.get().text == "배송 언제 되나요? 📦"
    assert conversation.status == Status.NEW


def test_every_entry_and_event_of_a_batched_post_is_handled(page, deliver, graph):
    payload = hooks.page_payload(
        hooks.messaging_entry(
            PAGE_ID,
            hooks.text_event(PAGE_ID, "601", "m_1", "one"),
            hooks.text_event(PAGE_ID, "602", "m_2", "two"),
        ),
        hooks.messaging_entry(PAGE_ID, hooks.text_event(PAGE_ID, "601", "m_3", "three")),
    )

    deliver(page, payload)
    deliver(page, payload)  # redelivered: nothing twice

    assert Message.objects.count() == 3
    assert Conversation.objects.count() == 2
    assert Customer.objects.count() == 2


def test_an_entry_for_another_page_is_listed_as_unprocessed(page, deliver, graph):
    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "hi"))
    deliver(
        page,
        hooks.page_payload(hooks.messaging_entry("999", hooks.text_event("999", PSID, "m_9", "x"))),
    )

    event = InboundEvent.objects.order_by("pk").last()
    assert event.status == InboundStatus.IGNORED
    assert "another account" in event.error


def test_attachments_are_downloaded_and_an_expired_one_is_kept_with_the_reason(
    page, deliver, graph, client, admin
):
    photo = graph.cdn_url("photo.jpg", b"\xff\xd8jpeg-bytes", "image/jpeg")
    gone = graph.cdn_url("gone.mp4", b"video", "video/mp4")
    graph.expire("gone.mp4")

    dm(
        page,
        deliver,
        hooks.attachment_event(PAGE_ID, PSID, "m_1", "image", photo),
        hooks.attachment_event(PAGE_ID, PSID, "m_2", "video", gone),
    )

    image = Message.objects.get(external_id="m_1").attachments.get()
    assert image.file.read() == b"\xff\xd8jpeg-bytes"
    assert image.content_type == "image/jpeg"
    video = Message.objects.get(external_id="m_2").attachments.get()
    assert not video.file
    assert "403" in video.problem
    client.force_login(admin)
    assert client.get(f"/attachments/{video.pk}/").status_code == 404


def test_quick_replies_postbacks_and_replies_keep_their_meaning(page, deliver, graph):
    dm(
        page,
        deliver,
        hooks.text_event(PAGE_ID, PSID, "m_1", "Track order", quick_reply="TRACK_ORDER"),
        hooks.postback_event(PAGE_ID, PSID, "m_2", "Talk to a person", "HUMAN"),
        hooks.text_event(PAGE_ID, PSID, "m_3", "this one", reply_to_mid="m_1"),
    )

    assert Message.objects.get(external_id="m_1").details == {"quick_reply": "TRACK_ORDER"}
    postback = Message.objects.get(external_id="m_2")
    assert (postback.text, postback.details) == ("Talk to a person", {"postback": "HUMAN"})
    assert Message.objects.get(external_id="m_3").reply_to.external_id == "m_1"


def test_a_reaction_is_shown_on_its_message_and_starts_nothing(page, deliver, graph):
    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "thanks"))

    dm(page, deliver, hooks.reaction_event(PAGE_ID, PSID, "m_1", "❤️"))
    dm(page, deliver, hooks.reaction_event(PAGE_ID, PSID, "m_unknown", "😮"))

    assert Message.objects.get(external_id="m_1").reactions == {PSID: "❤️"}
    assert Message.objects.count() == 1
    dm(page, deliver, hooks.reaction_event(PAGE_ID, PSID, "m_1", "", action="unreact"))
    assert Message.objects.get(external_id="m_1").reactions == {}


def test_an_echo_is_recorded_as_a_reply_never_as_the_customer(page, deliver, graph):
    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "hello?"))

    dm(page, deliver, hooks.echo_event(PAGE_ID, PSID, "m_2", "Answered from the Page inbox"))

    echo = Message.objects.get(external_id="m_2")
    assert echo.direction == Direction.OUTBOUND
    assert echo.author is None
    conversation = echo.conversation
    assert conversation.waiting_since is None
    assert Customer.objects.count() == 1


def test_read_and_delivery_receipts_move_replies_forward(page, deliver, graph, agent, commit):
    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "hi"))
    conversation = Conversation.objects.get()
    with commit():
        reply = actions.send_reply(agent, conversation, "Hello!")
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.SENT
    watermark = int(reply.sent_at.timestamp() * 1000) + 1000

    dm(page, deliver, hooks.delivery_event(PAGE_ID, PSID, [reply.external_id], watermark))
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.DELIVERED
    dm(page, deliver, hooks.read_event(PAGE_ID, PSID, watermark=watermark))
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.READ


def test_events_parley_does_not_act_on_are_listed_as_unprocessed(page, deliver, graph):
    dm(
        page,
        deliver,
        hooks.edit_event(PAGE_ID, PSID, "m_1", "edited"),
        hooks.referral_event(PAGE_ID, PSID, "promo"),
    )

    event = InboundEvent.objects.get()
    assert event.status == InboundStatus.IGNORED
    assert "message_edit" in event.error and "referral" in event.error


# Instagram DMs -------------------------------------------------------------------------------


def test_instagram_story_mentions_replies_and_unsends(
    instagram, deliver, graph, admin, agent, client
):
    graph.objects[IGSID] = {"name": "", "username": "minji.shop"}
    story = graph.cdn_url("story.jpg", b"story-bytes")

    ig(
        instagram,
        deliver,
        hooks.story_mention_event(IG_ID, IGSID, "ig_1", story),
        hooks.story_reply_event(IG_ID, IGSID, "ig_2", "love this!", story, "story-9"),
        hooks.text_event(IG_ID, IGSID, "ig_3", "my secret address"),
    )
    ig(instagram, deliver, hooks.deleted_event(IG_ID, IGSID, "ig_3"))

    mention = Message.objects.get(external_id="ig_1")
    assert mention.details["story_mention"] is True
    assert mention.attachments.get().file.read() == b"story-bytes"
    assert Message.objects.get(external_id="ig_2").details["story_reply"]["id"] == "story-9"
    assert Customer.objects.get().name == "minji.shop"
    deleted = Message.objects.get(external_id="ig_3")
    assert deleted.deleted_at is not None
    page_url = f"/c/{deleted.conversation_id}/"
    client.force_login(agent)
    assert "my secret address" not in client.get(page_url).content.decode()
    client.force_login(admin)
    assert "my secret address" in client.get(page_url).content.decode()


# Comments ------------------------------------------------------------------------------------


POST_ID = f"{PAGE_ID}_555"


def feed(page, deliver, *changes):
    return deliver(page, hooks.page_payload(hooks.changes_entry(PAGE_ID, *changes)))


def test_a_comment_starts_a_thread_per_commenter_per_post_with_the_post(page, deliver, graph):
    graph.objects[POST_ID] = {
        "message": "New spring collection 🌸",
        "permalink_url": "https://fb.example/p/555",
    }

    feed(
        page,
        deliver,
        hooks.feed_comment_change(PAGE_ID, POST_ID, "c_1", "901", "Ann Lee", "Price?"),
        hooks.feed_comment_change(
            PAGE_ID, POST_ID, "c_2", "901", "Ann Lee", "In size M?", parent_id="c_1"
        ),
        hooks.feed_comment_change(PAGE_ID, POST_ID, "c_3", "902", "Bo Park", "Ship to Busan?"),
        hooks.feed_comment_change(
            PAGE_ID, POST_ID, "c_4", PAGE_ID, "Shop", "DM us!", parent_id="c_1"
        ),
    )

    ann, bo = Conversation.objects.order_by("pk")
    assert ann.origin["caption"] == "New spring collection 🌸"
    assert ann.origin["post_url"] == "https://fb.example/p/555"
    assert [(m.external_id, m.direction) for m in ann.messages.order_by("pk")] == [
        ("c_1", Direction.INBOUND),
        ("c_2", Direction.INBOUND),
        ("c_4", Direction.OUTBOUND),
    ]
    assert bo.customer.name == "Bo Park"
    assert bo.messages.get().external_id == "c_3"


def test_deleted_and_hidden_comments_are_reflected(page, deliver, graph):
    feed(page, deliver, hooks.feed_comment_change(PAGE_ID, POST_ID, "c_1", "901", "Ann", "spam?"))

    feed(
        page,
        deliver,
        hooks.feed_comment_change(PAGE_ID, POST_ID, "c_1", "901", "Ann", "", verb="hide"),
    )
    assert Message.objects.get().details["hidden"] is True
    feed(
        page,
        deliver,
        hooks.feed_comment_change(PAGE_ID, POST_ID, "c_1", "901", "Ann", "", verb="remove"),
    )
    assert Message.objects.get().deleted_at is not None


def test_comment_replies_go_public_or_private(page, deliver, graph, agent, commit):
    feed(page, deliver, hooks.feed_comment_change(PAGE_ID, POST_ID, "c_1", "901", "Ann", "Price?"))
    conversation = Conversation.objects.get()

    with commit():
        public = actions.send_reply(agent, conversation, "It's ₩39,000")
        private = actions.send_reply(
            agent, conversation, "Sent you the details", details={"comment_reply": "private"}
        )
        again = actions.send_reply(
            agent, conversation, "And again", details={"comment_reply": "private"}
        )

    assert graph.calls("/c_1/comments", "POST")[0].form()["message"] == "It's ₩39,000"
    sent = graph.calls("/messages", "POST")[0].json()
    assert sent["recipient"] == {"comment_id": "c_1"}
    for message in (public, private, again):
        message.refresh_from_db()
    assert public.status == private.status == DeliveryStatus.SENT
    assert again.status == DeliveryStatus.FAILED
    assert "Private reply already sent" in again.failure_reason


def test_instagram_comments_and_their_public_replies(instagram, deliver, graph, agent, commit):
    graph.objects["media-1"] = {"caption": "Our new mug", "permalink": "https://ig.example/p/1"}
    change = hooks.ig_comment_change("igc_1", IGSID, "minji.shop", "Restock when?", "media-1")

    deliver(instagram, hooks.instagram_payload(hooks.changes_entry(IG_ID, change)))
    conversation = Conversation.objects.get()
    with commit():
        actions.send_reply(agent, conversation, "Next week!")

    assert conversation.origin["caption"] == "Our new mug"
    assert conversation.customer.identities.get().kind == "instagram"
    assert graph.calls("/igc_1/replies", "POST")[0].form()["message"] == "Next week!"


# Outbound DMs --------------------------------------------------------------------------------


@pytest.fixture
def dm_conversation(page, deliver, graph):
    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "hi"))
    return Conversation.objects.get()


def test_replies_use_the_window_the_conversation_is_in(dm_conversation, graph, agent, commit):
    with commit():
        actions.send_reply(agent, dm_conversation, "within a day")
    customer_wrote(dm_conversation, timedelta(days=3))
    with commit():
        actions.send_reply(agent, dm_conversation, "three days later")
    customer_wrote(dm_conversation, timedelta(days=8))
    with commit():
        late = actions.send_reply(agent, dm_conversation, "too late")

    first, second = (call.json() for call in graph.calls("/messages", "POST"))
    assert first["messaging_type"] == "RESPONSE"
    assert (second["messaging_type"], second["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    late.refresh_from_db()
    assert late.status == DeliveryStatus.FAILED
    assert "7 days" in late.failure_reason
    assert len(graph.calls("/messages", "POST")) == 2


def test_the_composer_says_why_outside_the_window(dm_conversation, client, agent):
    customer_wrote(dm_conversation, timedelta(days=2))
    client.force_login(agent)

    page = client.get(f"/c/{dm_conversation.pk}/").content.decode()

    assert "Human Agent tag" in page


def test_long_replies_are_split_and_files_are_uploaded(dm_conversation, graph, agent, commit):
    photo = SimpleUploadedFile("receipt.png", b"\x89PNG-bytes", content_type="image/png")

    with commit():
        message = actions.send_reply(agent, dm_conversation, "word " * 500, [photo])

    upload = graph.calls("/message_attachments", "POST")[0]
    assert upload.files["filedata"][2] == b"\x89PNG-bytes"
    sends = [call.json()["message"] for call in graph.calls("/messages", "POST")]
    assert sends[0]["attachment"]["payload"]["attachment_id"]
    assert [len(s["text"]) <= 2000 for s in sends[1:]] == [True, True]
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.external_id.startswith("m_")


def test_rate_limits_and_server_errors_are_retried(dm_conversation, graph, agent, db_task_backend):
    message = actions.send_reply(agent, dm_conversation, "hello")
    graph.fail_next(
        400,
        {
            "message": "(#4) Application request limit reached",
            "type": "OAuthException",
            "code": 4,
            "is_transient": True,
        },
    )
    assert deliver_message.call(message.pk) == "retrying"
    graph.fail_next(500, None, body=b"<html>oops</html>")
    assert deliver_message.call(message.pk) == "retrying"

    assert deliver_message.call(message.pk) == "sent"


def test_an_invalid_token_fails_the_reply_and_alerts_admins(
    dm_conversation, graph, agent, admin, client, commit
):
    graph.tokens.discard("page-token")

    with commit():
        message = actions.send_reply(agent, dm_conversation, "hello")

    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert "access token" in message.failure_reason
    client.force_login(admin)
    inbox = client.get("/inbox/").content.decode()
    assert "messenger test" in inbox and "access token is invalid" in inbox


def test_a_blocked_person_fails_the_reply_in_plain_words(dm_conversation, graph, agent, commit):
    graph.fail_next(
        400,
        {
            "message": "(#551) This person isn't available right now.",
            "type": "OAuthException",
            "code": 551,
        },
    )

    with commit():
        message = actions.send_reply(agent, dm_conversation, "hello")

    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert "not available to receive messages" in message.failure_reason
    assert "551" in message.failure_reason


def test_internal_notes_never_reach_the_platform(dm_conversation, graph, agent, commit):
    with commit():
        actions.add_note(agent, dm_conversation, "customer seems upset")

    assert graph.calls("/messages") == []


def test_check_connection_reports_the_page_or_the_platforms_error(page, graph):
    graph.objects[PAGE_ID] = {"name": "Minji's Shop"}

    assert check_channel(page) == (True, "Connected to the Facebook Page “Minji's Shop”.")
    graph.tokens.discard("page-token")
    ok, said = check_channel(page)
    assert not ok
    assert "access token" in said
    page.refresh_from_db()
    assert page.health_problem == said


def test_the_window_counts_from_when_the_customer_wrote_not_when_it_was_processed(
    page, deliver, graph, agent, commit
):
    thirty_hours_ago = int((timezone.now() - timedelta(hours=30)).timestamp() * 1000)
    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "late webhook", ts=thirty_hours_ago))

    with commit():
        actions.send_reply(agent, Conversation.objects.get(), "sorry for the wait")

    assert graph.calls("/messages", "POST")[0].json()["tag"] == "HUMAN_AGENT"


def test_rate_limit_retries_wait_as_long_as_meta_says(
    dm_conversation, graph, agent, db_task_backend, commit
):
    usage = (
        '{"104": [{"type": "messenger", "call_count": 100, "estimated_time_to_regain_access": 7}]}'
    )
    graph.fail_next(
        400,
        {"message": "(#80006) There have been too many messages", "code": 80006},
        headers={"X-Business-Use-Case-Usage": usage},
    )
    message = actions.send_reply(agent, dm_conversation, "hello")

    with commit():
        assert deliver_message.call(message.pk) == "retrying"

    retry = DBTaskResult.objects.filter(task_path__endswith="deliver_message").last()
    assert (retry.run_after - retry.enqueued_at).total_seconds() == pytest.approx(420, abs=5)


# Settings ------------------------------------------------------------------------------------


def test_admins_add_a_page_check_it_and_see_its_unprocessed_events(client, admin, graph, deliver):
    graph.objects[PAGE_ID] = {"name": "Minji's Shop"}
    client.force_login(admin)
    form = {"kind": "messenger", "name": "Shop page", "active": "on", "access_token": "page-token"}

    missing = client.post("/django-admin/connectors/channel/add/", form)
    added = client.post(
        "/django-admin/connectors/channel/add/",
        {**form, "page_id": PAGE_ID, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN},
    )
    channel = Channel.objects.get(name="Shop page")
    checked = client.post(f"/django-admin/connectors/channel/{channel.pk}/check/", follow=True)
    deliver(
        channel,
        hooks.page_payload(
            hooks.messaging_entry(PAGE_ID, hooks.edit_event(PAGE_ID, PSID, "m_1", "x"))
        ),
    )
    change_page = client.get(
        f"/django-admin/connectors/channel/{channel.pk}/change/"
    ).content.decode()
    unprocessed = client.get(
        "/django-admin/conversations/inboundevent/",
        {"channel__id__exact": channel.pk, "status__in": "ignored,failed"},
    ).content.decode()

    assert "A messenger channel needs this." in missing.content.decode()
    assert added.status_code == 302
    assert channel.settings["page_id"] == PAGE_ID
    assert f"/hooks/messenger/{channel.pk}" in change_page
    assert "page-token" not in change_page
    assert "Connected to the Facebook Page" in checked.content.decode()
    assert "Not handled: messaging event" in unprocessed


def test_the_echo_of_parleys_own_reply_is_not_recorded_twice(dm_conversation, page, deliver, agent):
    reply = actions.send_reply(agent, dm_conversation, "On its way!")  # not delivered yet

    dm(page, deliver, hooks.echo_event(PAGE_ID, PSID, "m_77", "On its way!"))

    reply.refresh_from_db()
    assert reply.external_id == "m_77"
    assert dm_conversation.messages.filter(direction=Direction.OUTBOUND).count() == 1


@pytest.mark.parametrize(
    ("kind", "content_type", "sticker_id"),
    [
        ("audio", "audio/mp4", None),
        ("file", "application/pdf", None),
        ("image", "image/png", 369239263222822),
    ],
)
def test_audio_files_and_stickers_are_downloaded(
    page, deliver, graph, kind, content_type, sticker_id
):
    url = graph.cdn_url(f"thing-{kind}", b"content-of-" + kind.encode(), content_type)

    dm(
        page,
        deliver,
        hooks.attachment_event(PAGE_ID, PSID, "m_1", kind, url, sticker_id=sticker_id),
    )

    attachment = Message.objects.get().attachments.get()
    assert attachment.file.read() == b"content-of-" + kind.encode()
    assert attachment.content_type == content_type
    assert attachment.filename.startswith("sticker" if sticker_id else kind)


def test_a_new_persons_profile_picture_is_kept_and_shown_to_agents(
    page, deliver, graph, client, agent
):
    picture = graph.cdn_url("minji.png", b"\x89PNG-minji", "image/png")
    graph.objects[PSID] = {"first_name": "Minji", "last_name": "Kim", "profile_pic": picture}

    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_1", "hello"))
    graph.expire("minji.png")  # the platform's URL stops working; our copy does not

    customer = Customer.objects.get()
    client.force_login(agent)
    page_html = client.get(f"/c/{Conversation.objects.get().pk}/").content.decode()
    served = client.get(f"/customers/{customer.pk}/picture/")
    assert f"/customers/{customer.pk}/picture/" in page_html
    assert b"".join(served.streaming_content) == b"\x89PNG-minji"


def test_a_new_persons_profile_is_fetched_once_whatever_the_message(page, deliver, graph):
    graph.objects[PSID] = {"first_name": "Minji", "last_name": "Kim"}
    photo = graph.cdn_url("p.jpg", b"jpeg")

    dm(page, deliver, hooks.attachment_event(PAGE_ID, PSID, "m_1", "image", photo))
    dm(page, deliver, hooks.text_event(PAGE_ID, PSID, "m_2", "and text"))

    assert len(graph.calls(f"/{PSID}", "GET")) == 1
    assert Customer.objects.get().name == "Minji Kim"
