"""Merging customer profiles that are one person, and undoing it exactly.

A merge keeps one profile (the target) and moves everything of the others onto it:
identities, conversations, profile notes and orders. The merged profiles stay, empty and
marked `merged_into`, and the merge records the ids of every row it moved, so that an
unmerge moves exactly those rows back. Conversations that arrived after the merge stay with
the kept profile.

Attributes follow one rule, shown in the preview: the kept profile's values win; values it
lacks are taken from the merged profiles (in the order given); tags are combined; VIP if
any of them is VIP. The kept profile's name stays unless it has none.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from parley.accounts.models import Agent
from parley.conversations import timeline
from parley.conversations.models import Conversation
from parley.core.errors import Conflict, InvalidInput
from parley.realtime.push import push_conversation_on_commit

from .models import Customer, CustomerMerge, CustomerNote, Identity, MergeSuggestion, Order

MAX_SOURCES = 10
# What a merge moves, by the model that holds the customer foreign key.
MOVED: dict[str, type[Identity | Conversation | CustomerNote | Order]] = {
    "identities": Identity,
    "conversations": Conversation,
    "notes": CustomerNote,
    "orders": Order,
}


@dataclass
class MergePreview:
    target: Customer
    sources: list[Customer]
    # Rows that will move, per kind: {"identities": 3, "conversations": 2, …}.
    counts: dict[str, int]
    name: str
    attributes: dict
    # Attributes whose values differ: {key: {"kept": value, "dropped": [values]}}.
    conflicts: dict[str, dict] = field(default_factory=dict)


def preview_merge(target: Customer, sources: Sequence[Customer]) -> MergePreview:
    """What merge_customers would do, changing nothing."""
    _check(target, sources)
    ids = [source.pk for source in sources]
    counts = {
        kind: model.objects.filter(customer_id__in=ids).count() for kind, model in MOVED.items()
    }
    attributes, conflicts = combined_attributes(target, sources)
    return MergePreview(
        target=target,
        sources=list(sources),
        counts=counts,
        name=_combined_name(target, sources),
        attributes=attributes,
        conflicts=conflicts,
    )


@transaction.atomic
def merge_customers(agent: Agent, target: Customer, sources: Sequence[Customer]) -> CustomerMerge:
    """Move everything of `sources` onto `target`; recorded, and undoable."""
    locked = _lock([target.pk, *(source.pk for source in sources)])
    target, sources = locked[target.pk], [locked[source.pk] for source in sources]
    _check(target, sources)
    before = {"name": target.name, "attributes": dict(target.attributes)}
    target.attributes, _ = combined_attributes(target, sources)
    target.name = _combined_name(target, sources)
    target.save()
    moved = {str(source.pk): _move_rows(source.pk, target.pk) for source in sources}
    Customer.objects.filter(pk__in=[source.pk for source in sources]).update(merged_into=target)
    merge = CustomerMerge.objects.create(
        target=target,
        actor=agent,
        moved=moved,
        target_before=before,
        target_after={"name": target.name, "attributes": target.attributes},
    )
    _resolve_suggestions(target, sources)
    names = {source.pk: str(source) for source in sources}
    for conversation in _moved_conversations(moved):
        source_id = conversation.customer_id  # still the old owner in this loaded copy
        timeline.customer_merged(
            conversation=conversation,
            actor=agent,
            merge_id=merge.pk,
            source=names.get(source_id, ""),
            target=str(target),
        )
        push_conversation_on_commit(conversation, "customer")
    return merge


@transaction.atomic
def unmerge_customers(agent: Agent, merge: CustomerMerge) -> list[Customer]:
    """Put back exactly what `merge` moved; the profiles it emptied are listed again."""
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict("this merge was already undone", code="merge_undone")
    target = _lock([merge.target_id])[merge.target_id]
    if target.merged_into_id is not None:
        raise Conflict(
            f"{target} was itself merged into another profile since: undo that first",
            code="merge_nested",
        )
    restored = []
    for source_id, rows in merge.moved.items():
        for kind, model in MOVED.items():
            model.objects.filter(pk__in=rows.get(kind, []), customer_id=target.pk).update(
                customer_id=int(source_id)
            )
        restored.append(int(source_id))
    Customer.objects.filter(pk__in=restored).update(merged_into=None)
    _restore_target(target, merge)
    merge.undone_at = timezone.now()
    merge.undone_by = agent
    merge.save()
    for conversation in _moved_conversations(merge.moved):
        timeline.customer_unmerged(
            conversation=conversation, actor=agent, merge_id=merge.pk, target=str(target)
        )
        push_conversation_on_commit(conversation, "customer")
    return list(Customer.objects.filter(pk__in=restored))


def combined_attributes(target: Customer, sources: Sequence[Customer]) -> tuple[dict, dict]:
    """The kept profile's attributes after the merge, and the values that lose."""
    result = dict(target.attributes)
    conflicts: dict[str, dict] = {}
    for source in sources:
        for key, value in source.attributes.items():
            if key == "tags":
                result["tags"] = _union(result.get("tags"), value)
            elif key == "vip":
                result["vip"] = bool(result.get("vip")) or bool(value)
            elif key not in result or result[key] in (None, ""):
                result[key] = value
            elif result[key] != value:
                conflict = conflicts.setdefault(key, {"kept": result[key], "dropped": []})
                conflict["dropped"].append(value)
    return result, conflicts


def _union(first: object, second: object) -> list:
    items = [
        *(first if isinstance(first, list) else []),
        *(second if isinstance(second, list) else []),
    ]
    return list(dict.fromkeys(str(item) for item in items))


def _combined_name(target: Customer, sources: Sequence[Customer]) -> str:
    return target.name or next((source.name for source in sources if source.name), "")


def _check(target: Customer, sources: Sequence[Customer]) -> None:
    ids = [source.pk for source in sources]
    if not ids:
        raise InvalidInput("choose at least one profile to merge", code="merge_nothing")
    if len(ids) > MAX_SOURCES:
        raise InvalidInput(f"merge at most {MAX_SOURCES} profiles at once", code="merge_too_many")
    if target.pk in ids or len(set(ids)) != len(ids):
        raise InvalidInput("a profile cannot be merged into itself", code="merge_self")
    merged = [c for c in [target, *sources] if c.merged_into_id is not None]
    if merged:
        raise Conflict(f"{merged[0]} is already merged into another profile", code="merge_merged")


def _lock(ids: list[int]) -> dict[int, Customer]:
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=ids)}
    missing = set(ids) - locked.keys()
    if missing:
        raise InvalidInput(f"no such customer: {min(missing)}", code="merge_unknown")
    return locked


def _move_rows(source_id: int, target_id: int) -> dict[str, list[int]]:
    rows = {}
    for kind, model in MOVED.items():
        ids = list(model.objects.filter(customer_id=source_id).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(customer_id=target_id)
        rows[kind] = ids
    return rows


def _moved_conversations(moved: dict) -> list[Conversation]:
    """The conversations a merge moved, each with the owner it had before (for wording)."""
    conversations = []
    for source_id, rows in moved.items():
        for conversation in Conversation.objects.filter(pk__in=rows.get("conversations", [])):
            conversation.customer_id = int(source_id)
            conversations.append(conversation)
    return conversations


def _resolve_suggestions(target: Customer, sources: Sequence[Customer]) -> None:
    ids = [target.pk, *(source.pk for source in sources)]
    MergeSuggestion.objects.filter(
        customer_id__in=ids, other_id__in=ids, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


def _restore_target(target: Customer, merge: CustomerMerge) -> None:
    """Undo the merge's changes to the kept profile, but not later edits by agents."""
    before, after = merge.target_before, merge.target_after
    if target.name == after.get("name"):
        target.name = before.get("name", target.name)
    attributes = dict(target.attributes)
    old, new = before.get("attributes", {}), after.get("attributes", {})
    for key in set(old) | set(new):
        if old.get(key) == new.get(key) or attributes.get(key) != new.get(key):
            continue  # unchanged by the merge, or changed by someone since
        if key in old:
            attributes[key] = old[key]
        else:
            attributes.pop(key, None)
    target.attributes = attributes
    target.save()
