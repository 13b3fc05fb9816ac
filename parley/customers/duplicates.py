"""Likely duplicates: profiles that are probably one person, suggested to agents.

Nothing here merges. Two profiles are suggested when an identity of one and an identity of
the other share a match key (the same phone number as a phone and a WhatsApp id; one
e-mail address written with dots or a +tag), when one message carried identifiers of both,
or when they have the same name and a similar contact.
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from parley.accounts.models import Agent
from parley.core.text import storable

from .models import Customer, Identity, IdentityKind, MergeSuggestion, SuggestionReason

# Providers that ignore dots in the local part (and alias googlemail.com).
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def match_key(kind: str, value: str) -> str:
    """What identities of one person share; "" for kinds never matched across profiles.
    `value` is already normalised."""
    if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        return "tel:" + value
    if kind == IdentityKind.EMAIL:
        local, _, domain = value.rpartition("@")
        local = local.split("+", 1)[0] or local
        if domain in DOTLESS_DOMAINS:
            local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
        return f"mailto:{local}@{domain}"
    return ""


def suggest_merge(customer: Customer, other: Customer, reason: str, evidence: str) -> None:
    """Record that two profiles look like one person, once per pair (a dismissed pair is
    never suggested again)."""
    if customer.pk == other.pk:
        return
    first, second = sorted((customer.pk, other.pk))
    try:
        with transaction.atomic():
            MergeSuggestion.objects.get_or_create(
                customer_id=first,
                other_id=second,
                defaults={"reason": reason, "evidence": storable(evidence[:300])},
            )
    except IntegrityError:
        pass  # A concurrent worker suggested the same pair.


def suggest_for_new_identities(new: Sequence[tuple[int, str, str]]) -> None:
    """Suggest merges for identities just created — (customer id, kind, value) — whose match
    key another customer's identity has: one query for all of them."""
    keys = {(customer_id, match_key(kind, value)) for customer_id, kind, value in new}
    keys = {(customer_id, key) for customer_id, key in keys if key}
    if not keys:
        return
    matches = _matching(match_key__in={key for _, key in keys}).values_list(
        "customer_id", "match_key", "value"
    )
    by_key: dict[str, list[tuple[int, str]]] = {}
    for customer_id, key, value in matches:
        by_key.setdefault(key, []).append((customer_id, value))
    for customer_id, key in keys:
        for other_id, value in by_key.get(key, []):
            if other_id != customer_id:
                reason = _reason_for(key)
                suggest_merge(Customer(pk=customer_id), Customer(pk=other_id), reason, value)


def _matching(**lookup: object) -> QuerySet[Identity]:
    """Identities by match key through the partial index: SQLite uses a partial index only
    when the query repeats its condition word for word."""
    return Identity.objects.filter(**lookup).exclude(match_key="").order_by()


def _reason_for(key: str) -> str:
    return SuggestionReason.SAME_PHONE if key.startswith("tel:") else SuggestionReason.SAME_EMAIL


def scan_duplicates(*, name_group_limit: int = 20) -> int:
    """Look through every profile for likely duplicates and record them as suggestions;
    the number of pairs found. Shared match keys come from the index; profiles sharing
    a name are compared by contact (same email local part, or phone ending)."""
    before = MergeSuggestion.objects.count()
    shared = (
        Identity.objects.exclude(match_key="")
        .values("match_key")
        .annotate(owners=Count("customer", distinct=True))
        .filter(owners__gt=1)
        .values_list("match_key", flat=True)
    )
    for key in shared.iterator():
        owners = list(_matching(match_key=key).values_list("customer_id", "value"))
        first_id, _ = owners[0]
        for other_id, value in owners[1:]:
            suggest_merge(Customer(pk=first_id), Customer(pk=other_id), _reason_for(key), value)
    _scan_same_names(name_group_limit)
    return MergeSuggestion.objects.count() - before


def _scan_same_names(group_limit: int) -> None:
    """Same name is weak on its own ("Kim"): only with a similar contact, and only among
    names a handful of profiles share."""
    names = (
        Customer.objects.filter(merged_into__isnull=True)
        .exclude(name="")
        .annotate(key=Lower("name"))
        .values("key")
        .annotate(count=Count("id"))
        .filter(count__gt=1, count__lte=group_limit)
        .values_list("key", flat=True)
    )
    for name in names.iterator():
        group = list(
            Customer.objects.annotate(key=Lower("name"))
            .filter(key=name, merged_into__isnull=True)
            .prefetch_related("identities")
        )
        for i, customer in enumerate(group):
            for other in group[i + 1 :]:
                similar = _similar_contact(customer, other)
                if similar:
                    suggest_merge(customer, other, SuggestionReason.SIMILAR_NAME, similar)


def _contact_keys(customer: Customer) -> set[str]:
    """Loose forms of a profile's contacts: an email's local part without punctuation, a
    phone number's last eight digits."""
    keys = set()
    for identity in customer.identities.all():
        if identity.kind == IdentityKind.EMAIL:
            local = identity.value.rpartition("@")[0].split("+", 1)[0]
            keys.add("local:" + "".join(ch for ch in local if ch.isalnum()))
        elif identity.kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
            keys.add("tail:" + identity.value[-8:])
    return keys


def _similar_contact(customer: Customer, other: Customer) -> str:
    shared = _contact_keys(customer) & _contact_keys(other)
    return f"{customer.name}: {sorted(shared)[0].partition(':')[2]}" if shared else ""


def likely_duplicates(agent: Agent, *, limit: int = 50) -> list[MergeSuggestion]:
    """Open suggestions between profiles the agent may see, newest first."""
    from parley.conversations.access import visible_customers

    suggestions = MergeSuggestion.objects.filter(
        resolved_at__isnull=True,
        customer__merged_into__isnull=True,
        other__merged_into__isnull=True,
    ).select_related("customer", "other")
    if not agent.sees_everything:
        visible = visible_customers(agent).values("pk")
        suggestions = suggestions.filter(customer__in=visible, other__in=visible)
    return list(suggestions[:limit])


def dismiss_suggestion(suggestion: MergeSuggestion) -> None:
    """Not the same person: the pair is never suggested again."""
    suggestion.dismissed = True
    suggestion.resolved_at = timezone.now()
    suggestion.save(update_fields=["dismissed", "resolved_at"])
