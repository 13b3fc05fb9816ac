"""Identity normalisation and resolution."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.core.errors import InvalidInput
from parley.customers.models import Customer, Identity
from parley.customers.normalize import normalize_email, normalize_identity, normalize_phone
from parley.customers.resolve import IdentityRef, resolve_customer


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ann@Example.COM", "ann@example.com"),
        ("  bob@shop.kr ", "bob@shop.kr"),
        ("kim@bücher.de", "kim@xn--bcher-kva.de"),
    ],
)
def test_emails_normalise(raw, expected):
    assert normalize_identity("email", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+82 10-1234-5678", "+821012345678"),
        ("821012345678", "+821012345678"),  # a WhatsApp wa_id
        ("+1 (415) 555-2671", "+14155552671"),
    ],
)
def test_phones_normalise_to_e164(raw, expected):
    assert normalize_phone(raw) == expected


def test_local_numbers_use_the_default_region():
    assert normalize_phone("010-1234-5678", region="KR") == "+821012345678"


@pytest.mark.parametrize("bad_case", ["", "not-an-email", "a@", "@b.com", "a b@c.d"])
def test_bad_emails_are_refused_with_a_reason(bad_case):
    with pytest.raises(InvalidInput):
        normalize_identity("email", bad_case)


def test_unknown_kind_is_refused():
    with pytest.raises(InvalidInput, match="unknown identity kind"):
        normalize_identity("fax", "123")


@given(st.emails())
def test_email_normalisation_is_idempotent(email):
    once = normalize_email(email)
    assert normalize_email(once) == once
    assert once == once.lower()


@given(st.from_regex(r"\+8210[0-9]{8}", fullmatch=True))
def test_phone_normalisation_is_idempotent(phone):
    once = normalize_phone(phone)
    assert normalize_phone(once) == once
    assert normalize_phone(once.lstrip("+")) == once


@pytest.mark.django_db
def test_resolution_finds_the_same_customer_for_differently_written_addresses():
    first = resolve_customer(IdentityRef("email", "Ann@Example.com", "Ann"))
    second = resolve_customer(IdentityRef("email", "ann@example.COM"))

    assert first.pk == second.pk
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_whatsapp_id_and_phone_are_distinct_identity_kinds():
    customer = resolve_customer(IdentityRef("phone", "+82 10 1234 5678"))
    Identity.objects.create(customer=customer, kind="whatsapp", value="+821012345678")

    assert resolve_customer(IdentityRef("whatsapp", "821012345678")).pk == customer.pk


@pytest.mark.django_db
def test_a_lost_insert_race_returns_the_winner(monkeypatch):
    winner = resolve_customer(IdentityRef("email", "race@example.com"))
    from parley.customers import resolve

    real_find = resolve._find
    calls = []

    def find_missing_once(kind, value):
        calls.append(1)
        return None if len(calls) == 1 else real_find(kind, value)

    monkeypatch.setattr(resolve, "_find", find_missing_once)

    assert resolve_customer(IdentityRef("email", "race@example.com")).pk == winner.pk
    assert Customer.objects.count() == 1
