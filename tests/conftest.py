"""Shared fixtures. Real services (parley serve, Redis) are started on loopback here."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from parley.accounts.models import Role

from . import factories

ROOT = Path(__file__).resolve().parent.parent

# In CI the property tests draw the same examples every run, so a landing never depends on
# luck; on a developer's machine they keep exploring (and remember what failed).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
PARLEY = str(Path(sys.executable).with_name("parley"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_binary(path: str) -> str:
    """A missing service binary fails in CI (where .ci/run installs it) and skips elsewhere."""
    found = shutil.which(path)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{path} is required in CI")
        pytest.skip(f"{path} is not installed")
    return found


@pytest.fixture(autouse=True)
def _fresh_channel_cache():
    from parley.api.inbound import forget_channels
    from parley.connectors import receive

    forget_channels()
    receive.forget_channels()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on-commit side effects (tasks, pushes) inside a test transaction."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def admin(db):
    return factories.make_agent(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def agent(db):
    return factories.make_agent(Role.AGENT, name="Sam Agent")


@pytest.fixture
def api_channel(db):
    return factories.make_channel("api")


@pytest.fixture
def api(admin):
    return api_client(admin)


def api_client(agent) -> Client:
    return Client(headers={"Authorization": f"Bearer {factories.make_token(agent)}"})


@pytest.fixture
def web(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


class ServerProcess:
    def __init__(self, port: int, env: dict[str, str], process: subprocess.Popen) -> None:
        self.port, self.env, self.process = port, env, process
        self.url = f"http://127.0.0.1:{port}"

    def parley(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PARLEY, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )

    def admin_with_api_channel(self) -> tuple[dict[str, str], int]:
        """Create an admin through the CLI and an API channel through the API:
        (auth headers, channel id)."""
        created = self.parley(
            "createadmin", "--email", "ops@example.com", "--password", "long-enough-pw"
        )
        assert created.returncode == 0, created.stderr
        token = self.parley("token", "--email", "ops@example.com").stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        channel = httpx.post(
            self.url + "/api/v1/channels", headers=headers, json={"kind": "api", "name": "feed"}
        )
        return headers, channel.json()["id"]


def server_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(PARLEY_VAR_DIR=str(var_dir), PARLEY_WORKER_INTERVAL="0.05", **extra)
    if "PARLEY_DATABASE_URL" in os.environ:
        suffix = uuid.uuid4().hex[:8]
        env["PARLEY_DATABASE_URL"] = os.environ["PARLEY_DATABASE_URL"] + "_serve_" + suffix
    return env


def start_server(var_dir: Path, **extra: str) -> ServerProcess:
    """`parley serve` on a free port, with its own empty database."""
    port = free_port()
    env = server_env(var_dir, **extra)
    if "PARLEY_DATABASE_URL" in env:
        create_postgres_database(env["PARLEY_DATABASE_URL"])
    log = open(var_dir / "serve.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [PARLEY, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = ServerProcess(port, env, process)
    wait_until_up(server, var_dir / "serve.log")
    return server


def wait_until_up(server: ServerProcess, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("parley serve exited:\n" + log.read_text())
        try:
            httpx.get(server.url + "/login/", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("parley serve did not come up:\n" + log.read_text())


def stop_server(server: ServerProcess) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
    if "PARLEY_DATABASE_URL" in server.env:
        drop_postgres_database(server.env["PARLEY_DATABASE_URL"])


def _postgres(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return base + "/postgres", name


def create_postgres_database(url: str) -> None:
    import psycopg

    admin_url, name = _postgres(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres_database(url: str) -> None:
    import psycopg

    admin_url, name = _postgres(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    running = start_server(tmp_path)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    binary = require_binary("redis-server")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def recorder():
    from .fakes.recorder import RecordingServer

    server = RecordingServer().start()
    yield server
    server.stop()


@pytest.fixture
def db_task_backend(settings):
    """Queue tasks in the database, as production does, instead of running them at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
