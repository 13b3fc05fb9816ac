"""An agent's presence and end of shift, in the workspace and through the API."""

from django.test import Client

from parley.accounts.models import Policy, Presence
from parley.conversations.models import EntryKind, Status
from tests import factories
from tests.conftest import api_client


def test_the_top_bar_sets_presence_and_comes_back(web, agent):
    page = web.get("/inbox/")
    assert 'name="presence"' in page.content.decode()

    answer = web.post("/me/presence/", {"presence": "away", "next": "/inbox/all/"})
    assert answer.status_code == 302 and answer.url == "/inbox/all/"
    agent.refresh_from_db()
    assert agent.presence == Presence.AWAY

    bad = web.post("/me/presence/", {"presence": "asleep", "next": "https://evil.example/"})
    assert bad.url == "/inbox/"  # never sent elsewhere
    agent.refresh_from_db()
    assert agent.presence == Presence.AWAY
    assert "Choose online, away or offline." in web.get("/inbox/").content.decode()


def test_ending_a_shift_hands_work_to_the_next_team(web, agent, api_channel):
    day, night = factories.make_team("Day", [agent]), factories.make_team("Night")
    day.next_shift = night
    day.save()
    moved = []
    for n in range(2):
        c = factories.inbound(api_channel, sender=f"s{n}@example.com").conversation
        c.assignee, c.status = agent, Status.OPEN
        c.save()
        moved.append(c)

    form = web.get("/me/end-shift/").content.decode()
    assert "2 open conversations will be handed off" in form
    assert f'<option value="{night.pk}" selected>' in form

    done = web.post("/me/end-shift/", {"team": night.pk, "note": "Two refunds pending"})
    assert done.status_code == 302
    for c in moved:
        c.refresh_from_db()
        assert (c.assignee, c.team) == (None, night)  # Night assigns by hand
        assert c.timeline.filter(kind=EntryKind.HANDOFF).last().data["note"] == (
            "Two refunds pending"
        )
    agent.refresh_from_db()
    assert agent.presence == Presence.OFFLINE
    assert "2 conversations handed off to Night." in web.get("/inbox/").content.decode()


def test_only_leads_end_someone_elses_shift(web, admin):
    assert web.get(f"/me/end-shift/?agent={admin.pk}").status_code == 403
    lead = Client()
    lead.force_login(admin)
    assert lead.get(f"/me/end-shift/?agent={admin.pk}").status_code == 200
    assert lead.get("/me/end-shift/?agent=999999").status_code == 404


def test_a_missing_team_is_a_form_error(web):
    page = web.post("/me/end-shift/", {"team": 424242, "note": ""})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_api_presence_handoff_and_rating(agent, admin, api_channel):
    api = api_client(agent)
    assert api.put(
        "/api/v1/me/presence", {"presence": "offline"}, content_type="application/json"
    ).json() == {"id": agent.pk, "presence": "offline"}
    wrong = api.put("/api/v1/me/presence", {"presence": "gone"}, content_type="application/json")
    assert wrong.status_code == 400 and "presence: one of" in wrong.json()["detail"]

    team = factories.make_team("Care", [agent])
    team.policy = Policy.ROUND_ROBIN
    team.save()
    c = factories.inbound(api_channel).conversation
    c.assignee, c.status = agent, Status.OPEN
    c.save()
    someone_else = api.post(
        f"/api/v1/agents/{admin.pk}/end-shift",
        {"team_id": team.pk},
        content_type="application/json",
    )
    assert someone_else.status_code == 403
    mine = api.post(
        f"/api/v1/agents/{agent.pk}/end-shift",
        {"team_id": team.pk, "note": "bye"},
        content_type="application/json",
    )
    assert mine.json() == {"moved": 1}

    url = f"/api/v1/conversations/{c.pk}/rating"
    own_work = api.put(url, {"score": 5}, content_type="application/json")
    assert own_work.status_code == 403  # agents cannot rate themselves up
    lead = api_client(admin)
    rated = lead.put(url, {"score": 5}, content_type="application/json")
    assert rated.status_code == 200 and rated.json()["score"] == 5
    again = lead.put(url, {"score": 2, "comment": "slow"}, content_type="application/json")
    assert again.json()["score"] == 2
    out_of_range = lead.put(url, {"score": 9}, content_type="application/json")
    assert out_of_range.status_code == 400 and "1 to 5" in out_of_range.json()["detail"]
