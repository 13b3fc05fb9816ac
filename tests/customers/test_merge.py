"""Merging profiles moves everything and is recorded; unmerging restores exactly."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.conversations.models import Conversation, EntryKind, TimelineEntry
from parley.core.errors import Conflict, InvalidInput
from parley.customers.merge import merge_customers, preview_merge, unmerge_customers
from parley.customers.models import Customer, CustomerNote, Identity, MergeSuggestion, Order
from tests import factories

KINDS = ["email", "phone", "instagram", "messenger", "chat"]


def snapshot() -> dict:
    """Every row a merge may touch, with its owner, and every profile's own fields."""
    rows = {
        model.__name__: dict(model.objects.values_list("pk", "customer_id"))
        for model in (Identity, Conversation, CustomerNote, Order)
    }
    profiles = {
        c.pk: (c.name, c.attributes, c.merged_into_id) for c in Customer.objects.order_by("pk")
    }
    return {"rows": rows, "profiles": profiles}


def make_profile(channel, n: int, *, conversations: int, notes: int, orders: int, attributes):
    first = factories.inbound(channel, sender=f"p{n}-0@example.com", name=f"Person {n}")
    customer = first.conversation.customer
    for i in range(1, conversations):
        factories.inbound(channel, sender=f"p{n}-0@example.com", thread=f"t{n}-{i}")
    Identity.objects.create(customer=customer, kind="instagram", value=f"ig-{n}")
    for i in range(notes):
        CustomerNote.objects.create(customer=customer, body=f"note {n}.{i}", pinned=i == 0)
    for i in range(orders):
        Order.objects.create(
            customer=customer, source="api", external_id=f"{n}-{i}", number=f"{n}0{i}"
        )
    customer.attributes = attributes
    customer.save()
    return customer


attribute_values = st.dictionaries(
    st.sampled_from(["vip", "language", "tier", "tags", "note"]),
    st.one_of(
        st.booleans(),
        st.sampled_from(["ko", "en", "gold", ""]),
        st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
    ),
    max_size=4,
)
profiles = st.lists(
    st.tuples(st.integers(1, 3), st.integers(0, 2), st.integers(0, 2), attribute_values),
    min_size=2,
    max_size=4,
)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shapes=profiles)
def test_merge_then_unmerge_restores_everything(shapes, admin):
    channel = factories.make_channel("api")
    try:
        with transaction.atomic():
            customers = [
                make_profile(channel, n, conversations=c, notes=no, orders=o, attributes=a)
                for n, (c, no, o, a) in enumerate(shapes)
            ]
            before = snapshot()
            target, sources = customers[0], customers[1:]
            merge = merge_customers(admin, target, sources)

            after = snapshot()
            for model, owners in after["rows"].items():
                # Nothing lost, nothing doubled: the same rows, the sources' now the target's.
                assert owners.keys() == before["rows"][model].keys(), model
                assert set(owners.values()) <= {c.pk for c in customers}
                assert {o for o in owners.values() if o in {s.pk for s in sources}} == set()
            assert all(after["profiles"][s.pk][2] == target.pk for s in sources)

            unmerge_customers(admin, merge)
            assert snapshot() == before
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db
def test_merge_moves_conversations_and_records_it_on_their_timelines(admin, api_channel):
    email = factories.inbound(api_channel, sender="jane@example.com", name="Jane").conversation
    dm = factories.inbound(
        api_channel, sender="jane.ig", kind="instagram", name="jane"
    ).conversation
    target, source = email.customer, dm.customer
    source.attributes = {"vip": True, "language": "ko", "tags": ["wholesale"]}
    source.save()
    target.attributes = {"language": "en", "tags": ["returns"]}
    target.save()

    preview = preview_merge(target, [source])
    assert preview.counts == {"identities": 1, "conversations": 1, "notes": 0, "orders": 0}
    assert preview.attributes == {"vip": True, "language": "en", "tags": ["returns", "wholesale"]}
    assert preview.conflicts == {"language": {"kept": "en", "dropped": ["ko"]}}

    merge = merge_customers(admin, target, [source])
    assert set(target.conversations.all()) == {email, dm}
    target.refresh_from_db()
    assert target.attributes == preview.attributes
    entry = TimelineEntry.objects.get(conversation=dm, kind=EntryKind.CUSTOMER_MERGED)
    assert entry.actor == admin and entry.data["merge"] == merge.pk
    assert entry.data["source"] == "jane"

    unmerge_customers(admin, merge)
    dm.refresh_from_db()
    assert dm.customer_id == source.pk
    target.refresh_from_db()
    assert target.attributes == {"language": "en", "tags": ["returns"]}
    assert TimelineEntry.objects.filter(conversation=dm, kind=EntryKind.CUSTOMER_UNMERGED).exists()


@pytest.mark.django_db
def test_unmerge_keeps_later_edits_and_later_conversations(admin, api_channel):
    target = factories.inbound(api_channel, sender="a@example.com").conversation.customer
    source = factories.inbound(api_channel, sender="b@example.com").conversation.customer
    source.attributes = {"tier": "gold"}
    source.save()
    merge = merge_customers(admin, target, [source])
    target.refresh_from_db()
    target.attributes["language"] = "ko"  # an agent's edit after the merge
    target.save()
    later = factories.inbound(api_channel, sender="b@example.com", thread="new").conversation

    unmerge_customers(admin, merge)
    target.refresh_from_db()
    later.refresh_from_db()
    assert target.attributes == {"language": "ko"}
    # b@example.com went back to its profile; the conversation that arrived in between
    # stays with the kept one (it was never moved).
    assert later.customer_id == target.pk
    assert Identity.objects.get(value="b@example.com").customer_id == source.pk


@pytest.mark.django_db
def test_merge_refuses_what_makes_no_sense(admin, api_channel):
    a = factories.inbound(api_channel, sender="a@example.com").conversation.customer
    b = factories.inbound(api_channel, sender="b@example.com").conversation.customer
    c = factories.inbound(api_channel, sender="c@example.com").conversation.customer
    with pytest.raises(InvalidInput, match="itself"):
        merge_customers(admin, a, [a])
    with pytest.raises(InvalidInput, match="at least one"):
        merge_customers(admin, a, [])
    first = merge_customers(admin, a, [b])
    b.refresh_from_db()
    with pytest.raises(Conflict, match="already merged"):
        merge_customers(admin, c, [b])
    a.refresh_from_db()
    second = merge_customers(admin, c, [a])
    with pytest.raises(Conflict, match="undo that first"):
        unmerge_customers(admin, first)
    unmerge_customers(admin, second)
    unmerge_customers(admin, first)
    with pytest.raises(Conflict, match="already undone"):
        unmerge_customers(admin, first)
    assert {i.value: i.customer_id for i in Identity.objects.all()} == {
        "a@example.com": a.pk,
        "b@example.com": b.pk,
        "c@example.com": c.pk,
    }


@pytest.mark.django_db
def test_merge_resolves_the_suggestion_between_them(admin, api_channel):
    a = factories.inbound(api_channel, sender="jdoe@gmail.com").conversation.customer
    b = factories.inbound(api_channel, sender="j.doe+shop@gmail.com").conversation.customer
    suggestion = MergeSuggestion.objects.get()
    assert {suggestion.customer_id, suggestion.other_id} == {a.pk, b.pk}
    merge_customers(admin, a, [b])
    suggestion.refresh_from_db()
    assert suggestion.resolved_at is not None
