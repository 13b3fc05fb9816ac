"""Creating and changing channels. Secrets are encrypted here and never read back out."""

from django.db import transaction

from parley.accounts.models import Team
from parley.core import secrets
from parley.core.errors import InvalidInput

from .models import Channel, ChannelKind


@transaction.atomic
def reencrypt_channel_secrets() -> int:
    """Re-encrypt every stored channel secret with the current secret key (after a key
    rotation, with the old key in PARLEY_SECRET_KEY_FALLBACKS). Returns how many."""
    count = 0
    for channel in Channel.objects.select_for_update().exclude(encrypted_secrets={}):
        channel.encrypted_secrets = {
            name: secrets.rotate(token) for name, token in channel.encrypted_secrets.items()
        }
        channel.save(update_fields=["encrypted_secrets"])
        count += len(channel.encrypted_secrets)
    return count


@transaction.atomic
def save_channel(
    channel: Channel | None,
    *,
    kind: str | None = None,
    name: str | None = None,
    settings: dict | None = None,
    secrets: dict[str, str] | None = None,
    team: Team | None = None,
    active: bool | None = None,
) -> Channel:
    if channel is None:
        if kind not in ChannelKind.values:
            raise InvalidInput(f"unknown channel kind {kind!r}", code="invalid_kind")
        channel = Channel(kind=kind)
    if name is not None:
        if not name.strip():
            raise InvalidInput("a channel needs a name", code="invalid_name")
        channel.name = name.strip()[:120]
    if not channel.name:
        raise InvalidInput("a channel needs a name", code="invalid_name")
    if settings is not None:
        channel.settings = {**channel.settings, **settings}
    for secret_name, value in (secrets or {}).items():
        channel.set_secret(secret_name, value)
    if team is not None:
        channel.team = team
    if active is not None:
        channel.active = active
    channel.save()
    return channel
