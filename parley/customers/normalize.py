"""Canonical forms of identities, so that one address or number is one key.

E-mail addresses: trimmed and lower-cased, without a root dot ("a@example.com."); an
international domain in its ASCII form by IDNA 2008 with UTS #46 mapping, so `bücher.de`,
`BÜCHER.DE` and `xn--bcher-kva.de` are one, and `straße.de` is `xn--strae-oqa.de` (not
IDNA 2003's `strasse.de`). Only a quoted local part may contain a second "@".

Phone numbers: E.164. A number without "+" is read as people write it in
PARLEY_DEFAULT_REGION (or the region given): `010-1234-5678` or `1012345678` in KR,
`(415) 555-2671` or `4155552671` in US, `011 82 10…` dialled abroad from US. When that is
not a valid number but its digits, after an optional `00`, are one with "+" in front,
they are taken as international: in US `821012345678` and `00 82 10-1234-5678` are
+821012345678 (where the region's own prefix is 00 and a digit, as KR's 001, its own
valid reading wins). Failing both, a reading of the right length for its country is kept
(new or fictional ranges), the region's first; anything else is InvalidInput.

WhatsApp ids: a wa_id is the E.164 number without its "+", whatever the default region,
so it meets the same number on file as a phone; written any other way it is a phone.

Anything that is not one raises InvalidInput, never another error, and no key is longer
than an identity can store.
"""

from collections.abc import Callable

import idna
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
    if kind == IdentityKind.WHATSAPP and value.isdecimal():
        # A wa_id carries its country code: never read it in the default region.
        digits = phonenumbers.normalize_digits_only(value)
        return normalize_phone(digits if digits.startswith("0") else "+" + digits)
    if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        return normalize_phone(value)
    return value


def normalize_email(value: str) -> str:
    address = value.strip()
    if len(address) > MAX_VALUE:
        raise InvalidInput(f"e-mail address longer than {MAX_VALUE}", code="invalid_identity")
    local, sep, domain = address.rpartition("@")
    if not sep or not local or not address.isprintable() or _has_space(address):
        raise InvalidInput(f"not an e-mail address: {value!r}", code="invalid_identity")
    if "@" in local and not (len(local) > 1 and local[0] == local[-1] == '"'):
        raise InvalidInput(f"more than one @ in {value!r}", code="invalid_identity")
    try:
        if domain.isascii():  # punycode stays as written; the codec checks label lengths
            domain = domain.rstrip(".").encode("idna").decode("ascii")
        else:  # UTS #46 maps case and width (and "。" to ".") before IDNA 2008 encodes
            domain = idna.encode(domain, uts46=True).decode("ascii")
    except UnicodeError:  # idna.IDNAError is one
        raise InvalidInput(f"bad e-mail domain: {domain!r}", code="invalid_identity") from None
    domain = domain.rstrip(".")  # the root: "example.com." is example.com
    if not domain:
        raise InvalidInput(f"not an e-mail address: {value!r}", code="invalid_identity")
    address = f"{local}@{domain}".lower()
    if len(address) > MAX_VALUE:
        raise InvalidInput(f"e-mail address longer than {MAX_VALUE}", code="invalid_identity")
    return address


def _has_space(value: str) -> bool:
    return any(ch.isspace() for ch in value)


def normalize_phone(value: str, *, region: str | None = None) -> str:
    """E.164 form; without "+", read in the default region first (see the module)."""
    region = (region or settings.PARLEY_DEFAULT_REGION or "").upper()
    readings = [_parse(value, region)]
    if "+" not in value and "\uff0b" not in value:  # nor a full-width plus
        # A country code written without "+" (a pasted wa_id, "00 82 …" where 00 is not
        # the region's international prefix).
        digits = phonenumbers.normalize_digits_only(value)
        readings.append(_parse("+" + digits.removeprefix("00"), None))
    numbers = [number for number in readings if number is not None]
    # A real number before one that only has the right length; the region's reading first.
    for fits in (phonenumbers.is_valid_number, phonenumbers.is_possible_number):
        for number in numbers:
            key = _stable_e164(number, fits) if fits(number) else None
            if key is not None:
                return key
    raise InvalidInput(f"not a phone number: {value!r}", code="invalid_identity")


def _stable_e164(number: phonenumbers.PhoneNumber, fits: Callable) -> str | None:
    """The E.164 form, read back until it stays the same: for some only-possible numbers
    the library drops a trunk zero on each reading ("+200000000000" under Egypt's +20), and
    a key must normalise to itself."""
    key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    for _ in range(5):
        again = _parse(key, None)
        if again is None or not fits(again):
            return None
        settled = phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164)
        if settled == key:
            return key
        key = settled
    return None


def _parse(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
