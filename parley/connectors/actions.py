"""Creating and changing channels. Secrets are encrypted here and never read back out."""

from django.db import transaction
from django.utils import timezone

from parley.accounts.models import Team
from parley.core.errors import InvalidInput

from .models import Channel, ChannelKind


@transaction.atomic
def reencrypt_channel_secrets() -> int:
    """Re-encrypt every stored secret — channels' and shops' — with the current secret key
    (after a key rotation, with the old key in PARLEY_SECRET_KEY_FALLBACKS). Returns how
    many."""
    from parley.integrations.models import ShopifyStore

    return sum(
        row.rotate_secrets()
        for model in (Channel, ShopifyStore)
        for row in model.objects.select_for_update().exclude(encrypted_secrets={})
    )


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
        _check_required_settings(channel)
    for secret_name, value in (secrets or {}).items():
        channel.set_secret(secret_name, value)
    if team is not None:
        channel.team = team
    if active is not None:
        channel.active = active
    channel.save()
    return channel


# The account ids each platform's channel cannot work without.
REQUIRED_SETTINGS = {
    ChannelKind.EMAIL: ("address",),
    ChannelKind.MESSENGER: ("page_id",),
    ChannelKind.INSTAGRAM: ("instagram_account_id",),
    ChannelKind.WHATSAPP: ("phone_number_id", "waba_id"),
}


def _check_required_settings(channel: Channel) -> None:
    if channel.settings.get("demo"):
        return
    missing = [
        name
        for name in REQUIRED_SETTINGS.get(channel.kind, ())  # type: ignore[call-overload]
        if not str(channel.settings.get(name) or "").strip()
    ]
    if missing:
        raise InvalidInput(
            f"a {channel.kind} channel needs {', '.join(missing)}", code="invalid_settings"
        )


def report_channel_problem(channel: Channel, reason: str) -> None:
    """Flag the channel for admins: the platform refused the channel itself."""
    Channel.objects.filter(pk=channel.pk).update(
        health_problem=reason[:2000], health_checked_at=timezone.now()
    )


def check_channel(channel: Channel) -> tuple[bool, str]:
    """Ask the platform whether the channel works: (ok, what it said, in plain words).
    Success clears a reported problem."""
    from .base import PermanentSendError, TransientSendError
    from .registry import connector_for

    check = getattr(connector_for(channel), "check", None)
    if check is None:
        return True, "This channel has nothing to check."
    try:
        said = check(channel)
    except (PermanentSendError, TransientSendError) as exc:
        report_channel_problem(channel, exc.reason)
        return False, exc.reason
    Channel.objects.filter(pk=channel.pk).update(
        health_problem="", health_checked_at=timezone.now()
    )
    return True, said
