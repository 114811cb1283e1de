"""Real processes on the test database, for the integration and browser
tests: Celery workers, gunicorn (the web server) and uvicorn (the
streaming server). A pytest plugin (the root conftest loads it).

Each process is a subprocess in its own process group, so a test can
SIGKILL a worker the way an out-of-memory killer or a lost machine would.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    """DATABASE_URL of the database the tests run on (pytest-django's test_ copy)."""
    db = settings.DATABASES["default"]
    host = db["HOST"] or ""
    if host.startswith("/"):
        host = quote(host, safe="")
    credentials = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


class Worker:
    def __init__(self, env: dict):
        self.env = env
        self.process = None
        self.log = ROOT / ".data" / f"test-worker-{uuid.uuid4().hex[:8]}.log"

    def start(self) -> "Worker":
        self.log.parent.mkdir(exist_ok=True)
        command = [
            sys.executable, "-m", "celery", "-A", "twitter", "worker",
            "--queues", "fanout,default,notifications,search,media",
            "--concurrency", "1", "--pool", "prefork",
            "--without-mingle", "--without-gossip", "--loglevel", "INFO",
            "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while "ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{self.log.read_text()}")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool child): no clean-up runs."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """collectstatic, once: servers and workers render static URLs from its manifest."""
    root = tmp_path_factory.mktemp("static")
    manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    env = {**os.environ, "STATIC_ROOT": str(root), "SECRET_KEY": settings.SECRET_KEY}
    subprocess.run(manage, cwd=ROOT, env=env, check=True)
    return root


@pytest.fixture
def celery_worker_factory(transactional_db, static_root):
    """Start real Celery workers on the test database: factory(**extra_env)."""
    workers = []

    def start(**extra_env) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "STATIC_ROOT": str(static_root),
            **{name: str(value) for name, value in extra_env.items()},
        }
        worker = Worker(env).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
        worker.log.unlink(missing_ok=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the project on the test database, as production does
    (DEBUG off); with `asgi`, uvicorn serving the streaming server as the
    Procfile's `stream` process does."""

    def __init__(self, env: dict, tmp_path: Path, static_root: Path, *, asgi: bool = False):
        self.port = free_port()
        self.asgi = asgi
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.log = tmp_path / f"server-{self.port}.log"
        self.env = {
            "ALLOWED_HOSTS": "127.0.0.1",
            **env,
            "DEBUG": "0",
            "STATIC_ROOT": str(static_root),
        }
        self.process = None

    def start(self) -> "Server":
        command = [
            sys.executable, "-m", "gunicorn", "twitter.wsgi", "--bind", f"127.0.0.1:{self.port}",
            "--workers", "2", "--access-logfile", "-",
        ]  # fmt: skip
        if self.asgi:
            command = [
                sys.executable, "-m", "uvicorn", "twitter.asgi:application", "--host", "127.0.0.1",
                "--port", str(self.port), "--ws-max-size", "65536", "--log-level", "info",
            ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        import urllib.request

        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/health/", timeout=1)  # noqa: S310 - our own server
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"The server did not start:\n{self.log.read_text()}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop it; start() brings it back on the same port."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)


@pytest.fixture
def site_factory(transactional_db, tmp_path, static_root):
    """Start gunicorn (or with asgi=True uvicorn) on the test database:
    site_factory(**extra_env) -> Server."""
    servers = []

    def start(*, asgi: bool = False, **extra_env) -> Server:
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            **{name: str(value) for name, value in extra_env.items()},
        }
        server = Server(env, tmp_path, static_root, asgi=asgi).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def live_site(celery_worker_factory, site_factory):
    """The whole system over real HTTP: gunicorn and a Celery worker on the test database."""
    celery_worker_factory()
    return site_factory()


@pytest.fixture
def server_hashers(settings):
    """Passwords the server process can check: it runs with the real hashers."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
