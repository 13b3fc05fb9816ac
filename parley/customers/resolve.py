"""Find or create the customer behind an inbound identity.

The unique (kind, value) constraint decides races: two workers that see the same new
identity at once both try to insert, one wins, the other catches the IntegrityError and
reads the winner's row.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from parley.core.errors import InvalidInput
from parley.core.oncommit import enqueue_on_commit
from parley.core.text import storable

from .duplicates import match_key, suggest_for_new_identities, suggest_merge
from .models import Customer, Identity, IdentityKind, SuggestionReason
from .normalize import normalize_identity


@dataclass(frozen=True)
class IdentityRef:
    kind: str
    value: str
    name: str = ""
    picture: str = ""  # the platform's profile picture URL, for a customer we have not met
    followers: int | None = None  # the profile's follower count (Instagram), likewise


# A WhatsApp id is the customer's phone number: either one finds the other's customer.
SAME_NUMBER: dict[str, str] = {
    IdentityKind.PHONE: IdentityKind.WHATSAPP,
    IdentityKind.WHATSAPP: IdentityKind.PHONE,
}


def resolve_customer(ref: IdentityRef) -> Customer:
    """The customer owning this identity, created with it when it is new — or, for a phone
    number, the customer who has it on file under the other kind (phone / WhatsApp)."""
    value = normalize_identity(ref.kind, ref.value)
    existing = _find(ref.kind, value)
    if existing is not None:
        return existing
    name = storable(ref.name[:200])
    try:
        with transaction.atomic():
            customer = _find(SAME_NUMBER[ref.kind], value) if ref.kind in SAME_NUMBER else None
            if customer is None:
                customer = Customer.objects.create(
                    name=name or _default_name(ref.kind, value), attributes=_attributes(ref)
                )
                _fetch_picture(customer, ref)
            _new_identity(customer, ref.kind, value, name).save()
            suggest_for_new_identities([(customer.pk, ref.kind, value)])
            return customer
    except IntegrityError:
        found = _find(ref.kind, value)
        if found is None:
            raise
        return found


def resolve_customers(refs: Sequence[IdentityRef]) -> list[Customer]:
    """resolve_customer for each identity, with one query per identity kind and one insert
    for all the new customers. A concurrent insert of the same identity raises
    IntegrityError: the caller falls back to resolving one at a time."""
    keys = [(ref.kind, normalize_identity(ref.kind, ref.value)) for ref in refs]
    found: dict[tuple[str, str], Customer] = {}
    for kind in {kind for kind, _ in keys}:
        values = {value for key_kind, value in keys if key_kind == kind}
        identities = Identity.objects.select_related("customer").filter(kind=kind, value__in=values)
        found.update(((kind, identity.value), identity.customer) for identity in identities)
    _add_same_numbers(keys, found)
    new: dict[tuple[str, str], tuple[Customer, str]] = {}
    for ref, key in zip(refs, keys, strict=True):
        if key in found or key in new:
            continue
        name = storable(ref.name[:200])
        sibling = new.get((SAME_NUMBER.get(key[0], ""), key[1]))
        customer = sibling[0] if sibling else None
        if customer is None:
            customer = Customer(name=name or _default_name(*key), attributes=_attributes(ref))
        new[key] = (customer, name)
    if new:
        Customer.objects.bulk_create({id(c): c for c, _ in new.values()}.values())
        Identity.objects.bulk_create(
            _new_identity(customer, kind, value, name)
            for (kind, value), (customer, name) in new.items()
        )
        suggest_for_new_identities([(c.pk, kind, value) for (kind, value), (c, _) in new.items()])
        found.update((key, customer) for key, (customer, _) in new.items())
        # One picture per new customer (a phone and a WhatsApp identity may share one).
        pictured: dict[int, tuple[Customer, IdentityRef]] = {}
        for ref, key in zip(refs, keys, strict=True):
            if key in new and ref.picture:
                pictured.setdefault(id(new[key][0]), (new[key][0], ref))
        for customer, ref in pictured.values():
            _fetch_picture(customer, ref)
    return [found[key] for key in keys]


def _attributes(ref: IdentityRef) -> dict:
    """What a new customer's profile told us besides name and picture."""
    return {"followers": ref.followers} if ref.followers is not None else {}


def _fetch_picture(customer: Customer, ref: IdentityRef) -> None:
    if ref.picture and not customer.picture:
        from .tasks import fetch_customer_picture

        enqueue_on_commit(fetch_customer_picture, customer.pk, ref.picture)


def _add_same_numbers(keys: list[tuple[str, str]], found: dict[tuple[str, str], Customer]) -> None:
    """Phone numbers new under one kind but on file under the other: their customer,
    with the new identity added."""
    missing = {(kind, value) for kind, value in keys if kind in SAME_NUMBER} - found.keys()
    if not missing:
        return
    siblings = Identity.objects.select_related("customer").filter(
        kind__in=[SAME_NUMBER[kind] for kind, _ in missing],
        value__in=[value for _, value in missing],
    )
    owners = {(identity.kind, identity.value): identity.customer for identity in siblings}
    linked = []
    for kind, value in missing:
        owner = owners.get((SAME_NUMBER[kind], value))
        if owner is not None:
            found[(kind, value)] = owner
            linked.append(_new_identity(owner, kind, value))
    Identity.objects.bulk_create(linked)


def find_customer(ref: IdentityRef) -> Customer | None:
    """The customer owning this identity, if any; None for one that is not valid either."""
    try:
        return _find(ref.kind, normalize_identity(ref.kind, ref.value))
    except InvalidInput:
        return None


def link_identity(known: IdentityRef, new: IdentityRef) -> None:
    """Give the customer behind `known` the identity `new` too (a changed number, a chat
    visitor's signed email)."""
    customer = find_customer(known)
    if customer is not None:
        link_identities(customer, [new], evidence=f"{known.kind} {known.value}")


def link_identities(customer: Customer, refs: Sequence[IdentityRef], *, evidence: str) -> None:
    """Identifiers given together with `customer`'s (a form's email and phone, an order's
    contact): new ones become theirs; one that already belongs to someone else is not
    taken — joining two customers is a merge, an agent's call — but suggested."""
    for ref in refs:
        try:
            value = normalize_identity(ref.kind, ref.value)
        except InvalidInput:
            continue  # A contact we cannot read is no evidence of anything.
        owner = _find(ref.kind, value)
        if owner is None:
            try:
                with transaction.atomic():
                    _new_identity(customer, ref.kind, value, storable(ref.name[:200])).save()
            except IntegrityError:
                owner = _find(ref.kind, value)
            else:
                suggest_for_new_identities([(customer.pk, ref.kind, value)])
        if owner is not None and owner.pk != customer.pk:
            suggest_merge(customer, owner, SuggestionReason.SAME_MESSAGE, f"{evidence} and {value}")


def _new_identity(customer: Customer, kind: str, value: str, name: str = "") -> Identity:
    return Identity(
        customer=customer,
        kind=kind,
        value=value,
        display_name=name,
        match_key=match_key(kind, value),
    )


def _find(kind: str, value: str) -> Customer | None:
    # Sliced rather than .first(): the unique (kind, value) pair needs no ORDER BY, and
    # building one costs about a third of a lookup (bench/identities.py).
    found = Identity.objects.select_related("customer").filter(kind=kind, value=value)
    identity = next(iter(found.order_by()[:1]), None)
    if identity is None:
        return None
    customer = identity.customer
    # An identity left on a profile merged meanwhile (a merge racing ingest) leads on.
    while customer.merged_into_id is not None:
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def _default_name(kind: str, value: str) -> str:
    if kind == IdentityKind.EMAIL:
        return value.split("@")[0]
    return value if kind == IdentityKind.PHONE else ""


def find_profile(term: str) -> Customer | None:
    """The profile an agent means by an email address, a phone number or "#123"."""
    term = term.strip()
    if term.startswith("#") and term[1:].isdigit() and len(term) < 20:
        return Customer.objects.filter(pk=int(term[1:]), merged_into__isnull=True).first()
    kinds = [IdentityKind.EMAIL] if "@" in term else [IdentityKind.PHONE, IdentityKind.WHATSAPP]
    for kind in kinds:
        found = find_customer(IdentityRef(kind, term))
        if found is not None:
            return found
    if term.isdigit() and len(term) < 19:  # a bare profile number, when no phone has it
        return Customer.objects.filter(pk=int(term), merged_into__isnull=True).first()
    return None
