"""The visitor's socket, through the real ASGI application (routing, origin checks and all)."""

from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing.websocket import WebsocketCommunicator

from parley.asgi import application
from parley.connectors.chat.identity import issue_token, new_visitor, with_contact
from parley.conversations import actions
from parley.conversations.models import Conversation, DeliveryStatus, Direction, Message
from parley.realtime.consumers import AgentConsumer
from tests import factories
from tests.fakes.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)
SHOP = "https://shop.example"


async def open_widget(chat, token, origin=SHOP):
    """A connected widget and the first frame it got (its history, or why it was refused)."""
    path = f"/ws/chat/{chat.public_key}/?token={quote(token)}"
    widget = WebsocketCommunicator(application, path, headers=[(b"origin", origin.encode())])
    connected, _ = await widget.connect()
    assert connected
    return widget, await widget.receive_json_from()


async def say(widget, text, client_id):
    await widget.send_json_to({"type": "message", "client_id": client_id, "text": text})
    return await widget.receive_json_from()


async def nothing_more(widget, timeout=0.5):
    return await widget.receive_nothing(timeout=timeout, interval=0.02)


def conversation_of(chat, visitor):
    return Conversation.objects.get(channel=chat, thread_ref=visitor.id)


def run(scenario):
    return async_to_sync(scenario)()


def test_a_visitor_message_is_stored_then_acknowledged(chat):
    visitor = new_visitor()

    async def scenario():
        widget, history = await open_widget(chat, issue_token(chat, visitor))
        ack = await say(widget, "Do you ship to Korea?", "c-1")
        await widget.disconnect()
        return history, ack

    history, ack = run(scenario)

    assert history == {"type": "history", "messages": []}
    assert ack == {"type": "ack", "client_id": "c-1"}
    message = Message.objects.get(channel=chat)
    assert (message.text, message.direction) == ("Do you ship to Korea?", Direction.INBOUND)
    identity = message.conversation.customer.identities.get()
    assert (identity.kind, identity.value) == ("chat", f"{chat.pk}:{visitor.id}")


def test_a_resent_message_is_stored_once(chat):
    token = issue_token(chat, new_visitor())

    async def scenario():
        widget, _ = await open_widget(chat, token)
        await say(widget, "Hello?", "c-1")
        await say(widget, "Hello?", "c-1")  # the widget resends what it saw no ack for
        await widget.disconnect()

    run(scenario)

    assert Message.objects.filter(channel=chat).count() == 1


def test_the_agents_reply_arrives_live_and_notes_never_do(chat, agent):
    visitor = new_visitor()

    async def scenario():
        widget, _ = await open_widget(chat, issue_token(chat, visitor))
        await say(widget, "Where is my parcel?", "c-1")
        conversation = await sync_to_async(conversation_of)(chat, visitor)
        await sync_to_async(actions.add_note)(agent, conversation, "VIP, refund quietly")
        noted = await nothing_more(widget)
        reply = await sync_to_async(actions.send_reply)(agent, conversation, "It left today.")
        frame = await widget.receive_json_from(timeout=3)
        await widget.disconnect()
        return noted, reply, frame

    noted, reply, frame = run(scenario)

    assert noted, "a note reached the visitor"
    assert frame["type"] == "message" and frame["from"] == "agent"
    assert (frame["id"], frame["text"]) == (reply.pk, "It left today.")
    assert frame["author"] == "Sam Agent"
    assert Message.objects.get(pk=reply.pk).status == DeliveryStatus.SENT


def test_history_after_reconnecting_has_messages_and_replies_but_no_notes(chat, agent):
    visitor = new_visitor()
    token = issue_token(chat, visitor)

    async def first_visit():
        widget, _ = await open_widget(chat, token)
        await say(widget, "Is the red one in stock?", "c-1")
        await widget.disconnect()

    run(first_visit)
    conversation = conversation_of(chat, visitor)
    actions.add_note(agent, conversation, "supplier is late, do not promise")
    actions.send_reply(agent, conversation, "Yes, two left.")

    async def second_visit():
        widget, history = await open_widget(chat, token)
        await widget.disconnect()
        return history

    history = run(second_visit)

    assert [(m["from"], m["text"]) for m in history["messages"]] == [
        ("visitor", "Is the red one in stock?"),
        ("agent", "Yes, two left."),
    ]
    assert history["messages"][0]["client_id"] == "c-1"
    assert "supplier" not in str(history)


def test_a_visitor_never_sees_another_visitors_conversation(chat, agent):
    ann, bo = new_visitor(), new_visitor()

    async def ann_writes():
        widget, _ = await open_widget(chat, issue_token(chat, ann))
        await say(widget, "Ann's private question", "c-1")
        await widget.disconnect()

    run(ann_writes)
    actions.send_reply(agent, conversation_of(chat, ann), "Ann's private answer")

    async def bo_looks():
        widget, history = await open_widget(chat, issue_token(chat, bo))
        await widget.disconnect()
        return history

    assert run(bo_looks) == {"type": "history", "messages": []}


@pytest.mark.parametrize(
    ("origin", "allowed_case"),
    [(SHOP, True), ("https://SHOP.example/", True), ("https://evil.example", False)],
)
def test_only_allowed_origins_may_open_the_widget(db, origin, allowed_case):
    chat = factories.make_channel("chat", allowed_origins=[SHOP])

    async def scenario():
        widget, first = await open_widget(chat, issue_token(chat, new_visitor()), origin)
        closed = None if allowed_case else await widget.receive_output()
        await widget.disconnect()
        return first, closed

    first, closed = run(scenario)

    if allowed_case:
        assert first["type"] == "history"
    else:
        assert first["code"] == "origin_not_allowed"
        assert closed == {"type": "websocket.close", "code": 4403}


def test_a_bad_token_closes_with_4401(chat):
    async def scenario():
        widget, first = await open_widget(chat, "forged-token")
        return first, await widget.receive_output()

    first, closed = run(scenario)

    assert first["code"] == "bad_token"
    assert closed == {"type": "websocket.close", "code": 4401}


def test_a_visitor_sending_too_fast_is_told_to_wait(chat):
    async def scenario():
        widget, _ = await open_widget(chat, issue_token(chat, new_visitor()))
        answers = [await say(widget, f"spam {n}", f"c-{n}") for n in range(21)]
        await widget.disconnect()
        return answers

    answers = run(scenario)

    assert [a["type"] for a in answers[:20]] == ["ack"] * 20
    assert (answers[20]["type"], answers[20]["code"], answers[20]["client_id"]) == (
        "error",
        "rate_limited",
        "c-20",
    )
    assert Message.objects.filter(channel=chat).count() == 20


@pytest.mark.parametrize("size_case", ["long_text", "huge_frame"])
def test_too_large_messages_are_refused_with_a_clear_error(chat, size_case):
    async def scenario():
        widget, _ = await open_widget(chat, issue_token(chat, new_visitor()))
        if size_case == "long_text":
            answer = await say(widget, "x" * 5001, "c-1")
        else:
            await widget.send_to(text_data="x" * 200_000)
            answer = await widget.receive_json_from()
        await widget.disconnect()
        return answer

    answer = run(scenario)

    assert (answer["type"], answer["code"]) == ("error", "too_large")
    assert not Message.objects.filter(channel=chat).exists()


def test_a_channel_that_asks_for_an_email_refuses_messages_without_one(db):
    chat = factories.make_channel("chat", ask_email=True)

    async def scenario():
        widget, _ = await open_widget(chat, issue_token(chat, new_visitor()))
        answer = await say(widget, "hi", "c-1")
        await widget.disconnect()
        return answer

    assert run(scenario)["code"] == "contact_needed"


def test_visitor_typing_reaches_the_agents_who_see_the_conversation(chat):
    visitor = new_visitor()

    async def scenario():
        layer = get_channel_layer()
        staff = await layer.new_channel()
        await layer.group_add("staff", staff)
        widget, _ = await open_widget(chat, issue_token(chat, visitor))
        await say(widget, "hello", "c-1")
        await widget.send_json_to({"type": "typing"})
        push = await layer.receive(staff)
        while push["kind"] == "message":  # the message's own push comes first
            push = await layer.receive(staff)
        await widget.disconnect()
        return push

    push = run(scenario)

    conversation = conversation_of(chat, visitor)
    assert push == {"type": "push", "kind": "typing", "conversation_id": conversation.pk}


def test_agent_typing_reaches_the_visitor(chat, agent):
    visitor = new_visitor()

    async def scenario():
        widget, _ = await open_widget(chat, issue_token(chat, visitor))
        await say(widget, "hello", "c-1")
        conversation = await sync_to_async(conversation_of)(chat, visitor)
        workspace = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
        workspace.scope["user"] = agent
        await workspace.connect()
        await workspace.send_json_to({"type": "typing", "conversation_id": conversation.pk})
        frame = await widget.receive_json_from(timeout=2)
        await workspace.disconnect()
        await widget.disconnect()
        return frame

    assert run(scenario) == {"type": "typing"}


@pytest.fixture
def sink():
    running = SmtpSink().start()
    yield running
    running.stop()


@pytest.fixture
def chat_with_mailbox(db, sink):
    mailbox = factories.make_channel(
        "email", address="support@shop.example", smtp=sink.smtp_settings()
    )
    return factories.make_channel("chat", email_channel_id=mailbox.pk)


def test_a_reply_to_a_visitor_who_left_continues_by_email(chat_with_mailbox, sink, agent):
    chat = chat_with_mailbox
    visitor = with_contact(new_visitor(), "Ann", "ann@example.com")

    async def visit():
        widget, _ = await open_widget(chat, issue_token(chat, visitor))
        await say(widget, "Call me back by mail please", "c-1")
        await widget.disconnect()

    run(visit)
    reply = actions.send_reply(agent, conversation_of(chat, visitor), "Here is your answer.")

    assert Message.objects.get(pk=reply.pk).status == DeliveryStatus.SENT
    [mail] = sink.delivered
    assert mail.rcpt_tos == ["ann@example.com"]
    assert "Here is your answer." in mail.message.get_body(("plain",)).get_content()


def test_a_visitor_still_on_the_page_is_not_emailed_too(chat_with_mailbox, sink, agent):
    chat = chat_with_mailbox
    visitor = with_contact(new_visitor(), "Ann", "ann@example.com")
    # Replied from a worker thread, as the server's task worker does.
    reply = sync_to_async(actions.send_reply, thread_sensitive=False)

    async def visit():
        widget, _ = await open_widget(chat, issue_token(chat, visitor))
        await say(widget, "Still here", "c-1")
        conversation = await sync_to_async(conversation_of)(chat, visitor)
        await reply(agent, conversation, "Great, here is your answer.")
        frame = await widget.receive_json_from(timeout=3)
        await widget.disconnect()
        return frame

    assert run(visit)["text"] == "Great, here is your answer."
    assert sink.delivered == []


def test_replies_reach_the_visitor_through_redis(chat, agent, settings, redis_url):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
    channel_layers.backends = {}
    visitor = new_visitor()

    async def scenario():
        widget, _ = await open_widget(chat, issue_token(chat, visitor))
        await say(widget, "Anyone there?", "c-1")
        conversation = await sync_to_async(conversation_of)(chat, visitor)
        reply = await sync_to_async(actions.send_reply)(agent, conversation, "Yes, here.")
        frame = await widget.receive_json_from(timeout=3)
        await widget.disconnect()
        return reply, frame

    reply, frame = run(scenario)

    assert (frame["id"], frame["text"]) == (reply.pk, "Yes, here.")
    assert Message.objects.get(pk=reply.pk).status == DeliveryStatus.SENT


def test_agents_are_online_while_one_has_the_workspace_open(agent):
    from django.core.cache import cache

    from parley.realtime.presence import agents_online

    # Asked from a worker thread, as views and tasks ask in the server.
    ask = sync_to_async(agents_online, thread_sensitive=False)

    async def scenario():
        alone = await ask()
        cache.clear()
        workspace = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
        workspace.scope["user"] = agent
        await workspace.connect()
        present = await ask()
        await workspace.disconnect()
        return alone, present

    assert run(scenario) == (False, True)
