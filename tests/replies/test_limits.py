"""Platform limits and unfilled placeholders are enforced when a reply is sent, through the
web composer (the draft stays) and the API (a 4xx naming the limit)."""

import pytest

from parley.conversations import actions
from parley.conversations.models import Message
from parley.replies.limits import ReplyRefused
from tests.conftest import api_client
from tests.factories import inbound, make_channel

pytestmark = pytest.mark.django_db


SENDERS = {"whatsapp": "+15550100", "email": "ann@example.com"}


def _conversation(kind: str, identity: str, thread: str | None = None):
    channel = make_channel(kind, demo=True)
    sender = SENDERS.get(identity, "cust-1")
    return inbound(channel, "Hi", sender=sender, kind=identity, thread=thread).conversation


@pytest.mark.parametrize(
    ("kind", "identity", "thread", "comment_reply", "limit"),
    [
        ("messenger", "messenger", "comment:post-1:c-1", "private", 2000),
        ("instagram", "instagram", "comment:media-1:c-1", "public", 2200),
        ("instagram", "instagram", "comment:media-1:c-1", "private", 1000),
        ("x", "x", None, "", 10_000),
    ],
    ids=["fb_private", "ig_comment", "ig_private", "x"],
)
def test_each_platform_takes_its_limit_and_refuses_one_more(
    agent, kind, identity, thread, comment_reply, limit
):
    conversation = _conversation(kind, identity, thread)
    details = {"comment_reply": comment_reply} if comment_reply else None

    actions.send_reply(agent, conversation, "a" * limit, details=details)
    with pytest.raises(ReplyRefused) as refused:
        actions.send_reply(agent, conversation, "a" * (limit + 1), details=details)

    assert refused.value.code == "too_long"
    assert f"the limit is {limit}" in refused.value.detail
    assert Message.objects.filter(conversation=conversation, direction="out").count() == 1


@pytest.mark.parametrize("kind", ["messenger", "instagram", "whatsapp"])
def test_long_direct_messages_are_not_refused_the_connector_splits_them(agent, kind):
    conversation = _conversation(kind, kind)

    sent = actions.send_reply(agent, conversation, "word " * 2000)

    assert len(sent.text) == 10_000


@pytest.mark.parametrize("kind", ["email", "chat", "api"])
def test_email_chat_and_api_have_no_length_limit(agent, kind):
    conversation = _conversation(kind, "email" if kind == "email" else "api")

    sent = actions.send_reply(agent, conversation, "long " * 10_000)

    assert len(sent.text) == 50_000


def test_a_reply_with_a_placeholder_is_refused_naming_it(agent, conversation):
    with pytest.raises(ReplyRefused) as refused:
        actions.send_reply(agent, conversation, "Hi [customer.first_name], it ships [order.number]")

    assert refused.value.code == "unfilled_placeholder"
    assert "[customer.first_name], [order.number]" in refused.value.detail
    assert not conversation.messages.filter(direction="out").exists()


def test_the_composer_keeps_the_draft_of_a_refused_reply(web, agent):
    conversation = _conversation("instagram", "instagram", "comment:media-1:c-1")
    draft = "Hello! " + "x" * 1000
    form = {"mode": "reply", "text": draft, "comment_reply": "private"}

    page = web.post(f"/c/{conversation.pk}/reply/", form)

    assert page.status_code == 400
    html = page.content.decode()
    assert "Too long for an Instagram message: 1007 characters, the limit is 1000." in html
    assert draft in html  # back in the composer to shorten
    assert not conversation.messages.filter(direction="out").exists()


def test_the_composer_refuses_a_placeholder_and_sends_once_filled(web, conversation):
    url = f"/c/{conversation.pk}/reply/"

    refused = web.post(url, {"mode": "reply", "text": "Hi [customer.first_name]!"})
    sent = web.post(url, {"mode": "reply", "text": "Hi Ann!"})

    assert refused.status_code == 400
    assert "Fill in [customer.first_name] before sending" in refused.content.decode()
    assert sent.status_code == 302
    assert list(conversation.messages.filter(direction="out").values_list("text", flat=True)) == [
        "Hi Ann!"
    ]


def test_a_note_may_hold_placeholders(web, conversation):
    web.post(f"/c/{conversation.pk}/reply/", {"mode": "note", "text": "use [order.number]"})

    assert conversation.messages.filter(direction="note").count() == 1


def test_the_api_refuses_an_over_limit_reply_with_a_4xx(admin):
    conversation = _conversation("instagram", "instagram", "comment:media-1:c-1")

    answer = api_client(admin).post(
        f"/api/v1/conversations/{conversation.pk}/reply",
        {"text": "a" * 2201},
        content_type="application/json",
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "too_long"
    assert "the limit is 2200" in answer.json()["detail"]
