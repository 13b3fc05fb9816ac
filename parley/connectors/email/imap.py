"""IMAP polling of an existing mailbox: what arrives in one folder is stored in the durable
inbox (inbox.py), then marked or moved on the server; never deleted unless configured.

Configuration, `channel.settings["imap"]` (docs/channels/email-inbound.md):
    host, port (default 993 for ssl, else 143), security ("ssl" | "starttls" | "none", the
    last for loopback only), username, folder (default INBOX), after ("seen" | "flag" |
    "move" | "delete"; default "seen"), move_to (the folder for "move"), poll_seconds
    (without IDLE; default 60). The password is the channel secret "imap_password".

Which mail is taken, `channel.settings["imap_state"]` = {"uidvalidity", "last_uid"}:
- the first time (and whenever the folder's UIDVALIDITY changes, which voids every UID),
  the UNSEEN messages: an existing mailbox holds years of read mail nobody wants as tickets,
  and what Parley processed before is \\Seen (or gone);
- afterwards, every UID above last_uid, read by someone or not.
Each message is stored and last_uid advanced in one transaction, with the channel row locked,
so a second poller or a crash before the flag/move never stores it twice. A crash in a first
run can store a message twice; ingest dedupes it on its Message-ID, or for mail without one
on the digest of its bytes, which IMAP serves identically every time (records.py).
"""

import asyncio
import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from ..actions import report_channel_problem
from ..models import Channel, ChannelKind
from .inbox import accept_mail

logger = logging.getLogger(__name__)

STATE = "imap_state"
AFTER = ("seen", "flag", "move", "delete")
SECURITY = ("ssl", "starttls", "none")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
TIMEOUT = 60
# Servers may drop an IDLE after 30 minutes (RFC 2177): it is renewed well before.
IDLE_SECONDS = 25 * 60
# How often an idling poller looks at its stop flag.
IDLE_TICK = 1.0
# How often `run_pollers` looks for channels configured, changed or switched off.
RESCAN_SECONDS = 60
MAX_BACKOFF = 300


class ImapError(Exception):
    """The mailbox cannot be polled; `reason` is what admins see on the channel."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    after: str = "seen"
    move_to: str = ""
    poll_seconds: int = 60


def imap_settings(channel: Channel) -> ImapSettings:
    """The channel's IMAP configuration, checked; ImapError names what is wrong."""
    conf = channel.settings.get("imap") or {}
    security = conf.get("security") or "ssl"
    host = str(conf.get("host") or "").strip()
    if security not in SECURITY:
        raise ImapError(_("IMAP security must be ssl, starttls or none"))
    if security == "none" and host not in LOOPBACK:
        raise ImapError(_("IMAP without TLS is only allowed to this machine (127.0.0.1)"))
    after = conf.get("after") or "seen"
    if after not in AFTER:
        raise ImapError(_("after processing, IMAP mail is marked seen, flagged, moved or deleted"))
    if after == "move" and not conf.get("move_to"):
        raise ImapError(_("moving processed mail needs a folder (move_to)"))
    if not host or not conf.get("username"):
        raise ImapError(_("IMAP needs a host and a username"))
    try:
        port = int(conf.get("port") or (993 if security == "ssl" else 143))
        poll_seconds = max(5, min(int(conf.get("poll_seconds") or 60), IDLE_SECONDS))
    except (TypeError, ValueError) as exc:
        raise ImapError(_("IMAP port and poll_seconds must be numbers")) from exc
    return ImapSettings(
        host=host,
        port=port,
        security=security,
        username=str(conf["username"]),
        password=channel.secret("imap_password"),
        folder=conf.get("folder") or "INBOX",
        after=after,
        move_to=conf.get("move_to") or "",
        poll_seconds=poll_seconds,
    )


def imap_channels() -> list[Channel]:
    return [
        channel
        for channel in Channel.objects.filter(kind=ChannelKind.EMAIL, active=True)
        if (channel.settings.get("imap") or {}).get("host")
    ]


def poll_mailbox(channel: Channel) -> int:
    """Connect, store what is new, mark or move it; how many messages were stored.
    A failure is recorded on the channel's health and raised as ImapError."""
    with reporting(channel):
        config = imap_settings(channel)
        with mailbox(config) as client:
            stored = fetch_new(channel, client, config)
        clear_problem(channel)
        return stored


@contextlib.contextmanager
def reporting(channel: Channel) -> Iterator[None]:
    try:
        yield
    except ImapError as exc:
        report_problem(channel, exc.reason)
        raise


@contextlib.contextmanager
def mailbox(config: ImapSettings) -> Iterator[IMAPClient]:
    """A logged-in connection; IMAP and socket errors become ImapError with a reason an
    admin can act on."""
    where = f"{config.host}:{config.port}"
    try:
        client = _connect(config)
    except (IMAPClientError, OSError) as exc:
        raise ImapError(_("cannot connect to %(where)s: %(error)s") % _said(where, exc)) from exc
    try:
        _log_in(client, config)
        yield client
    except LoginError as exc:
        raise ImapError(
            _("cannot log in to %(where)s: %(error)s") % _said(config.host, exc)
        ) from exc
    except (IMAPClientError, OSError) as exc:
        raise ImapError(_("IMAP error at %(where)s: %(error)s") % _said(where, exc)) from exc
    finally:
        with contextlib.suppress(IMAPClientError, OSError):
            client.logout()


def _said(where: str, exc: Exception) -> dict[str, str]:
    error = exc.args[0] if exc.args else exc
    if isinstance(error, bytes):
        error = error.decode("utf-8", "replace")
    return {"where": where, "error": str(error) or type(exc).__name__}


def _connect(config: ImapSettings) -> IMAPClient:
    context = ssl.create_default_context()
    client = IMAPClient(
        config.host,
        port=config.port,
        ssl=config.security == "ssl",
        ssl_context=context,
        timeout=TIMEOUT,
    )
    if config.security == "starttls":
        client.starttls(context)
    return client


def _log_in(client: IMAPClient, config: ImapSettings) -> None:
    client.login(config.username, config.password)
    if config.after == "move" and not client.folder_exists(config.move_to):
        client.create_folder(config.move_to)


def fetch_new(channel: Channel, client: IMAPClient, config: ImapSettings) -> int:
    """Store the messages not yet taken from the folder (see the module's docstring)."""
    selected = client.select_folder(config.folder)
    uidvalidity = int(selected[b"UIDVALIDITY"])
    state = _state(channel.pk)
    if state.get("uidvalidity") != uidvalidity or "last_uid" not in state:
        # What arrives from now on has a UID above `top`: the next poll takes it.
        uidnext = selected.get(b"UIDNEXT")
        top = int(uidnext) - 1 if uidnext else max(client.search(["ALL"]), default=0)
        stored = _take_all(channel, client, config, client.search(["UNSEEN"]), None)
        _save_state(channel.pk, uidvalidity=uidvalidity, last_uid=top)
        return stored
    last = int(state["last_uid"])
    if config.after in ("move", "delete") and last:
        # Stored, but the move or delete did not happen (a crash, a dropped connection).
        _after(client, config, [uid for uid in client.search(["UID", f"1:{last}"]) if uid <= last])
    new = [uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last]
    return _take_all(channel, client, config, new, uidvalidity)


def _take_all(
    channel: Channel, client: IMAPClient, config: ImapSettings, uids: list, uidvalidity: int | None
) -> int:
    """Store each message in UID order, then mark or move it. With `uidvalidity`, last_uid
    advances with each; without (a first run), the \\Seen flag is the only record."""
    if not uids:
        return 0
    sizes = client.fetch(uids, ["RFC822.SIZE"])
    stored = 0
    for uid in sorted(sizes):
        if _take(channel.pk, client, uid, int(sizes[uid][b"RFC822.SIZE"]), uidvalidity):
            stored += 1
        _after(client, config, [uid])
    return stored


def _take(
    channel_id: int, client: IMAPClient, uid: int, size: int, uidvalidity: int | None
) -> bool:
    # PEEK: the server's \Seen changes only once the message is stored.
    whole = size <= settings.PARLEY_MAX_EMAIL_BYTES
    part = b"BODY.PEEK[]" if whole else b"BODY.PEEK[HEADER]"
    fetched = client.fetch([uid], [part]).get(uid)
    if fetched is None:  # expunged by someone else meanwhile
        return False
    raw = fetched[b"BODY[]" if whole else b"BODY[HEADER]"]
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel_id)
        state = locked.settings.get(STATE) or {}
        if uidvalidity is not None:
            if state.get("uidvalidity") == uidvalidity and int(state.get("last_uid", 0)) >= uid:
                return False  # another poller stored it
            locked.settings[STATE] = {**state, "uidvalidity": uidvalidity, "last_uid": uid}
            locked.save(update_fields=["settings"])
        accept_mail(channel_id, raw, source="imap", size=size)
    return True


def _after(client: IMAPClient, config: ImapSettings, uids: list) -> None:
    if not uids:
        return
    if config.after == "move" and client.has_capability("MOVE"):
        client.move(uids, config.move_to)
        return
    if config.after == "move":
        client.copy(uids, config.move_to)
    if config.after in ("move", "delete"):
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        # Without UIDPLUS, EXPUNGE also removes what others marked \Deleted in this folder.
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        else:
            client.expunge()
        return
    flags = [b"\\Seen", b"\\Flagged"] if config.after == "flag" else [b"\\Seen"]
    client.add_flags(uids, flags, silent=True)


def _state(channel_id: int) -> dict:
    settings_ = Channel.objects.values_list("settings", flat=True).get(pk=channel_id)
    return settings_.get(STATE) or {}


def _save_state(channel_id: int, **changes: object) -> None:
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel_id)
        locked.settings[STATE] = {**(locked.settings.get(STATE) or {}), **changes}
        locked.save(update_fields=["settings"])


def report_problem(channel: Channel, reason: str) -> None:
    """Shown to admins on the channel until the mailbox works again."""
    logger.warning("IMAP for channel %s: %s", channel.pk, reason)
    report_channel_problem(channel, reason)
    _save_state(channel.pk, problem=reason[:2000])


def clear_problem(channel: Channel) -> None:
    """Clear the problem IMAP reported, and no other (a failed send stays shown)."""
    problem = _state(channel.pk).get("problem")
    if problem:
        Channel.objects.filter(pk=channel.pk, health_problem=problem).update(
            health_problem="", health_checked_at=timezone.now()
        )
        _save_state(channel.pk, problem="")


class MailboxPoller(threading.Thread):
    """Keeps one mailbox polled: IDLE where the server has it, else every poll_seconds;
    reconnects with backoff, each failure on the channel's health."""

    def __init__(self, channel_id: int, config: ImapSettings) -> None:
        super().__init__(name=f"imap-{channel_id}", daemon=True)
        self.channel_id, self.config = channel_id, config
        self.halted = threading.Event()
        self.failures = 0

    def run(self) -> None:
        try:
            while not self.halted.is_set():
                try:
                    self._session()
                except ImapError:
                    pass  # reported on the channel
                except Exception:
                    logger.exception("IMAP poller for channel %s failed", self.channel_id)
                self.failures += 1
                self.halted.wait(min(MAX_BACKOFF, 2**self.failures))
        finally:
            close_old_connections()

    def _session(self) -> None:
        channel = Channel.objects.get(pk=self.channel_id)
        with reporting(channel), mailbox(self.config) as client:
            idle = client.has_capability("IDLE")
            while not self.halted.is_set():
                fetch_new(channel, client, self.config)
                clear_problem(channel)
                self.failures = 0
                if idle:
                    _idle(client, self.halted)
                else:
                    self.halted.wait(self.config.poll_seconds)


def _idle(client: IMAPClient, halted: threading.Event) -> None:
    """Wait for new mail (EXISTS); the server's keep-alives do not count."""
    client.idle()
    try:
        deadline = time.monotonic() + IDLE_SECONDS
        while not halted.is_set() and time.monotonic() < deadline:
            started = time.monotonic()
            responses = client.idle_check(timeout=IDLE_TICK)
            if any(len(r) > 1 and r[1] in (b"EXISTS", b"BYE") for r in responses):
                return
            if not responses and time.monotonic() - started < IDLE_TICK / 2:
                return  # the server closed the connection: idle_done or the next command fails
    finally:
        client.idle_done()


def run_pollers(stop: threading.Event, rescan: float = RESCAN_SECONDS) -> None:
    """One poller per active IMAP-configured email channel until `stop` is set; channels
    configured, changed or switched off later are picked up within `rescan` seconds."""
    pollers: dict[int, MailboxPoller] = {}
    try:
        while not stop.is_set():
            try:
                _reconcile(pollers, _wanted())
            except DatabaseError:
                logger.exception("IMAP pollers: cannot read the channels; trying again")
            close_old_connections()
            stop.wait(rescan)
    finally:
        _halt(list(pollers.values()))
        close_old_connections()


def _reconcile(pollers: dict[int, MailboxPoller], wanted: dict[int, ImapSettings]) -> None:
    """Stop the pollers of channels gone or changed; start those missing."""
    for channel_id, poller in list(pollers.items()):
        if wanted.get(channel_id) != poller.config or not poller.is_alive():
            _halt([pollers.pop(channel_id)])
    for channel_id, config in wanted.items():
        if channel_id not in pollers:
            pollers[channel_id] = MailboxPoller(channel_id, config)
            pollers[channel_id].start()


def _wanted() -> dict[int, ImapSettings]:
    wanted = {}
    for channel in imap_channels():
        try:
            wanted[channel.pk] = imap_settings(channel)
        except ImapError as exc:
            if channel.health_problem != exc.reason:
                report_problem(channel, exc.reason)
    return wanted


def _halt(pollers: list[MailboxPoller]) -> None:
    for poller in pollers:
        poller.halted.set()
    for poller in pollers:
        poller.join(timeout=TIMEOUT)


async def serve_imap(stop: asyncio.Event) -> None:
    """`parley serve`'s pollers, in threads (imapclient blocks), until `stop` is set."""
    halted = threading.Event()
    supervisor = threading.Thread(target=run_pollers, args=(halted,), name="imap", daemon=True)
    supervisor.start()
    await stop.wait()
    halted.set()
    await asyncio.to_thread(supervisor.join, TIMEOUT)
