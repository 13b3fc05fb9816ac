"""The optional provider, against a fake OpenAI-compatible server over real HTTP: what is
sent (this conversation only, never notes), what comes back, and every call logged."""

import json

import pytest

from parley.assist.models import ProviderCall, ProviderSettings
from parley.conversations.actions import add_note, send_reply
from tests.conftest import free_port
from tests.factories import inbound, make_channel
from tests.kb.conftest import make_article

pytestmark = pytest.mark.django_db


def ask(web, conversation_id: int, action: str, **fields: str):
    return web.post(f"/assist/c/{conversation_id}/ask/", {"action": action, **fields})


@pytest.fixture
def parcel(agent):
    """Ann asks about a parcel; a note and another customer's conversation exist too."""
    channel = make_channel()
    message = inbound(channel, "My parcel has not arrived, where is it?", name="Ann Archer")
    add_note(agent, message.conversation, "Internal: Ann was rude to Cal last year.")
    send_reply(agent, message.conversation, "Let me check that for you.")
    inbound(channel, "Bob here, my order 777 is wrong", sender="bob@example.com")
    return message.conversation


def test_a_draft_is_written_from_this_conversation_and_the_public_articles(
    web, agent, provider, fake_openai, parcel
):
    public = make_article("Where is my parcel?", body="Parcels arrive within 5 days.")
    make_article("Parcel escalation", visibility="internal", body="INTERNAL ONLY: call Lee.")

    response = ask(web, parcel.pk, "draft")

    assert response.status_code == 200
    assert response.json() == {"text": "Hello! Your parcel is on its way."}
    sent = fake_openai.requests[0]
    assert sent["model"] == "gpt-test" and sent["max_tokens"] == 600
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    everything = json.dumps(sent, ensure_ascii=False)
    assert "Ann Archer: My parcel has not arrived, where is it?" in everything
    assert "Sam Agent: Let me check that for you." in everything
    assert "Parcels arrive within 5 days." in everything
    assert f"/help/en/a/{public.slug}/" in everything
    assert "English" in sent["messages"][0]["content"]
    for private in ("rude to Cal", "777", "Bob", "INTERNAL ONLY", provider.secret("api_key")):
        assert private not in everything
    call = ProviderCall.objects.get()
    assert (call.agent, call.conversation, call.action, call.model) == (
        agent,
        parcel,
        "draft",
        "gpt-test",
    )
    assert call.ok and call.error == ""
    assert call.prompt_tokens > 20 and call.completion_tokens == 7


def test_a_rewrite_sends_only_the_agents_text_and_the_tone(web, provider, fake_openai, parcel):
    fake_openai.reply = "Hi Ann! Happy to help."

    response = ask(web, parcel.pk, "rewrite", tone="friendlier", text="Your request is noted.")

    assert response.json() == {"text": "Hi Ann! Happy to help."}
    system, user = fake_openai.requests[0]["messages"]
    assert "warmer and friendlier" in system["content"]
    assert user["content"] == "Your request is noted."
    assert "parcel" not in json.dumps(fake_openai.requests[0])


def test_translations_go_between_the_customers_and_the_agents_languages(web, provider, fake_openai):
    message = inbound(make_channel(), "안녕하세요, 주문한 상품이 아직 도착하지 않았어요.")

    ask(web, message.conversation_id, "translate_in")
    ask(web, message.conversation_id, "translate_out", text="It ships tomorrow.")

    into_english, into_korean = (r["messages"] for r in fake_openai.requests)
    assert "into English" in into_english[0]["content"]
    assert "아직 도착하지 않았어요" in into_english[1]["content"]
    assert "into Korean" in into_korean[0]["content"]
    assert into_korean[1]["content"] == "It ships tomorrow."


@pytest.mark.parametrize(
    ("failure", "says"),
    [
        ("429", "busy or over its quota"),
        ("500", "failed (HTTP 500)"),
        ("malformed", "format Parley cannot read"),
        ("empty", "without any text"),
        ("slow:2", "did not answer within 1 seconds"),
    ],
    ids=["rate_limited_case", "server_error_case", "malformed_case", "empty_case", "timeout_case"],
)
def test_provider_failures_tell_the_agent_and_are_logged(
    web, provider, fake_openai, parcel, failure, says
):
    ProviderSettings.objects.filter(pk=provider.pk).update(timeout=1)
    fake_openai.fail_next(failure)

    response = ask(web, parcel.pk, "summary")

    assert response.status_code == 502
    assert response.json()["code"] == "assist_provider_failed"
    assert says in response.json()["detail"]
    call = ProviderCall.objects.get()
    assert not call.ok and says in call.error and call.prompt_tokens is None


def test_a_wrong_key_is_reported_without_any_part_of_it(web, provider, fake_openai, parcel):
    provider.set_secret("api_key", "sk-wrong-key-abcdefghijkl")
    provider.save()

    response = ask(web, parcel.pk, "draft")

    detail = response.json()["detail"]
    assert response.status_code == 502
    assert "refused the API key" in detail and "Incorrect API key provided" in detail
    logged = ProviderCall.objects.get().error
    for part in ("sk-wrong-key-abcdefghijkl", "sk-", "ijkl"):
        assert part not in detail and part not in logged


def test_an_unreachable_provider_is_a_clear_error(web, provider, parcel):
    ProviderSettings.objects.filter(pk=provider.pk).update(url=f"http://127.0.0.1:{free_port()}")

    response = ask(web, parcel.pk, "draft")

    assert response.status_code == 502
    assert "cannot be reached" in response.json()["detail"]
    assert not ProviderCall.objects.get().ok


@pytest.mark.parametrize("url", ["http://xn--a.example/v1", "http://[::1:99/v1"])
def test_an_address_httpx_cannot_use_is_a_clear_error(web, provider, parcel, url):
    # The settings form accepts the first (a 500 for every agent who asked).
    ProviderSettings.objects.filter(pk=provider.pk).update(url=url)

    response = ask(web, parcel.pk, "draft")

    assert response.status_code == 502
    assert "cannot be reached" in response.json()["detail"]
    assert not ProviderCall.objects.get().ok


@pytest.mark.parametrize(
    ("fields", "code", "says"),
    [
        ({"action": "draft"}, "assist_off", "is off"),
        ({"action": "poem"}, "invalid", "Select a valid choice"),
        ({"action": "rewrite", "tone": "friendlier"}, "invalid", "Write something"),
        ({"action": "rewrite", "text": "Hi"}, "invalid", "Pick a tone"),
        ({"action": "rewrite", "text": "x" * 5001, "tone": "formal"}, "invalid", "At most 5000"),
    ],
    ids=["off_case", "unknown_action_case", "no_text_case", "no_tone_case", "too_long_case"],
)
def test_bad_requests_are_refused_before_any_call(web, fake_openai, parcel, fields, code, says):
    if code != "assist_off":
        ProviderSettings(enabled=True, url=fake_openai.url, model="m").save()

    response = web.post(f"/assist/c/{parcel.pk}/ask/", fields)

    assert response.status_code == 400
    assert response.json()["code"] == code and says in response.json()["detail"]
    assert fake_openai.requests == [] and not ProviderCall.objects.exists()


def test_translating_a_reply_needs_the_customers_language(web, provider, fake_openai):
    message = inbound(make_channel(), "ok")

    response = ask(web, message.conversation_id, "translate_out", text="Thanks!")

    assert response.status_code == 400
    assert response.json()["code"] == "assist_no_language"


def test_the_panel_offers_the_models_actions_once_set_up(web, provider, parcel):
    page = web.get(f"/assist/c/{parcel.pk}/").content.decode()

    assert 'data-assist-action="draft"' in page
    assert 'data-assist-action="rewrite" data-tone="shorter"' in page
