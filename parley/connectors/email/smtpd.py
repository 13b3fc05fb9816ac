"""Parley's own SMTP listener (aiosmtpd): mail for a mailbox's address is stored in the
durable inbox before the sending server hears 250, so accepted mail is never lost.

Recipients are checked at RCPT time (550 for addresses no mailbox has), messages over
PARLEY_MAX_EMAIL_BYTES are refused at DATA with 552, and a storage failure answers 451 so
that the sending server retries later. Runs as `parley smtpd`, and inside `parley serve`
when PARLEY_SMTP_PORT is set.
"""

import asyncio
import logging
import time

from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings

from ..models import Channel, ChannelKind
from .inbox import accept_mail_async

logger = logging.getLogger(__name__)

ROUTES_CACHE_SECONDS = 5.0


class Mailboxes:
    """Address → email channel, reloaded every few seconds so new mailboxes take effect."""

    def __init__(self) -> None:
        self._routes: dict[str, int] = {}
        self._expires = 0.0

    async def channel_for(self, address: str) -> int | None:
        if time.monotonic() > self._expires:
            self._routes = await sync_to_async(_load_routes, thread_sensitive=False)()
            self._expires = time.monotonic() + ROUTES_CACHE_SECONDS
        address = address.strip().lower()
        local, _, domain = address.rpartition("@")
        # support+1234@shop.example reaches support@shop.example.
        return self._routes.get(address) or self._routes.get(f"{local.split('+')[0]}@{domain}")


def _load_routes() -> dict[str, int]:
    routes: dict[str, int] = {}
    for pk, options in Channel.objects.filter(kind=ChannelKind.EMAIL, active=True).values_list(
        "pk", "settings"
    ):
        for address in [options.get("address", ""), *options.get("aliases", [])]:
            if address:
                routes[address.strip().lower()] = pk
    return routes


class MailHandler:
    def __init__(self, mailboxes: Mailboxes | None = None) -> None:
        self.mailboxes = mailboxes or Mailboxes()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if await self.mailboxes.channel_for(address) is None:
            return "550 5.1.1 No mailbox here by that name"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        by_channel: dict[int, list[str]] = {}
        for address in envelope.rcpt_tos:
            channel_id = await self.mailboxes.channel_for(address)
            if channel_id is not None:
                by_channel.setdefault(channel_id, []).append(address)
        try:
            for channel_id, recipients in by_channel.items():
                await accept_mail_async(
                    channel_id, raw, source="smtp", recipients=tuple(recipients)
                )
        except Exception:
            logger.exception("could not store mail from %s", envelope.mail_from)
            return "451 4.3.0 Could not store the message; try again later"
        return "250 2.0.0 Stored"


def smtp_server(handler: MailHandler) -> SMTP:
    return SMTP(
        handler,
        data_size_limit=settings.PARLEY_MAX_EMAIL_BYTES,
        enable_SMTPUTF8=True,
        decode_data=False,
        hostname=settings.PARLEY_SMTP_HOSTNAME,
        ident="Parley",
    )


async def serve_smtp(host: str, port: int, stop: asyncio.Event) -> None:
    """Listen until `stop` is set."""
    handler = MailHandler()
    server = await asyncio.get_running_loop().create_server(
        lambda: smtp_server(handler), host=host, port=port
    )
    logger.info("SMTP listener on %s:%s", host, port)
    async with server:
        await stop.wait()
