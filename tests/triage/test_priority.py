"""The priority score: each signal adds up to its weight, more for a stronger signal, the
total stays within 0 to 100, and every point is explained."""

from dataclasses import replace
from decimal import Decimal

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from parley.triage.models import PrioritySettings
from parley.triage.priority import Signals, explain, followers_of, score

WEIGHTS = PrioritySettings()  # the defaults, unsaved


def test_a_calm_message_from_a_new_customer_scores_nothing():
    assert score(Signals(), WEIGHTS) == (0, [])


def test_each_signal_adds_points_with_a_reason():
    signals = Signals(
        urgent_words=("refund", "환불"),
        sentiment=-0.8,
        vip=True,
        order_count=5,
        lifetime_value=Decimal("500"),
        followers=10_000,
        waiting_minutes=180,
        sla_due_minutes=10,
    )
    value, reasons = score(signals, WEIGHTS)
    points = {reason.signal: reason.points for reason in reasons}
    assert points == {
        "urgency": 20,  # two words: 80 % of 25
        "negative": 16,  # 0.8 of 20
        "vip": 15,
        "orders": 5,  # half of 10 at 5 of 10 orders
        "lifetime_value": 5,  # half of 1,000
        "followers": 3,  # a third of the way from 1,000 to 1,000,000
        "waiting": 11,  # 3 of 4 hours
        "sla": 24,  # 10 minutes left of the 4-hour horizon
    }
    assert value == 99
    assert [r.signal for r in reasons][:2] == ["sla", "urgency"]  # biggest first


def test_the_score_is_capped_at_100_and_weights_change_it():
    everything = Signals(
        urgent_words=("a", "b", "c"), sentiment=-1, vip=True, order_count=50,
        lifetime_value=Decimal(10**6), followers=10**7, waiting_minutes=10**4,
        sla_due_minutes=-30,
    )  # fmt: skip
    assert score(everything, WEIGHTS)[0] == 100
    quiet = PrioritySettings(**{**{f"{s}_points": 0 for s in SIGNALS}, "vip_points": 40})
    assert score(everything, quiet) == (40, score(Signals(vip=True), quiet)[1])


def test_reasons_are_worded_with_their_numbers_in_the_agents_language():
    signals = Signals(
        urgent_words=("refund", "환불"), vip=True, waiting_minutes=185, sla_due_minutes=10
    )
    stored = [reason.as_json() for reason in score(signals, WEIGHTS)[1]]
    with translation.override("en"):
        assert explain(stored) == [
            "SLA due in 10 min (+24)",
            "urgent words: refund, 환불 (+20)",
            "VIP customer (+15)",
            "waiting 3 h (+12)",
        ]
    late = score(Signals(sla_due_minutes=-90, followers=2_500_000), WEIGHTS)[1]
    with translation.override("en"):
        assert explain(r.as_json() for r in late) == [
            "SLA overdue by 1 h (+25)",
            "2,500,000 followers (+10)",
        ]
    assert explain([{"signal": "gone"}, "junk"]) == []  # written by an older version


def test_follower_counts_are_read_defensively():
    assert followers_of({"followers": 1200}) == 1200
    assert followers_of({"followers": "3400"}) == 3400
    for junk in ({}, {"followers": "many"}, {"followers": -5}, {"followers": True}, None):
        assert followers_of(junk) == 0


SIGNALS = ("urgency", "negative", "vip", "orders", "lifetime_value", "followers", "waiting", "sla")
signals = st.builds(
    Signals,
    urgent_words=st.lists(st.text(min_size=1, max_size=5), max_size=5).map(tuple),
    sentiment=st.floats(-1, 1),
    vip=st.booleans(),
    order_count=st.integers(0, 1000),
    lifetime_value=st.decimals(0, 10**7, places=2),
    followers=st.integers(0, 10**9),
    waiting_minutes=st.floats(0, 10**6),
    sla_due_minutes=st.none() | st.floats(-(10**5), 10**5),
)
weights = st.builds(
    PrioritySettings,
    **{f"{signal}_points": st.integers(0, 100) for signal in SIGNALS},
    lifetime_value_full=st.decimals(1, 10**6, places=2),
)


def stronger(base: Signals, data: st.DataObject) -> Signals:
    """The same signals with one of them stronger (or as strong)."""
    which = data.draw(st.sampled_from(SIGNALS))
    bigger = {
        "urgency": lambda: {"urgent_words": (*base.urgent_words, "more")},
        "negative": lambda: {"sentiment": data.draw(st.floats(-1, base.sentiment))},
        "vip": lambda: {"vip": True},
        "orders": lambda: {"order_count": base.order_count + data.draw(st.integers(0, 100))},
        "lifetime_value": lambda: {
            "lifetime_value": base.lifetime_value + data.draw(st.decimals(0, 10**5, places=2))
        },
        "followers": lambda: {"followers": base.followers + data.draw(st.integers(0, 10**8))},
        "waiting": lambda: {
            "waiting_minutes": base.waiting_minutes + data.draw(st.floats(0, 10**4))
        },
        "sla": lambda: {
            "sla_due_minutes": data.draw(st.floats(-(10**5), base.sla_due_minutes))
            if base.sla_due_minutes is not None
            else data.draw(st.floats(-(10**5), 10**5))
        },
    }[which]()
    return replace(base, **bigger)


@given(signals, weights)
def test_the_score_stays_within_0_and_100_and_adds_up(base, weights):
    value, reasons = score(base, weights)
    assert 0 <= value <= 100
    assert value == min(100, sum(reason.points for reason in reasons))
    for reason in reasons:
        assert 0 < reason.points <= getattr(weights, f"{reason.signal}_points")


@given(signals, weights, st.data())
def test_a_stronger_signal_never_lowers_the_score(base, weights, data):
    assert score(stronger(base, data), weights)[0] >= score(base, weights)[0]
