"""Signed visitor tokens and the host site's HMAC identity."""

import hashlib
import hmac

import pytest

from parley.connectors.chat.identity import (
    issue_token,
    new_visitor,
    read_token,
    verified_visitor,
    with_contact,
)
from parley.core.errors import InvalidInput, PermissionDenied
from tests import factories

SECRET = "s3cret-shared-with-the-shop"


@pytest.fixture
def signed_chat(chat):
    chat.set_secret("identity_secret", SECRET)
    chat.save()
    return chat


def sign(value: str) -> str:
    return hmac.new(SECRET.encode(), value.encode(), hashlib.sha256).hexdigest()


def test_a_token_names_its_visitor_and_what_they_told_us(chat):
    visitor = with_contact(new_visitor(), "Ann  Archer", "ANN@Example.com")

    again = read_token(chat, issue_token(chat, visitor))

    assert again == visitor
    assert (again.name, again.email, again.verified) == ("Ann Archer", "ann@example.com", False)


@pytest.mark.parametrize("token_case", ["tampered", "other_channel", "garbage"])
def test_a_bad_token_is_refused(chat, token_case):
    token = issue_token(chat, new_visitor())
    if token_case == "tampered":
        token = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    elif token_case == "other_channel":
        token = issue_token(factories.make_channel("chat"), new_visitor())
    else:
        token = "not-a-token"

    with pytest.raises(PermissionDenied) as refused:
        read_token(chat, token)
    assert refused.value.code == "bad_token"


def test_a_signed_user_id_is_recognised(signed_chat):
    visitor = verified_visitor(
        signed_chat, {"id": "42", "email": "ann@example.com", "name": "Ann", "hash": sign("42")}
    )

    assert visitor.id == "user:42"
    # Only the signed value is vouched for: the email beside an id is not.
    assert (visitor.email, visitor.verified) == ("ann@example.com", False)


def test_a_signed_email_is_a_verified_email(signed_chat):
    visitor = verified_visitor(
        signed_chat, {"email": "Ann@Example.com", "hash": sign("Ann@Example.com")}
    )

    assert (visitor.id, visitor.email, visitor.verified) == (
        "email:ann@example.com",
        "ann@example.com",
        True,
    )
    assert visitor.sender(signed_chat).kind == "email"
    assert visitor.linked(signed_chat).kind == "chat"


def test_a_wrong_signature_is_refused(signed_chat):
    with pytest.raises(PermissionDenied) as refused:
        verified_visitor(signed_chat, {"id": "42", "hash": sign("43")})
    assert refused.value.code == "bad_identity"


def test_signed_identities_need_the_channel_secret(chat):
    with pytest.raises(InvalidInput) as refused:
        verified_visitor(chat, {"id": "42", "hash": sign("42")})
    assert refused.value.code == "identity_not_enabled"


def test_a_typed_email_never_replaces_a_signed_one(signed_chat):
    visitor = verified_visitor(
        signed_chat, {"email": "ann@example.com", "hash": sign("ann@example.com")}
    )

    assert with_contact(visitor, "", "mallory@example.com").email == "ann@example.com"


def test_a_typed_email_must_be_an_address(chat):
    with pytest.raises(InvalidInput) as refused:
        with_contact(new_visitor(), "", "not an address")
    assert refused.value.code == "bad_email"
