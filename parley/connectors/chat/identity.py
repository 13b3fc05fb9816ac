"""Who a widget visitor is: a signed visitor token, and the host site's signed identity.

The token is what the widget keeps in localStorage: it names the visitor (and what they
told us: name, email) and is signed with Django's signing, scoped to one channel, so it
cannot be forged or replayed on another channel. A host site that knows its user passes
`hash` = hex HMAC-SHA256 of the user's id (or, without an id, their email) under the
channel's "identity_secret"; a verified user gets a visitor id derived from it, so the same
shopper finds the same conversation on any device.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace

from django.core import signing
from django.utils.translation import gettext as _

from parley.core.errors import InvalidInput, PermissionDenied
from parley.customers.models import IdentityKind
from parley.customers.normalize import normalize_email
from parley.customers.resolve import IdentityRef

from ..models import Channel

# Tokens outlive page loads, not forever: a visitor gone a year starts afresh.
TOKEN_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Visitor:
    id: str
    name: str = ""
    email: str = ""
    # The email was signed by the host site, not just typed into the widget.
    verified: bool = False

    def sender(self, channel: Channel) -> IdentityRef:
        """Who their messages come from: a verified email is the customer's address;
        anyone else is this channel's visitor until an agent decides otherwise."""
        if self.verified and self.email:
            return IdentityRef(IdentityKind.EMAIL, self.email, self.name)
        return IdentityRef(IdentityKind.CHAT, chat_identity(channel, self.id), self.name)

    def linked(self, channel: Channel) -> IdentityRef | None:
        """The other identity to link to the sender's customer, if any."""
        if self.verified and self.email:
            return IdentityRef(IdentityKind.CHAT, chat_identity(channel, self.id), self.name)
        if self.email:
            return IdentityRef(IdentityKind.EMAIL, self.email, self.name)
        return None


def chat_identity(channel: Channel, visitor_id: str) -> str:
    # Visitor ids from host sites ("user:42") are only unique within one channel.
    return f"{channel.pk}:{visitor_id}"


def _salt(channel: Channel) -> str:
    return f"parley.chat.visitor.{channel.public_key}"


def issue_token(channel: Channel, visitor: Visitor) -> str:
    payload = {"v": visitor.id, "n": visitor.name, "e": visitor.email, "ok": visitor.verified}
    return signing.dumps(payload, salt=_salt(channel), compress=True)


def read_token(channel: Channel, token: str) -> Visitor:
    try:
        payload = signing.loads(token, salt=_salt(channel), max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise PermissionDenied(_("This chat session is not valid."), code="bad_token") from None
    return Visitor(payload["v"], payload["n"], payload["e"], payload["ok"])


def new_visitor(name: str = "", email: str = "") -> Visitor:
    return Visitor(id="v-" + secrets.token_urlsafe(18), name=name, email=email)


def with_contact(visitor: Visitor, name: str, email: str) -> Visitor:
    """What the visitor typed in: never overrides an email the host site vouched for."""
    email = clean_email(email) if email else ""
    return replace(
        visitor,
        name=clean_name(name) or visitor.name,
        email=visitor.email if visitor.verified else (email or visitor.email),
    )


def expected_hash(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def verified_visitor(channel: Channel, identity: dict) -> Visitor:
    """The host site's user, if its signature holds: {"id"?, "email"?, "name"?, "hash"}."""
    secret = channel.secret("identity_secret")
    if not secret:
        raise InvalidInput(
            _("This channel does not accept signed identities: set its identity secret."),
            code="identity_not_enabled",
        )
    user_id = str(identity.get("id") or "").strip()[:200]
    email = str(identity.get("email") or "").strip()
    signed = user_id or email
    if not signed:
        raise InvalidInput(_("A signed identity needs an id or an email."), code="bad_identity")
    given = str(identity.get("hash") or "").strip().lower()
    if not hmac.compare_digest(given, expected_hash(secret, signed)):
        raise PermissionDenied(_("The identity signature does not match."), code="bad_identity")
    email = clean_email(email) if email else ""
    # Only the signed value is vouched for: an email passed beside a signed id is not.
    return Visitor(
        id=f"user:{user_id}" if user_id else f"email:{email}",
        name=clean_name(str(identity.get("name") or "")),
        email=email,
        verified=not user_id,
    )


def clean_email(value: str) -> str:
    try:
        return normalize_email(value.strip())
    except InvalidInput:
        raise InvalidInput(
            _("“%(value)s” is not an email address.") % {"value": value[:80]}, code="bad_email"
        ) from None


def clean_name(value: str) -> str:
    return " ".join(value.split())[:200]
