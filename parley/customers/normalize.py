"""Canonical forms of identities, so that one address or number is one key.

E-mail addresses: trimmed, lower-cased, IDN domains in their ASCII (punycode) form, no
trailing dot. Phone numbers and WhatsApp ids: E.164; a number written with a leading 0 is
read in PARLEY_DEFAULT_REGION, a bare run of digits without one (a wa_id) already starts
with its country code. Anything else that is not one raises InvalidInput, never another
error, and no key is longer than an identity can store.
"""

import phonenumbers
from django.conf import settings

from parley.core.errors import InvalidInput

from .models import IdentityKind

MAX_VALUE = 320  # Identity.value


def normalize_identity(kind: str, value: str) -> str:
    value = value.strip()
    if "\x00" in value:
        raise InvalidInput(f"{kind} identity contains a NUL character", code="invalid_identity")
    if kind not in IdentityKind.values:
        raise InvalidInput(f"unknown identity kind {kind!r}", code="invalid_identity")
    if not value:
        raise InvalidInput(f"empty {kind} identity", code="invalid_identity")
    if len(value) > MAX_VALUE:
        raise InvalidInput(f"{kind} identity longer than {MAX_VALUE}", code="invalid_identity")
    if kind == IdentityKind.EMAIL:
        return normalize_email(value)
    if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        return normalize_phone(value)
    return value


def normalize_email(value: str) -> str:
    local, sep, domain = value.strip().rpartition("@")
    domain = domain.rstrip(".")
    if not sep or not local or not domain or not value.isprintable() or _has_space(value):
        raise InvalidInput(f"not an e-mail address: {value!r}", code="invalid_identity")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"bad e-mail domain: {domain!r}", code="invalid_identity") from None
    address = f"{local}@{domain}".lower()
    if len(address) > MAX_VALUE:
        raise InvalidInput(f"e-mail address longer than {MAX_VALUE}", code="invalid_identity")
    return address


def _has_space(value: str) -> bool:
    return any(ch.isspace() for ch in value.strip())


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
