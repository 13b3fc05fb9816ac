"""Properties of identity normalisation: one address or number, one key, whatever the
spelling; anything else a clear InvalidInput."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.core.errors import InvalidInput
from parley.customers.normalize import MAX_VALUE, normalize_identity, normalize_phone

KINDS = ["email", "phone", "whatsapp", "instagram", "messenger", "x", "chat", "api"]
# Regions with mobile example numbers, a spread of numbering plans.
REGIONS = ["KR", "US", "GB", "DE", "FR", "JP", "BR", "IN", "AU", "VN", "MX", "NG", "ES", "IT"]
LABEL = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzäöüßéñ한국가나다"), min_size=1, max_size=12
)
LOCAL = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}", fullmatch=True)


def case_variant(text: str, flips: list[bool]) -> str:
    return "".join(
        ch.upper() if flip else ch
        for ch, flip in zip(text, flips + [False] * len(text), strict=False)
    )


@given(LOCAL, st.lists(LABEL, min_size=1, max_size=3), st.lists(st.booleans(), max_size=60))
def test_an_address_in_any_case_and_any_domain_form_is_one_key(local, labels, flips):
    domain = ".".join([*labels, "example"])
    key = normalize_identity("email", f"{local}@{domain}")
    ascii_domain = domain.encode("idna").decode()
    assert normalize_identity("email", f"{local}@{ascii_domain}") == key
    assert normalize_identity("email", case_variant(f"{local}@{ascii_domain}", flips)) == key
    assert normalize_identity("email", f"  {local}@{domain}.\n") == key  # spaces, a root dot
    assert normalize_identity("email", key) == key
    assert key == key.lower() and key.isascii()


def example_numbers() -> st.SearchStrategy[phonenumbers.PhoneNumber]:
    numbers = [
        phonenumbers.example_number_for_type(r, phonenumbers.PhoneNumberType.MOBILE)
        for r in REGIONS
    ]
    return st.sampled_from([n for n in numbers if n is not None])


SEPARATORS = st.sampled_from(["", " ", "-", ".", " - "])
FORMATS = st.sampled_from(
    [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164,
     phonenumbers.PhoneNumberFormat.RFC3966]
)  # fmt: skip


@given(example_numbers(), FORMATS, SEPARATORS)
def test_a_number_in_any_international_spelling_is_one_e164_key(number, form, separator):
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    written = phonenumbers.format_number(number, form).replace(" ", separator)
    assert normalize_identity("phone", written) == e164
    assert normalize_identity("phone", e164) == e164
    # A WhatsApp id is the same number without "+", and meets the phone on one key.
    assert normalize_identity("whatsapp", e164.lstrip("+")) == e164


@given(example_numbers())
def test_a_national_number_is_read_in_the_default_region(number):
    region = phonenumbers.region_code_for_number(number)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if national.lstrip("(").startswith("0"):  # a trunk prefix: unambiguously national
        assert normalize_phone(national, region=region) == e164


def test_the_default_region_comes_from_settings(settings):
    settings.PARLEY_DEFAULT_REGION = "KR"
    assert normalize_identity("phone", "010-1234-5678") == "+821012345678"
    settings.PARLEY_DEFAULT_REGION = "GB"
    assert normalize_identity("phone", "07700 900123") == "+447700900123"


@settings(max_examples=300)
@given(st.sampled_from(KINDS), st.text(max_size=400))
def test_any_text_is_a_key_or_a_clear_refusal(kind, text):
    try:
        key = normalize_identity(kind, text)
    except InvalidInput as exc:
        assert exc.code == "invalid_identity" and exc.detail
    else:
        assert key and len(key) <= MAX_VALUE and "\x00" not in key
        assert normalize_identity(kind, key) == key


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("email", "a@b@"),
        ("email", "ann@exa mple.com"),
        ("email", "ann\t@example.com"),
        ("email", "ann@" + "x" * 64 + ".com"),
        ("email", "a" * 320 + "@example.com"),
        ("email", "ann@exa..mple.com"),
        ("phone", "call me maybe"),
        ("phone", "+1" + "9" * 40),
        ("instagram", "1" * 321),
    ],
)
def test_refusals_name_the_problem(kind, value):
    with pytest.raises(InvalidInput) as refused:
        normalize_identity(kind, value)
    assert refused.value.code == "invalid_identity"
