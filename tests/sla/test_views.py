"""Due times where agents and admins see them: inbox views and sort, the conversation page,
the API and Settings."""

from datetime import timedelta

import pytest
from django.test import Client

from parley.conversations import actions
from parley.conversations.models import Conversation, Priority, Status
from parley.sla.models import ConversationSla, SlaPolicy
from parley.sla.tracking import mark_breaches, track_sla
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_web(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def queue(admin, commit):
    """Four conversations: one breached, one due within the window, one due later, one
    pending."""
    SlaPolicy.objects.create(
        name="Low", priorities=[Priority.LOW], first_response_minutes=600, business_hours=False
    )
    SlaPolicy.objects.create(
        name="Standard", position=1, first_response_minutes=10, business_hours=False
    )
    channel = factories.make_channel("api")
    found = {}
    for name in ("breached", "soon", "later", "pending"):
        with commit():
            message = factories.inbound(channel, f"{name} question", sender=f"{name}@example.com")
        found[name] = Conversation.objects.get(pk=message.conversation_id)
    with commit():
        actions.set_priority(admin, found["later"], Priority.LOW)
        actions.set_status(admin, found["pending"], Status.PENDING)
    _age(found["breached"], hours=2)
    return found


def _age(conversation: Conversation, hours: int) -> None:
    earlier = conversation.created_at - timedelta(hours=hours)
    Conversation.objects.filter(pk=conversation.pk).update(created_at=earlier)
    ConversationSla.objects.filter(conversation=conversation).update(started_at=earlier)
    conversation.refresh_from_db()
    track_sla(conversation)


def ids(response) -> list[int]:
    return [c.pk for c in response.context["page"].object_list]


def test_breaching_soon_and_breached_views(admin_web, queue):
    assert ids(admin_web.get("/inbox/all/?sla=soon")) == [queue["soon"].pk]
    assert ids(admin_web.get("/inbox/all/?sla=breached")) == [queue["breached"].pk]
    assert len(ids(admin_web.get("/inbox/all/?sla=nonsense"))) == 4  # ignored, like other filters


def test_due_soonest_sort_puts_conversations_without_a_running_clock_last(admin_web, queue):
    order = ids(admin_web.get("/inbox/all/?sort=due"))
    assert order == [queue[name].pk for name in ("breached", "soon", "later", "pending")]


def test_rows_and_the_conversation_page_say_when_it_is_due(admin_web, queue):
    page = admin_web.get("/inbox/all/").content.decode()
    assert "First response breached 1\xa0hour, 50\xa0minutes ago" in page
    assert "First response due in 9\xa0minutes" in page
    assert "SLA paused while pending" in page
    assert 'class="sla sla-soon"' in page and 'class="sla sla-breached"' in page

    shown = admin_web.get(f"/c/{queue['later'].pk}/").content.decode()
    assert 'class="sla sla-due"' in shown and "First response due in 9\xa0hours" in shown


def test_a_breach_reads_on_the_timeline(admin_web, queue, commit):
    with commit():
        mark_breaches()
    shown = admin_web.get(f"/c/{queue['breached'].pk}/").content.decode()
    assert "SLA “Standard”: First response missed, due" in shown


def test_the_api_gives_due_times_and_filters_by_them(api, queue):
    one = api.get(f"/api/v1/conversations/{queue['soon'].pk}").json()
    sla = ConversationSla.objects.get(conversation=queue["soon"])
    assert one["sla"]["policy"] == "Standard"
    assert one["sla"]["next_due_at"].startswith(sla.next_due_at.isoformat()[:19])
    assert one["sla"]["paused"] is False
    paused = api.get(f"/api/v1/conversations/{queue['pending'].pk}").json()
    assert paused["sla"]["paused"] is True and paused["sla"]["next_due_at"] is None

    late = api.get("/api/v1/conversations?sla=breached").json()["items"]
    assert [c["id"] for c in late] == [queue["breached"].pk]
    bad = api.get("/api/v1/conversations?sla=overdue")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_sla"


def test_the_api_list_reads_the_policies_with_the_clocks(api, queue, django_assert_num_queries):
    # Token, its last use, the page, then one query per related kind: none per row.
    with django_assert_num_queries(7):
        listed = api.get("/api/v1/conversations?view=all")
    assert {c["sla"]["policy"] for c in listed.json()["items"]} == {"Low", "Standard"}


def test_conversations_without_clocks_say_so_in_the_api(api, api_channel, commit):
    with commit():
        message = factories.inbound(api_channel, "no policies yet")
    assert api.get(f"/api/v1/conversations/{message.conversation_id}").json()["sla"] is None


def policy_form(**changes) -> dict:
    form = {
        "name": "VIP",
        "enabled": "on",
        "position": "0",
        "priorities": [str(Priority.URGENT), str(Priority.HIGH)],
        "channel_kinds": ["instagram"],
        "first_response_minutes": "15",
        "next_response_minutes": "",
        "resolution_minutes": "240",
        "business_hours": "on",
    }
    return {**form, **changes}


def test_admins_set_policies_in_settings_with_validation(admin_web):
    added = admin_web.post("/django-admin/sla/slapolicy/add/", policy_form())
    assert added.status_code == 302
    saved = SlaPolicy.objects.get()
    assert saved.priorities == [Priority.URGENT, Priority.HIGH]
    assert saved.channel_kinds == ["instagram"]

    none = admin_web.post(
        "/django-admin/sla/slapolicy/add/",
        policy_form(first_response_minutes="", resolution_minutes=""),
    )
    assert "Set at least one target." in none.content.decode()
    for field, value in [
        ("first_response_minutes", "0"),
        ("priorities", ["7"]),
        ("channel_kinds", ["fax"]),
    ]:
        refused = admin_web.post("/django-admin/sla/slapolicy/add/", policy_form(**{field: value}))
        assert refused.status_code == 200
        assert field in refused.context["adminform"].form.errors
    assert SlaPolicy.objects.count() == 1


def test_a_changed_policy_recomputes_its_open_conversations(admin_web, queue, commit):
    standard = SlaPolicy.objects.get(name="Standard")
    with commit():
        changed = admin_web.post(
            f"/django-admin/sla/slapolicy/{standard.pk}/change/",
            policy_form(
                name="Standard",
                priorities=[],
                channel_kinds=[],
                position="1",
                first_response_minutes="120",
                resolution_minutes="",
            ),
        )
    assert changed.status_code == 302
    soon = ConversationSla.objects.get(conversation=queue["soon"])
    assert soon.first_response_due_at == queue["soon"].created_at + timedelta(minutes=120)
    assert soon.resolution_due_at is None
