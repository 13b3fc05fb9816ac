"""The offline Assist panel and summary: no provider, no network."""

import pytest

from parley.conversations.actions import add_note, assign_conversation, send_reply
from tests.factories import inbound, make_agent, make_channel, make_team
from tests.kb.conftest import make_article

pytestmark = pytest.mark.django_db


def test_the_conversation_page_has_the_assist_panel(web):
    message = inbound(make_channel(), "Where is my parcel?")

    page = web.get(f"/c/{message.conversation_id}/").content.decode()

    assert f'data-assist-src="/assist/c/{message.conversation_id}/"' in page


def test_the_panel_reads_language_tone_and_urgency_of_the_latest_messages(web):
    message = inbound(make_channel(), "환불해 주세요. 너무 화가 나요, 빨리 처리해 주세요!")

    page = web.get(f"/assist/c/{message.conversation_id}/").content.decode()

    assert 'data-language="ko"' in page and ">Korean<" in page
    assert 'class="assist-tone tone-negative"' in page
    assert "환불" in page and "빨리" in page  # the urgency words found


def test_the_panel_suggests_articles_that_fit_and_never_drafts(web):
    parcel = make_article("Where is my parcel?", summary="Follow the tracking link.")
    make_article("Gift cards", summary="Buy one online.")
    make_article("Parcel insurance", status="draft", summary="Not ready.")
    message = inbound(make_channel(), "My parcel has not arrived, where is it?")

    page = web.get(f"/assist/c/{message.conversation_id}/").content.decode()

    assert f'data-kind="article" data-id="{parcel.pk}"' in page
    assert "Gift cards" not in page and "Parcel insurance" not in page
    assert 'data-insert="Where is my parcel?' in page


def test_nothing_is_suggested_when_nothing_fits(web):
    make_article("Gift cards", summary="Buy one online.")
    message = inbound(make_channel(), "Hello there")

    page = web.get(f"/assist/c/{message.conversation_id}/").content.decode()

    assert "Nothing in the saved replies or articles matches" in page
    assert "Draft a reply" not in page  # no provider set up: offline only


def test_agents_get_no_assistance_for_conversations_they_may_not_see(web, agent):
    message = inbound(make_channel(), "Private matter")
    other_team = make_team(members=[make_agent()])
    assign_conversation(None, message.conversation, assignee=None, team=other_team)

    for path in ("", "summary/"):
        assert web.get(f"/assist/c/{message.conversation_id}/{path}").status_code == 404
    response = web.post(f"/assist/c/{message.conversation_id}/ask/", {"action": "draft"})
    assert response.status_code == 404


def test_the_summary_is_said_in_order_without_internal_notes(web, agent):
    channel = make_channel()
    message = inbound(channel, "My order 1042 arrived broken. The lamp base is cracked.")
    conversation = message.conversation
    add_note(agent, conversation, "Secret: this customer is on the fraud watch list.")
    send_reply(agent, conversation, "Sorry about that. Could you send a photo?")
    inbound(channel, "Sure. Here it is.")

    summary = web.get(f"/assist/c/{conversation.pk}/summary/").json()["text"]

    assert summary.splitlines() == [
        "ann: My order 1042 arrived broken.",
        "ann: The lamp base is cracked.",
        "Sam Agent: Sorry about that.",
        "Sam Agent: Could you send a photo?",
    ]  # the closing small talk left out
    assert "fraud" not in summary
