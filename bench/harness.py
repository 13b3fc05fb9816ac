"""Shared benchmark plumbing: a throw-away Parley (`parley serve`) and a lean HTTP load loop.

The load generator speaks HTTP/1.1 keep-alive on raw asyncio streams so that, on a 2-core
machine, the client spends as little CPU as possible next to the server it measures.
"""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PARLEY = str(Path(sys.executable).with_name("parley"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    url: str
    port: int
    env: dict
    process: subprocess.Popen | None = None
    var_dir: str = ""
    workers: list[subprocess.Popen] = field(default_factory=list)

    def parley(self, *args: str) -> str:
        result = subprocess.run(
            [PARLEY, *args], env=self.env, capture_output=True, text=True, check=True
        )
        return result.stdout.strip()

    def sql(self, query: str) -> list[tuple]:
        url = self.env.get("PARLEY_DATABASE_URL", "")
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url) as conn:
                return conn.execute(query).fetchall()
        import sqlite3

        with sqlite3.connect(Path(self.var_dir) / "parley.sqlite3") as conn:
            return conn.execute(query).fetchall()

    def stop(self) -> None:
        for process in [self.process, *self.workers]:
            if process:
                process.terminate()
                process.wait(timeout=30)
        shutil.rmtree(self.var_dir, ignore_errors=True)


def start(
    database_url: str = "", *, serve: bool = True, workers: int = 0, web_only: bool = False
) -> Instance:
    """A fresh Parley: `parley serve` (web + worker in one process), or with workers > 0,
    `parley web` plus that many `parley worker` processes (the production topology), or
    with web_only, `parley web` and no worker at all."""
    var_dir = tempfile.mkdtemp(prefix="parley-bench-")
    env = {**os.environ, "PARLEY_VAR_DIR": var_dir, "PARLEY_LOG_LEVEL": "WARNING"}
    # Never the database a developer's shell points at: its own, or a fresh SQLite file.
    env.pop("PARLEY_DATABASE_URL", None)
    if database_url:
        env["PARLEY_DATABASE_URL"] = recreate_postgres(database_url)
    port = free_port()
    instance = Instance(f"http://127.0.0.1:{port}", port, env, var_dir=var_dir)
    instance.parley("migrate")
    if serve:
        command = "web" if workers or web_only else "serve"
        instance.process = subprocess.Popen(
            [PARLEY, command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        instance.workers = [
            subprocess.Popen([PARLEY, "worker"], env=env, stdout=subprocess.DEVNULL)
            for _ in range(workers)
        ]
        wait_for(instance)
    return instance


def recreate_postgres(url: str) -> str:
    import psycopg

    base = url.rsplit("/", 1)[0]
    name = "parley_bench_" + uuid.uuid4().hex[:6]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@contextmanager
def own_database(database_url: str) -> Iterator[str]:
    """Django set up on a fresh, migrated database of the run's own, dropped afterwards;
    yields "postgresql" or "sqlite". A PARLEY_DATABASE_URL in the shell names a server to
    bench on, never the database to fill (a developer's own)."""
    server = database_url or os.environ.pop("PARLEY_DATABASE_URL", "")
    server = server if server.startswith("postgres") else ""
    instance = start(server, serve=False)
    os.environ.update(instance.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parley.settings"
    import django

    django.setup()
    try:
        yield "postgresql" if server else "sqlite"
    finally:
        from django.db import connections

        connections.close_all()
        instance.stop()
        if server:
            drop_postgres(instance.env["PARLEY_DATABASE_URL"])


def drop_postgres(url: str) -> None:
    """A run's own database (made by recreate_postgres): a benchmark's rows go with it."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(instance: Instance) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", instance.port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("parley serve did not start")


def admin_token(instance: Instance) -> str:
    instance.parley("createadmin", "--email", "bench@example.com", "--password", "bench-pass-42")
    return instance.parley("token", "--email", "bench@example.com")


def request_bytes(method: str, path: str, token: str, body: dict | None = None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return status, await reader.readexactly(length)


async def load(port: int, requests: list[bytes], concurrency: int) -> tuple[list[float], float]:
    """Send every request over `concurrency` keep-alive connections; latencies in seconds."""
    latencies: list[float] = []
    queue = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for raw in queue:
            started = time.perf_counter()
            writer.write(raw)
            status, body = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status >= 300:
                raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return latencies, time.perf_counter() - began


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def wait_until_stored(instance: Instance, n: int, timeout: float = 900) -> int:
    """Messages stored so far, polled until there are n (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        count = instance.sql("SELECT count(*) FROM conversations_message")[0][0]
        if count >= n:
            return count
        time.sleep(0.2)
    return count
