"""Find or create the customer behind an inbound identity.

The unique (kind, value) constraint decides races: two workers that see the same new
identity at once both try to insert, one wins, the other catches the IntegrityError and
reads the winner's row.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction

from parley.core.errors import InvalidInput
from parley.core.text import storable

from .models import Customer, Identity, IdentityKind


@dataclass(frozen=True)
class IdentityRef:
    kind: str
    value: str
    name: str = ""


def normalize_identity(kind: str, value: str) -> str:
    value = value.strip()
    if "\x00" in value:
        raise InvalidInput(f"{kind} identity contains a NUL character", code="invalid_identity")
    if kind not in IdentityKind.values:
        raise InvalidInput(f"unknown identity kind {kind!r}", code="invalid_identity")
    if not value:
        raise InvalidInput(f"empty {kind} identity", code="invalid_identity")
    if kind == IdentityKind.EMAIL:
        return normalize_email(value)
    if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        return normalize_phone(value)
    return value


def normalize_email(value: str) -> str:
    local, sep, domain = value.rpartition("@")
    if not sep or not local or not domain or " " in value:
        raise InvalidInput(f"not an e-mail address: {value!r}", code="invalid_identity")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"bad e-mail domain: {domain!r}", code="invalid_identity") from None
    return f"{local}@{domain}".lower()


def normalize_phone(value: str, *, region: str | None = None) -> str:
    """E.164 form. Bare digits (a WhatsApp wa_id) carry their country code already."""
    digits = value.replace(" ", "").replace("-", "")
    raw = "+" + digits if digits.isdigit() and not digits.startswith("0") else value
    try:
        number = phonenumbers.parse(raw, region or settings.PARLEY_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"not a phone number: {value!r}", code="invalid_identity") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput(f"not a phone number: {value!r}", code="invalid_identity")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def resolve_customer(ref: IdentityRef) -> Customer:
    """The customer owning this identity, created with it when it is new."""
    value = normalize_identity(ref.kind, ref.value)
    existing = _find(ref.kind, value)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            name = storable(ref.name[:200])
            customer = Customer.objects.create(name=name or _default_name(ref.kind, value))
            Identity.objects.create(
                customer=customer, kind=ref.kind, value=value, display_name=name
            )
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
    new: dict[tuple[str, str], tuple[Customer, str]] = {}
    for ref, key in zip(refs, keys, strict=True):
        if key not in found and key not in new:
            name = storable(ref.name[:200])
            new[key] = (Customer(name=name or _default_name(*key)), name)
    if new:
        Customer.objects.bulk_create(customer for customer, _ in new.values())
        Identity.objects.bulk_create(
            Identity(customer=customer, kind=kind, value=value, display_name=name)
            for (kind, value), (customer, name) in new.items()
        )
        found.update((key, customer) for key, (customer, _) in new.items())
    return [found[key] for key in keys]


def _find(kind: str, value: str) -> Customer | None:
    identity = Identity.objects.select_related("customer").filter(kind=kind, value=value).first()
    return identity.customer if identity else None


def _default_name(kind: str, value: str) -> str:
    if kind == IdentityKind.EMAIL:
        return value.split("@")[0]
    return value if kind == IdentityKind.PHONE else ""
