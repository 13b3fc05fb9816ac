"""The `parley` command: serve, web, worker, migrate, createadmin, token, demo, replay."""

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import Any, Literal


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    import django

    django.setup()
    from parley.core.errors import ParleyError

    try:
        return args.handler(args) or 0
    except ParleyError as exc:
        print(f"parley: {exc.detail}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley", description="The Parley helpdesk.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    for name, handler, text in (
        ("serve", cmd_serve, "Migrate, then run web and task worker in one process."),
        ("web", cmd_web, "Run the web server only (production: several of these)."),
    ):
        sub = command(name, handler, text)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=8000)
    sub = command("up", cmd_up, "Migrate, load the demo workspace if empty, and serve.")
    sub.add_argument("--host", default="127.0.0.1")
    sub.add_argument("--port", type=int, default=8000)
    command("worker", cmd_worker, "Run a task worker (production: several of these).")
    sub = command("smtpd", cmd_smtpd, "Receive mail for the email channels by SMTP.")
    sub.add_argument("--host", default=None, help="default: PARLEY_SMTP_HOST")
    sub.add_argument("--port", type=int, default=None, help="default: PARLEY_SMTP_PORT or 2525")
    sub = command("imap", cmd_imap, "Poll the email channels' IMAP mailboxes until stopped.")
    sub.add_argument("--once", action="store_true", help="poll each mailbox once and exit")
    command("migrate", cmd_migrate, "Create or update the database tables.")
    sub = command("createadmin", cmd_createadmin, "Create an admin agent.")
    sub.add_argument("--email")
    sub.add_argument("--password")
    sub.add_argument("--name", default="")
    sub = command("token", cmd_token, "Mint a personal API token for an agent.")
    sub.add_argument("--email", required=True)
    sub.add_argument("--name", default="cli")
    command("demo", cmd_demo, "Load the demo workspace into an empty database.")
    sub = command("replay", cmd_replay, "Process stored inbound events again.")
    sub.add_argument(
        "event_ids", nargs="*", type=int, help="events to replay (default: all failed)"
    )
    command("rotate-secrets", cmd_rotate_secrets, "Re-encrypt stored secrets with the current key.")
    sub = command("import-orders", cmd_import_orders, "Import orders from a CSV file.")
    sub.add_argument("file", type=argparse.FileType("r", encoding="utf-8-sig"))
    command("find-duplicates", cmd_find_duplicates, "Suggest merges for likely duplicates.")
    sub = command("manage", cmd_manage, "Run a Django management command.")
    sub.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print("parley: database is up to date")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    cmd_migrate(args)
    return _serve_with_worker(args.host, args.port)


def cmd_up(args: argparse.Namespace) -> int:
    from parley.demo import load_demo, workspace_is_empty

    cmd_migrate(args)
    if workspace_is_empty():
        load_demo()
    _print_login(args.host, args.port)
    return _serve_with_worker(args.host, args.port)


def _serve_with_worker(host: str, port: int) -> int:
    from django.conf import settings

    from parley.asgi import application
    from parley.core.lifespan import with_worker

    app = with_worker(application, settings.PARLEY_WORKER_INTERVAL)
    return _run_uvicorn(app, host, port, lifespan="on")


def cmd_web(args: argparse.Namespace) -> int:
    from parley.asgi import application

    return _run_uvicorn(application, args.host, args.port, lifespan="off")


def _run_uvicorn(app: Any, host: str, port: int, lifespan: Literal["on", "off"]) -> int:
    import uvicorn

    print(f"parley: serving on http://{host}:{port}/", flush=True)
    uvicorn.run(
        app, host=host, port=port, lifespan=lifespan, log_level="warning", ws="websockets-sansio"
    )  # type: ignore[arg-type]
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from django.conf import settings

    from parley.conversations.tasks import recover_inbound_events
    from parley.core.worker import ParleyWorker

    recovered = recover_inbound_events()
    print(f"parley: worker started ({recovered} unfinished inbound events re-queued)", flush=True)
    worker = ParleyWorker(settings.PARLEY_WORKER_INTERVAL)
    worker.configure_signals()
    worker.run()
    return 0


def cmd_smtpd(args: argparse.Namespace) -> int:
    import asyncio

    from django.conf import settings

    from parley.connectors.email.smtpd import serve_smtp

    host = args.host or settings.PARLEY_SMTP_HOST
    port = args.port or settings.PARLEY_SMTP_PORT or 2525
    print(f"parley: receiving mail on {host}:{port}", flush=True)
    asyncio.run(serve_smtp(host, port, asyncio.Event()))
    return 0


def cmd_imap(args: argparse.Namespace) -> int:
    import signal
    import threading

    from parley.connectors.email import imap

    if args.once:
        failed = 0
        for channel in imap.imap_channels():
            try:
                print(f"{channel.name}: {imap.poll_mailbox(channel)} new message(s)")
            except imap.ImapError as exc:
                failed += 1
                print(f"{channel.name}: {exc.reason}", file=sys.stderr)
        return 1 if failed else 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("parley: polling IMAP mailboxes (Ctrl-C stops)", flush=True)
    imap.run_pollers(stop)
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    from parley.accounts.actions import create_agent
    from parley.accounts.models import Role

    email = args.email or input("E-mail: ").strip()
    password = args.password or getpass.getpass("Password: ")
    agent = create_agent(email=email, password=password, name=args.name, role=Role.ADMIN)
    print(f"parley: admin {agent.email} created")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from parley.accounts.models import Agent, ApiToken
    from parley.core.errors import NotFound

    agent = Agent.objects.filter(email__iexact=args.email, is_active=True).first()
    if agent is None:
        raise NotFound(f"no active agent with e-mail {args.email}")
    _, raw = ApiToken.mint(agent, args.name)
    print(raw)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from parley.core.errors import Conflict
    from parley.demo import load_demo, workspace_is_empty

    if not workspace_is_empty():
        raise Conflict("the database already has agents or conversations; demo not loaded")
    load_demo()
    _print_login("127.0.0.1", 8000)
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from parley.conversations.models import InboundEvent, InboundStatus
    from parley.conversations.tasks import process_event

    events = InboundEvent.objects.select_related("channel").order_by("pk")
    events = (
        events.filter(pk__in=args.event_ids)
        if args.event_ids
        else events.filter(status=InboundStatus.FAILED)
    )
    failed = 0
    for event in events:
        outcome = process_event(event)
        failed += outcome == InboundStatus.FAILED
        print(f"event {event.pk}: {outcome}" + (f" ({event.error})" if event.error else ""))
    return 1 if failed else 0


def cmd_rotate_secrets(args: argparse.Namespace) -> int:
    from parley.connectors.actions import reencrypt_channel_secrets

    try:
        count = reencrypt_channel_secrets()
    except ValueError as exc:  # a secret no configured key can decrypt
        print(f"parley: {exc}; nothing was changed", file=sys.stderr)
        return 2
    print(f"parley: {count} channel and shop secrets re-encrypted with the current key")
    return 0


def cmd_import_orders(args: argparse.Namespace) -> int:
    from parley.customers.imports import ImportRejected, import_orders_csv

    try:
        orders = import_orders_csv(args.file.read())
    except UnicodeDecodeError:
        print("parley: the file is not UTF-8 text; nothing imported", file=sys.stderr)
        return 2
    except ImportRejected as exc:
        print("parley: nothing imported:", file=sys.stderr)
        for row, problem in exc.errors:
            print(f"  row {row}: {problem}", file=sys.stderr)
        return 2
    print(f"parley: {len(orders)} orders imported")
    return 0


def cmd_find_duplicates(args: argparse.Namespace) -> int:
    from parley.customers.duplicates import scan_duplicates

    print(f"parley: {scan_duplicates()} new merge suggestions")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parley manage", *args.rest])
    return 0


def _print_login(host: str, port: int) -> None:
    from parley.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD

    print(
        f"\n  Parley demo workspace: http://{host}:{port}/\n"
        f"  Log in as {DEMO_ADMIN_EMAIL} with password {DEMO_PASSWORD}\n",
        flush=True,
    )
