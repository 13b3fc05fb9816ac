"""IMAP polling against a real dovecot on 127.0.0.1."""

import asyncio
import threading
import time
from email.message import EmailMessage

import pytest
from django.db import OperationalError

from parley.connectors.actions import save_channel
from parley.connectors.email.imap import ImapError, poll_mailbox, run_pollers, serve_imap
from parley.connectors.email.inbox import stored_mail
from parley.conversations.models import Conversation, InboundEvent, InboundStatus, Message
from tests.fakes.dovecot import Dovecot

from .conftest import ADDRESS, customer_mail


@pytest.fixture
def dovecot():
    server = Dovecot().start()
    yield server
    server.stop()


def imap_channel(dovecot: Dovecot, password: str | None = None, **imap: object):
    return save_channel(
        None,
        kind="email",
        name="Support mailbox",
        settings={"address": ADDRESS, "imap": dovecot.settings(**imap)},
        secrets={"imap_password": password or dovecot.users["support"]},
    )


def append(dovecot: Dovecot, raw: bytes, folder: str = "INBOX", flags: tuple = ()) -> bytes:
    """Deliver `raw` to the folder; the bytes the server now holds (with CRLF line ends)."""
    with dovecot.client() as client:
        client.append(folder, raw, flags=flags)
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def folder_flags(dovecot: Dovecot, folder: str = "INBOX") -> list[tuple]:
    """The flags of every message left in the folder, oldest first."""
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        flags = client.get_flags(client.search("ALL"))
    return [tuple(sorted(set(flags[uid]) - {b"\\Recent"})) for uid in sorted(flags)]


def stored(channel) -> list[bytes]:
    return [
        stored_mail(event.headers, event.body)
        for event in InboundEvent.objects.filter(channel=channel).order_by("pk")
    ]


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not _holds(condition):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _holds(condition) -> bool:
    try:
        return condition()
    except OperationalError as exc:
        # The test database is SQLite's shared in-memory one, where a reader meets a
        # writer's table lock at once instead of waiting: look again.
        if "locked" not in str(exc):
            raise
        return False


def test_new_mail_is_stored_exactly_and_marked_seen_not_deleted(db, dovecot):
    channel = imap_channel(dovecot)
    first = append(dovecot, customer_mail("First"))
    second = append(dovecot, customer_mail("Second", subject="Refund"))

    assert poll_mailbox(channel) == 2

    assert stored(channel) == [first, second]
    event = InboundEvent.objects.filter(channel=channel).first()
    assert event.headers["x-parley-source"] == "imap"
    assert folder_flags(dovecot) == [(b"\\Seen",), (b"\\Seen",)]


def test_a_second_poll_stores_nothing_new_and_a_later_mail_is_taken(db, dovecot):
    channel = imap_channel(dovecot)
    append(dovecot, customer_mail("First"))
    poll_mailbox(channel)

    assert poll_mailbox(channel) == 0
    # Read in another mail client before Parley saw it: taken all the same.
    later = append(dovecot, customer_mail("Later"), flags=(b"\\Seen",))
    assert poll_mailbox(channel) == 1

    assert len(stored(channel)) == 2
    assert stored(channel)[-1] == later


def test_the_first_poll_takes_only_unread_mail(db, dovecot):
    append(dovecot, customer_mail("Old, read long ago"), flags=(b"\\Seen",))
    unread = append(dovecot, customer_mail("Unread"))
    channel = imap_channel(dovecot)

    assert poll_mailbox(channel) == 1

    assert stored(channel) == [unread]
    channel.refresh_from_db()
    assert channel.settings["imap_state"]["last_uid"] == 2


@pytest.mark.parametrize(
    ("after", "left_in_inbox", "in_processed"),
    [
        pytest.param("flag", [(b"\\Flagged", b"\\Seen")], 0, id="flag_case"),
        pytest.param("move", [], 1, id="move_case"),
        pytest.param("delete", [], 0, id="delete_case"),
    ],
)
def test_processed_mail_is_flagged_moved_or_deleted_as_configured(
    db, dovecot, after, left_in_inbox, in_processed
):
    channel = imap_channel(dovecot, after=after, move_to="Processed")
    append(dovecot, customer_mail())

    assert poll_mailbox(channel) == 1

    assert folder_flags(dovecot) == left_in_inbox
    with dovecot.client() as client:
        exists = client.folder_exists("Processed")
        count = client.folder_status("Processed")[b"MESSAGES"] if exists else 0
    assert count == in_processed


def test_an_empty_mailbox_polls_cleanly(db, dovecot):
    channel = imap_channel(dovecot, after="move", move_to="Processed")

    assert [poll_mailbox(channel), poll_mailbox(channel)] == [0, 0]

    channel.refresh_from_db()
    assert channel.settings["imap_state"]["last_uid"] == 0
    assert channel.health_problem == ""


def test_a_message_stored_but_not_moved_is_moved_by_the_next_poll(db, dovecot):
    channel = imap_channel(dovecot, after="move", move_to="Processed")
    append(dovecot, customer_mail())
    poll_mailbox(channel)
    # As if the connection dropped between storing and moving: the mail is back in INBOX
    # with a UID Parley already took.
    with dovecot.client() as client:
        client.select_folder("Processed")
        client.move(client.search("ALL"), "INBOX")
    channel.refresh_from_db()
    channel.settings["imap_state"]["last_uid"] = 99
    channel.save()

    assert poll_mailbox(channel) == 0

    assert folder_flags(dovecot) == []
    assert len(stored(channel)) == 1


def test_a_new_uidvalidity_restarts_from_the_unread_mail(db, dovecot):
    with dovecot.client() as client:
        client.create_folder("Support")
    channel = imap_channel(dovecot, folder="Support")
    append(dovecot, customer_mail("Before"), folder="Support")
    poll_mailbox(channel)
    channel.refresh_from_db()
    before = channel.settings["imap_state"]["uidvalidity"]
    # The folder is recreated: UIDs start again at 1 and mean nothing old.
    with dovecot.client() as client:
        client.delete_folder("Support")
        client.create_folder("Support")
    again = [append(dovecot, customer_mail(text), folder="Support") for text in ("One", "Two")]

    assert poll_mailbox(channel) == 2

    assert stored(channel)[1:] == again
    channel.refresh_from_db()
    assert channel.settings["imap_state"]["uidvalidity"] != before


def test_an_oversized_message_is_recorded_failed_with_its_headers_only(db, dovecot, settings):
    settings.PARLEY_MAX_EMAIL_BYTES = 4000
    channel = imap_channel(dovecot)
    big = customer_mail("x" * 10_000, subject="Huge attachment")
    append(dovecot, big)

    assert poll_mailbox(channel) == 1

    event = InboundEvent.objects.get(channel=channel)
    assert event.status == InboundStatus.FAILED
    assert "over the" in event.error
    assert int(event.headers["x-parley-size"]) >= 10_000
    kept = stored_mail(event.headers, event.body)
    assert b"Subject: Huge attachment" in kept
    assert b"xxxx" not in kept
    assert folder_flags(dovecot) == [(b"\\Seen",)]


def test_a_wrong_password_is_shown_on_the_channel_and_cleared_once_it_works(db, dovecot):
    channel = imap_channel(dovecot, password="not-the-password")
    append(dovecot, customer_mail())

    with pytest.raises(ImapError):
        poll_mailbox(channel)

    channel.refresh_from_db()
    assert channel.health_problem.startswith("cannot log in to 127.0.0.1: ")
    assert "AUTHENTICATIONFAILED" in channel.health_problem
    assert stored(channel) == []
    assert folder_flags(dovecot) == [()]

    channel = save_channel(channel, secrets={"imap_password": dovecot.users["support"]})
    assert poll_mailbox(channel) == 1
    channel.refresh_from_db()
    assert channel.health_problem == ""


def test_an_unreachable_server_is_shown_on_the_channel(db, dovecot):
    channel = imap_channel(dovecot)
    port = dovecot.port
    dovecot.stop()

    with pytest.raises(ImapError):
        poll_mailbox(channel)

    channel.refresh_from_db()
    assert channel.health_problem.startswith(f"cannot connect to 127.0.0.1:{port}: ")


def test_starttls_to_a_server_without_it_is_shown_on_the_channel(db, dovecot):
    channel = imap_channel(dovecot, security="starttls")

    with pytest.raises(ImapError):
        poll_mailbox(channel)

    channel.refresh_from_db()
    assert channel.health_problem.startswith(f"cannot connect to 127.0.0.1:{dovecot.port}: ")
    assert "STARTTLS" in channel.health_problem


@pytest.mark.parametrize(
    ("imap", "reason"),
    [
        pytest.param({"host": "imap.example.com"}, "without TLS", id="plain_to_remote_case"),
        pytest.param({"security": "tls"}, "ssl, starttls or none", id="security_case"),
        pytest.param({"after": "archive"}, "moved or deleted", id="after_case"),
        pytest.param({"after": "move"}, "move_to", id="move_without_folder_case"),
        pytest.param({"port": "imaps"}, "must be numbers", id="port_case"),
    ],
)
def test_a_bad_configuration_is_shown_on_the_channel(db, dovecot, imap, reason):
    channel = imap_channel(dovecot, **imap)

    with pytest.raises(ImapError):
        poll_mailbox(channel)

    channel.refresh_from_db()
    assert reason in channel.health_problem


def test_polled_mail_becomes_a_conversation_once(db, dovecot, commit):
    channel = imap_channel(dovecot)
    raw = customer_mail("Where is my parcel?", subject="Parcel")
    append(dovecot, raw)

    with commit():
        poll_mailbox(channel)

    message = Message.objects.get(channel=channel)
    assert message.text.strip() == "Where is my parcel?"
    assert Conversation.objects.get(channel=channel).subject == "Parcel"


def test_mail_without_message_id_stored_twice_after_a_crash_is_one_message(db, dovecot, commit):
    mail = EmailMessage()
    mail["From"] = "ann@example.com"
    mail["To"] = ADDRESS
    mail["Subject"] = "No id"
    mail.set_content("Hello")
    append(dovecot, bytes(mail))
    channel = imap_channel(dovecot)
    with commit():
        poll_mailbox(channel)
    # A crash in the first run after storing, before the \Seen flag and the state were saved.
    with dovecot.client() as client:
        client.select_folder("INBOX")
        client.remove_flags(client.search("ALL"), [b"\\Seen"])
    channel.refresh_from_db()
    channel.settings.pop("imap_state")
    channel.save()

    with commit():
        assert poll_mailbox(channel) == 1

    assert InboundEvent.objects.filter(channel=channel).count() == 2
    assert Message.objects.filter(channel=channel).count() == 1


@pytest.mark.django_db(transaction=True)
def test_idle_wakes_the_poller_when_mail_arrives(dovecot):
    channel = imap_channel(dovecot, poll_seconds=3600)
    stop = threading.Event()
    pollers = threading.Thread(target=run_pollers, args=(stop,))
    pollers.start()
    try:
        wait_for(lambda: "imap_state" in _settings(channel))
        append(dovecot, customer_mail("Arrived while idling"))

        wait_for(lambda: InboundEvent.objects.filter(channel=channel).exists())
    finally:
        stop.set()
        pollers.join(timeout=20)
    assert not pollers.is_alive()
    assert folder_flags(dovecot) == [(b"\\Seen",)]


@pytest.mark.django_db(transaction=True)
def test_the_poller_reports_a_lost_server_and_reconnects_when_it_is_back(dovecot):
    channel = imap_channel(dovecot)
    stop = threading.Event()
    pollers = threading.Thread(target=run_pollers, args=(stop,))
    pollers.start()
    try:
        wait_for(lambda: "imap_state" in _settings(channel))
        dovecot.halt()
        wait_for(lambda: _health(channel) != "", seconds=20)
        dovecot.run()
        append(dovecot, customer_mail("After the restart"))

        wait_for(lambda: InboundEvent.objects.filter(channel=channel).exists(), seconds=30)
        wait_for(lambda: _health(channel) == "")
    finally:
        stop.set()
        pollers.join(timeout=20)
    assert not pollers.is_alive()


@pytest.mark.django_db(transaction=True)
def test_serve_runs_the_pollers_until_stopped(dovecot):
    channel = imap_channel(dovecot)
    append(dovecot, customer_mail())

    async def serve_until_stored() -> None:
        stop = asyncio.Event()
        serving = asyncio.create_task(serve_imap(stop))
        stored = InboundEvent.objects.filter(channel=channel).exists
        while not await asyncio.to_thread(_holds, stored):
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(serving, 20)

    asyncio.run(asyncio.wait_for(serve_until_stored(), 30))


def test_parley_imap_once_polls_every_configured_mailbox(db, dovecot, capsys):
    from parley.cli import main

    channel = imap_channel(dovecot)
    append(dovecot, customer_mail())

    assert main(["imap", "--once"]) == 0

    assert len(stored(channel)) == 1
    assert "1 new message" in capsys.readouterr().out


def _settings(channel) -> dict:
    channel.refresh_from_db()
    return channel.settings


def _health(channel) -> str:
    channel.refresh_from_db()
    return channel.health_problem
