"""Properties of identity normalisation: one address or number, one key, whatever the
spelling; anything else a clear InvalidInput."""

import encodings.idna

import idna
import phonenumbers
import pytest
from django.test import override_settings
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from parley.core.errors import InvalidInput
from parley.customers.normalize import (
    MAX_VALUE,
    normalize_email,
    normalize_identity,
    normalize_phone,
)

KINDS = ["email", "phone", "whatsapp", "instagram", "messenger", "x", "chat", "api"]
WHITESPACE = st.text(st.sampled_from(" \t\n\r\u00a0\u3000"), max_size=3)

# --- e-mail addresses ---------------------------------------------------------------------

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789äöüßéèçñåø")
GREEK = st.sampled_from("αβγδεζηθικλμνξοπρστυφχψως")
LABEL = st.one_of(
    st.text(LATIN, min_size=1, max_size=12),
    st.text(HANGUL, min_size=1, max_size=6),
    st.text(GREEK, min_size=1, max_size=8),
)
TLD = st.sampled_from(["de", "kr", "com", "한국", "рф", "ελ"])
# IDNA 2003 and 2008 differ only on these (ß, final sigma): skip them when comparing.
DEVIATIONS = set("ßς")


def idn_domains() -> st.SearchStrategy[list[str]]:
    def encodable(labels: list[str]) -> bool:
        try:
            idna.encode(".".join(labels), uts46=True)
        except idna.IDNAError:
            return False
        return True

    labels = st.lists(LABEL, min_size=1, max_size=3)
    return st.builds(lambda labels, tld: [*labels, tld], labels, TLD).filter(encodable)


def upper(text: str, flips: list[bool]) -> str:
    """Some letters in upper case, where that round-trips (not ß → SS)."""
    return "".join(
        ch.upper() if flip and ch.upper().lower() == ch else ch
        for ch, flip in zip(text, flips + [False] * len(text), strict=False)
    )


@given(st.emails(), st.lists(st.booleans(), max_size=80), WHITESPACE, WHITESPACE)
def test_an_address_in_any_case_with_any_surrounding_space_is_one_key(email, flips, left, right):
    key = normalize_email(email)

    assert key == email.lower()  # the whole address, as the rest of the code expects
    assert normalize_email(upper(email, flips)) == key
    assert normalize_identity("email", left + upper(email, flips) + right) == key
    assert normalize_identity("email", email + ".") == key  # the root dot
    assert normalize_email(key) == key


@given(
    st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}", fullmatch=True),
    idn_domains(),
    st.lists(st.booleans(), max_size=80),
    st.lists(st.booleans(), max_size=4),
)
def test_an_international_domain_in_any_form_is_one_key(local, labels, flips, as_punycode):
    unicode_domain = ".".join(labels)
    ascii_labels = [idna.encode(label, uts46=True).decode() for label in labels]
    key = normalize_identity("email", f"{local}@{unicode_domain}")

    assert key == f"{local}@{'.'.join(ascii_labels)}" and key.isascii()
    assert normalize_identity("email", f"{local}@{'.'.join(ascii_labels)}") == key
    assert normalize_identity("email", upper(f"{local}@{unicode_domain}", flips)) == key
    assert normalize_identity("email", upper(f"{local}@{'.'.join(ascii_labels)}", flips)) == key
    as_punycode += [False] * len(labels)
    mixed = [a if p else u for u, a, p in zip(labels, ascii_labels, as_punycode, strict=False)]
    assert normalize_identity("email", f"{local}@{'.'.join(mixed)}") == key
    assert normalize_identity("email", f" {local}@{unicode_domain}.") == key
    assert normalize_identity("email", f"{local}@{'。'.join(labels)}") == key  # ideographic dot
    if not DEVIATIONS & set(unicode_domain):
        # The standard library's (IDNA 2003) form of the same domain is the same key.
        legacy = ".".join(encodings.idna.ToASCII(label).decode() for label in labels)
        assert normalize_identity("email", f"{local}@{legacy}") == key
    assert normalize_email(key) == key


def test_sharp_s_is_its_own_letter_as_in_idna_2008():
    assert normalize_email("Anna@Straße.de") == "anna@xn--strae-oqa.de"
    assert normalize_email("anna@XN--STRAE-OQA.DE") == "anna@xn--strae-oqa.de"
    assert normalize_email("anna@strasse.de") == "anna@strasse.de"


@given(st.integers(1, 60), idn_domains(), st.integers(0, 400))
def test_no_address_key_is_longer_than_an_identity_stores(repeat, labels, local_size):
    address = "k" * local_size + "@" + ".".join(labels * repeat)
    try:
        key = normalize_identity("email", address)
    except InvalidInput:
        return
    assert len(key) <= MAX_VALUE


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "a@b@",
        "a@b@c.com",
        "@",
        "@example.com",
        "ann@",
        "ann@.",
        "ann@..",
        "ann@exa mple.com",
        "ann\t@example.com",
        "ann@exam\x00ple.com",
        "ann@example.com\x00",
        "ann\u200b@example.com",
        "ann@exa..mple.com",
        "ann@" + "x" * 64 + ".com",
        "a" * 320 + "@example.com",
        "ann@" + "가" * 300 + ".kr",
        "ann@bü_cher.de",
        "ann@-bücher.de",
        "ann@bücher-.de",
        "ann@\u0301bücher.de",  # a label cannot start with a combining mark
        "ann@\ud800.com",
    ],
)
def test_junk_is_not_an_address(value):
    with pytest.raises(InvalidInput) as refused:
        normalize_identity("email", value)
    assert refused.value.code == "invalid_identity"
    with pytest.raises(InvalidInput):
        normalize_email(value)


# --- phone numbers ------------------------------------------------------------------------

TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.VOIP,
    PhoneNumberType.UAN,
]
REGIONAL = [
    (region, number)
    for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    for kind in TYPES
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
]
NON_GEOGRAPHIC = [
    phonenumbers.example_number_for_non_geo_entity(code)
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS)
]
NUMBERS = [number for _, number in REGIONAL] + [n for n in NON_GEOGRAPHIC if n is not None]
REGIONS = st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS))
SEPARATOR = st.sampled_from(["", " ", "-", ".", " - ", "/", "\u00a0"])


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def respell(written: str, separators: list[str], parenthesised: int) -> str:
    """The groups of a formatted number joined anyhow, one of them in parentheses."""
    groups = written.replace("-", " ").split()
    if 0 < parenthesised < len(groups):
        groups[parenthesised] = f"({groups[parenthesised]})"
    seps = separators + [" "] * len(groups)
    return groups[0] + "".join(sep + group for sep, group in zip(seps, groups[1:], strict=False))


FULL_WIDTH = {ord(ch): ord(ch) + 0xFEE0 for ch in "0123456789+"}  # as typed with a CJK IME


@settings(max_examples=200)
@given(
    st.sampled_from(NUMBERS),
    st.sampled_from([PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164]),
    st.lists(SEPARATOR, max_size=8),
    st.integers(0, 4),
    REGIONS,
)
def test_a_number_in_any_international_spelling_is_one_e164_key(
    number, form, separators, parenthesised, region
):
    key = e164(number)
    written = respell(phonenumbers.format_number(number, form), separators, parenthesised)

    assert normalize_phone(written, region=region) == key
    assert normalize_phone(f" tel:{key} ", region=region) == key
    assert normalize_phone(written.translate(FULL_WIDTH), region=region) == key
    rfc3966 = phonenumbers.format_number(number, PhoneNumberFormat.RFC3966)
    assert normalize_phone(rfc3966, region=region) == key
    assert normalize_phone(key, region=region) == key  # idempotent, whatever the region
    with override_settings(PARLEY_DEFAULT_REGION=region):
        assert normalize_identity("phone", written) == key


@settings(max_examples=200)
@given(st.sampled_from(REGIONAL), st.lists(SEPARATOR, max_size=8), st.integers(0, 4))
def test_a_national_number_is_read_in_its_region(regional, separators, parenthesised):
    region, number = regional
    key = e164(number)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)

    assert normalize_phone(national, region=region) == key
    assert normalize_phone(national, region=region.lower()) == key
    assert normalize_phone(respell(national, separators, parenthesised), region=region) == key
    # Without the trunk prefix (KR 1012345678, as US numbers are always written).
    significant = phonenumbers.national_significant_number(number)
    assert normalize_phone(significant, region=region) == key
    with override_settings(PARLEY_DEFAULT_REGION=region):
        assert normalize_identity("phone", national) == key
        assert normalize_phone(national) == key


@settings(max_examples=200)
@given(st.sampled_from(NUMBERS), REGIONS)
def test_a_whatsapp_id_is_the_phone_number_in_any_default_region(number, region):
    key = e164(number)
    wa_id = key.removeprefix("+")
    with override_settings(PARLEY_DEFAULT_REGION=region):
        assert normalize_identity("whatsapp", wa_id) == key
        assert normalize_identity("whatsapp", f" {wa_id}\n") == key
        assert normalize_identity("whatsapp", wa_id.translate(FULL_WIDTH)) == key
        assert normalize_identity("phone", "+" + wa_id) == key
        assert normalize_identity("whatsapp", key) == key


@settings(max_examples=200)
@given(st.sampled_from(NUMBERS), REGIONS)
def test_digits_without_plus_are_read_in_the_region_first(number, region):
    """The documented rule for a bare run of digits typed as a phone number."""
    key = e164(number)
    digits = key.removeprefix("+")
    try:
        local = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        local = None
    got = normalize_phone(digits, region=region)
    if local is not None and phonenumbers.is_valid_number(local):
        assert got == e164(local)  # valid where the agent is: theirs (often the same)
    elif phonenumbers.is_valid_number(number):
        assert got == key  # else a country code written without "+"


# Regions where 00 is the international prefix, or is none (US 011): "00" then a country
# code is that number. Where the prefix is 00 and another digit (KR 001/002…, SG, TH, HK,
# TW), the region's own reading of the digits wins if it is a valid number.
ZERO_ZERO = ["US", "CA", "DE", "GB", "FR", "IN", "VN", "ES", "IT", "MX", "RU"]


@given(st.sampled_from(NUMBERS), st.sampled_from(ZERO_ZERO), st.lists(SEPARATOR, max_size=8))
def test_00_then_a_country_code_is_international(number, region, separators):
    assume(phonenumbers.is_valid_number(number))
    key = e164(number)
    written = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    written = respell(written.replace("+", "00 "), separators, 0)
    assert normalize_phone(written, region=region) == key


def test_the_default_region_comes_from_settings(settings):
    settings.PARLEY_DEFAULT_REGION = "KR"
    assert normalize_identity("phone", "010-1234-5678") == "+821012345678"
    assert normalize_identity("phone", "1012345678") == "+821012345678"
    assert normalize_phone("010.1234.5678") == "+821012345678"
    settings.PARLEY_DEFAULT_REGION = "GB"
    assert normalize_identity("phone", "07700 900123") == "+447700900123"
    settings.PARLEY_DEFAULT_REGION = "US"
    assert normalize_identity("phone", "(415) 555-2671") == "+14155552671"
    assert normalize_identity("phone", "415-555-2671") == "+14155552671"
    assert normalize_identity("phone", "4155552671") == "+14155552671"
    assert normalize_identity("phone", "011 82 10-1234-5678") == "+821012345678"
    assert normalize_identity("phone", "00 82 10-1234-5678") == "+821012345678"
    with pytest.raises(InvalidInput):
        normalize_identity("phone", "010-1234-5678")  # a Korean number, in US
    # A wa_id never depends on the region (Belize); the same digits typed as a phone do
    # (Arkansas).
    assert normalize_identity("whatsapp", "5016221234") == "+5016221234"
    assert normalize_identity("phone", "5016221234") == "+15016221234"
    assert normalize_identity("phone", "+5016221234") == "+5016221234"
    assert normalize_phone("010-1234-5678", region="KR") == "+821012345678"


# --- any text -----------------------------------------------------------------------------

NEAR_MISSES = st.text(
    st.sampled_from("0123456789+-.() @x.:;#*,tel\uff10\uff11\uff0b\u3002\uff0e\x00\t\ud800é가ßAZ"),
    max_size=40,
)
ANY_TEXT = st.one_of(
    st.text(max_size=400), NEAR_MISSES, st.text(st.characters(), min_size=300, max_size=340)
)


@settings(max_examples=300)
@given(st.sampled_from(KINDS), ANY_TEXT)
def test_any_text_is_a_key_or_a_clear_refusal(kind, text):
    try:
        key = normalize_identity(kind, text)
    except InvalidInput as exc:
        assert exc.code == "invalid_identity" and exc.detail
    else:
        assert key and len(key) <= MAX_VALUE and "\x00" not in key
        assert normalize_identity(kind, key) == key


@settings(max_examples=200)
@given(ANY_TEXT, st.one_of(REGIONS, st.sampled_from(["", "XX", "kr", "001"])))
def test_the_functions_alone_give_a_key_or_a_clear_refusal(text, region):
    for normalize in (normalize_email, lambda value: normalize_phone(value, region=region)):
        try:
            key = normalize(text)
        except InvalidInput as exc:
            assert exc.code == "invalid_identity"
        else:
            assert key and len(key) <= MAX_VALUE
            assert normalize(key) == key


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("phone", "call me maybe"),
        ("phone", "+1" + "9" * 40),
        ("phone", "+"),
        ("phone", "0"),
        ("phone", "\x00"),
        ("phone", "+82 10\x001234 5678"),
        ("whatsapp", "0"),
        ("whatsapp", "9" * 400),
        ("instagram", "1" * 321),
        ("fax", "123"),
    ],
)
def test_refusals_name_the_problem(kind, value):
    with pytest.raises(InvalidInput) as refused:
        normalize_identity(kind, value)
    assert refused.value.code == "invalid_identity"


def test_a_number_the_library_rereads_differently_settles_on_one_key():
    # Read back, "+200000000000" under Egypt's +20 loses a trunk zero each time.
    key = normalize_phone("200000000000", region="AC")
    assert normalize_phone(key) == key
