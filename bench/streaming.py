"""The streaming benchmark: idle WebSockets on one uvicorn process, and how
fast a tweet reaches its connected followers.

    python -m bench.streaming [--connections 5000] [--followers 1000] [--posts 5] [--small]

One run, in its own database (`<DATABASE_URL name>_bench_stream`) and Redis
database 6, with uvicorn (one process, DEBUG off) and a Celery worker
(`-Q default,fanout,notifications -c 1`) started as subprocesses:

1. connections: open `--connections` authenticated sockets
   (`/api/v1/streaming?stream=user`, each its own user and token) from
   separate client processes (asyncio, the `websockets` library), hold
   them, ping a sample; the server's RSS before and after, the time to open
   them, and the Redis and PostgreSQL connections the server holds;
2. delivery: `--followers` of those users follow one author; post
   `--posts` tweets through `tweets.services.post_tweet` and time each
   follower's socket from the commit to the `update` frame (on_commit ->
   Celery task -> worker -> Redis pub/sub -> uvicorn -> socket);
3. where the time goes: the worker's log (queueing, time in each task),
   `notifications.delivery.tweet_posted` called again in this process with
   its stages timed, against the same sockets, and the server's garbage
   collections (uvicorn runs under GC_RECORDER, which logs them).

Results go to bench/results/streaming.{md,json,png}.
"""

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import os
import random
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / ".data" / "bench"
TARGET_P99_MS = 1000
PING_SAMPLE = 500  # sockets pinged after the hold
PRESETS = {
    "full": {
        "connections": 5000,
        "followers": 1000,
        "posts": 5,
        "hold": 30.0,
        "spacing": 2.0,
        "profile_runs": 3,
        "late_post": True,
    },
    "small": {
        "connections": 100,
        "followers": 50,
        "posts": 2,
        "hold": 2.0,
        "spacing": 0.5,
        "profile_runs": 1,
        "late_post": False,
    },
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def raise_fd_limit() -> int:
    """Open files up to the hard limit: every socket is a file descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of unsorted `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def summarize(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50_ms": percentile(values, 0.5),
        "p90_ms": percentile(values, 0.9),
        "p99_ms": percentile(values, 0.99),
        "max_ms": max(values),
        "mean_ms": statistics.fmean(values),
    }


# --- The client side: a process of asyncio WebSocket clients -----------------
#
# `python -m bench.streaming --client` reads one JSON command per line on
# stdin and answers each with one JSON line on stdout. It imports no Django.


class ClientPool:
    def __init__(self):
        self.sockets: dict[int, object] = {}
        self.readers: dict[int, asyncio.Task] = {}
        self.receipts: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.closed: dict[int, int | None] = {}
        self.malformed: list[dict] = []  # frames that are not what Mastodon's protocol says
        self.frames = 0

    async def open(self, url: str, tokens: list, concurrency: int, timeout: float, compression) -> dict:
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(concurrency)
        errors: dict[str, int] = defaultdict(int)

        async def one(user_id: int, token: str) -> None:
            async with gate:
                try:
                    socket = await connect(
                        f"{url}/api/v1/streaming?stream=user&access_token={token}",
                        open_timeout=timeout,
                        ping_interval=None,  # the server pings; the reader answers
                        close_timeout=2,
                        proxy=None,
                        compression=compression,
                    )
                except Exception as error:  # counted and reported
                    errors[f"{type(error).__name__}: {str(error)[:120]}"] += 1
                    return
            self.sockets[user_id] = socket
            self.readers[user_id] = asyncio.ensure_future(self._read(user_id, socket))

        started = time.time()
        await asyncio.gather(*(one(user_id, token) for user_id, token in tokens))
        return {"opened": len(self.sockets), "seconds": time.time() - started, "errors": dict(errors)}

    async def _read(self, user_id: int, socket) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in socket:
                received = time.time()
                self.frames += 1
                try:
                    frame = json.loads(message)
                    if frame.get("event") == "update":
                        self.receipts[json.loads(frame["payload"])["id"]].append((user_id, received))
                except (ValueError, KeyError, TypeError, AttributeError):
                    self.malformed.append({"user_id": user_id, "at": received, "frame": str(message)[:300]})
        except ConnectionClosed:
            pass
        self.closed[user_id] = socket.close_code

    async def ping(self, sample: int, timeout: float) -> dict:
        chosen = random.sample(sorted(self.sockets), min(sample, len(self.sockets)))

        async def one(user_id: int) -> float | None:
            try:
                waiter = await self.sockets[user_id].ping()
                return await asyncio.wait_for(waiter, timeout)
            except Exception:  # a socket that does not answer
                return None

        rtts = await asyncio.gather(*(one(user_id) for user_id in chosen))
        answered = [rtt * 1000 for rtt in rtts if rtt is not None]
        return {"pinged": len(chosen), "answered": len(answered), "rtt_ms": answered}

    async def wait(self, tweet_id: str, users: list[int], since: float, timeout: float) -> dict:
        """Receipts of `tweet_id` after `since` by `users`, once all came or at `timeout`."""
        wanted = set(users)
        deadline = time.monotonic() + timeout
        while True:
            found = {u: t for u, t in self.receipts.get(tweet_id, []) if t >= since and u in wanted}
            if len(found) >= len(wanted) or time.monotonic() > deadline:
                return {"receipts": sorted(found.items())}
            await asyncio.sleep(0.01)

    def status(self) -> dict:
        from websockets.protocol import State

        open_count = sum(1 for s in self.sockets.values() if s.state is State.OPEN)
        codes: dict[str, int] = defaultdict(int)
        for code in self.closed.values():
            codes[str(code)] += 1
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "open": open_count,
            "open_users": [u for u, s in self.sockets.items() if s.state is State.OPEN],
            "malformed": len(self.malformed),
            "malformed_samples": self.malformed[:3],
            "closed": len(self.closed),
            "close_codes": dict(codes),
            "frames": self.frames,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }

    async def close(self) -> dict:
        gate = asyncio.Semaphore(200)

        async def one(socket) -> None:
            async with gate:
                with contextlib.suppress(Exception):
                    await socket.close()

        await asyncio.gather(*(one(s) for s in self.sockets.values()))
        return {"closed": len(self.sockets)}


async def _client_main() -> None:
    raise_fd_limit()
    pool = ClientPool()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        name = command.pop("command")
        if name == "status":
            answer = pool.status()
        else:
            answer = await getattr(pool, name)(**command)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        if name == "close":
            return


class Clients:
    """The client processes, driven from the benchmark: each holds a share of the sockets."""

    def __init__(self, count: int, compression: str | None = "deflate"):
        self.compression = compression
        command = [sys.executable, "-m", "bench.streaming", "--client"]
        self.processes = [
            subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for _ in range(count)
        ]
        self.users: list[list[int]] = [[] for _ in self.processes]

    def call(self, commands: list[dict | None]) -> list[dict | None]:
        """One command per process (None: none for that one), run concurrently."""
        for process, command in zip(self.processes, commands, strict=True):
            if command is not None:
                process.stdin.write(json.dumps(command) + "\n")
                process.stdin.flush()
        answers = []
        for process, command in zip(self.processes, commands, strict=True):
            if command is None:
                answers.append(None)
                continue
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("A client process died (its stderr is above)")
            answers.append(json.loads(line))
        return answers

    def all(self, **command) -> list[dict]:
        return self.call([command] * len(self.processes))

    def open(self, url: str, tokens: list[tuple[int, str]], concurrency: int) -> dict:
        shares: list[list] = [[] for _ in self.processes]
        for n, pair in enumerate(tokens):
            shares[n % len(shares)].append(pair)
            self.users[n % len(shares)].append(pair[0])
        per_process = max(1, concurrency // len(self.processes))
        started = time.time()
        answers = self.call(
            [
                {
                    "command": "open",
                    "url": url,
                    "tokens": share,
                    "concurrency": per_process,
                    "timeout": 60,
                    "compression": self.compression,
                }
                for share in shares
            ]
        )
        errors: dict[str, int] = defaultdict(int)
        for answer in answers:
            for error, count in answer["errors"].items():
                errors[error] += count
        return {
            "opened": sum(a["opened"] for a in answers),
            "seconds": time.time() - started,
            "errors": dict(errors),
        }

    def receipts(self, tweet_id: int, users: set[int], since: float, timeout: float) -> dict[int, float]:
        commands = [
            {
                "command": "wait",
                "tweet_id": str(tweet_id),
                "users": [u for u in mine if u in users],
                "since": since,
                "timeout": timeout,
            }
            for mine in self.users
        ]
        found = {}
        for answer in self.call(commands):
            found.update(dict(answer["receipts"]))
        return found

    def cpu_seconds(self) -> float:
        return sum(a["cpu_s"] for a in self.all(command="status"))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(OSError, RuntimeError):
                    process.stdin.write(json.dumps({"command": "close"}) + "\n")
                    process.stdin.flush()
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- The world: users, one author, follows and tokens ------------------------


@dataclass
class World:
    author: object
    tokens: list[tuple[int, str]]  # (user id, access token) per socket
    followers: list[int]
    warmup: tuple[int, str]


def make_world(users: int, followers: int) -> World:
    """`users` accounts with a token each (the first `followers` follow the
    author), an author and a warm-up account, with bulk inserts."""
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from accounts.applications import register_application
    from accounts.models import Follow, User

    password = make_password("bench-password")  # one hash for every account
    now = timezone.now()
    with transaction.atomic():
        app, _ = register_application(
            name="Streaming bench", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read"
        )
        author = User.objects.create(
            username="sb_author",
            email="sb_author@bench.invalid",
            password=password,
            followers_count=followers,
        )
        names = [f"sb{n}" for n in range(1, users + 1)] + ["sb_warmup"]
        accounts = User.objects.bulk_create(
            [
                User(
                    username=name,
                    email=f"{name}@bench.invalid",
                    password=password,
                    date_joined=now,
                    following_count=1 if n < followers else 0,
                )
                for n, name in enumerate(names)
            ],
            batch_size=2000,
        )
        Follow.objects.bulk_create(
            [Follow(follower_id=a.pk, followee_id=author.pk) for a in accounts[:followers]], batch_size=2000
        )
        raw = {a.pk: secrets.token_urlsafe(32) for a in accounts}
        expires = now + timedelta(days=1)
        AccessToken.objects.bulk_create(
            [
                AccessToken(
                    user_id=user_id,
                    application=app,
                    token=token,
                    # bulk_create may skip save(): the checksum the lookup uses.
                    token_checksum=hashlib.sha256(token.encode()).hexdigest(),
                    scope="read",
                    expires=expires,
                )
                for user_id, token in raw.items()
            ],
            batch_size=2000,
        )
    pairs = [(a.pk, raw[a.pk]) for a in accounts]
    return World(
        author=author,
        tokens=pairs[:-1],
        followers=[a.pk for a in accounts[:followers]],
        warmup=pairs[-1],
    )


# --- Observing the server ----------------------------------------------------


def redis_client():
    from django.conf import settings
    from redis import Redis

    return Redis.from_url(settings.REDIS_URL)


def peer_connections(pid: int, port: int | None) -> int | None:
    """TCP connections of process `pid` to `port` (Redis, PostgreSQL)."""
    import psutil

    if port is None:
        return None
    return sum(1 for c in psutil.Process(pid).net_connections("tcp") if c.raddr and c.raddr.port == port)


def service_ports() -> tuple[int | None, int | None]:
    from django.conf import settings

    redis_port = urlsplit(settings.REDIS_URL).port or 6379
    database = settings.DATABASES["default"]
    host = database.get("HOST") or ""
    pg_port = None if host.startswith("/") or not host else int(database.get("PORT") or 5432)
    return redis_port, pg_port


@dataclass
class Sampler:
    """Samples Redis' client count and the server's connections and RSS while a phase runs."""

    pid: int
    samples: list = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self):
        import psutil

        process = psutil.Process(self.pid)
        redis_port, pg_port = service_ports()
        client = redis_client()

        def loop():
            while not self._stop.wait(0.5):
                self.samples.append(
                    {
                        "at": time.time(),
                        "redis_clients": client.info("clients")["connected_clients"],
                        "server_redis": peer_connections(self.pid, redis_port),
                        "server_postgres": peer_connections(self.pid, pg_port),
                        "rss_mb": process.memory_info().rss / 2**20,
                    }
                )

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def peak(self, key: str):
        values = [s[key] for s in self.samples if s[key] is not None]
        return max(values) if values else None


def server_state(pid: int) -> dict:
    import psutil

    process = psutil.Process(pid)
    redis_port, pg_port = service_ports()
    times = process.cpu_times()
    return {
        "at": time.time(),
        "rss_mb": process.memory_info().rss / 2**20,
        "cpu_s": times.user + times.system,
        "fds": process.num_fds(),
        "threads": process.num_threads(),
        "redis_connections": peer_connections(pid, redis_port),
        "postgres_connections": peer_connections(pid, pg_port),
        "redis_clients_total": redis_client().info("clients")["connected_clients"],
    }


def wait_subscribed(user_ids: list[int], timeout: float = 15) -> int:
    """Until the server has joined every user's group (channels_redis' pub/sub
    layer subscribes to "<prefix>__group__<group>"); how many never were."""
    from django.conf import settings

    from notifications import streams

    layer = settings.CHANNEL_LAYERS["default"]
    if not layer["BACKEND"].endswith("RedisPubSubChannelLayer"):
        time.sleep(2)  # no way to look: give the subscriptions a moment
        return 0
    prefix = layer.get("CONFIG", {}).get("prefix", "asgi")
    channels = [f"{prefix}__group__{streams.user_group(u)}" for u in user_ids]
    client = redis_client()
    deadline = time.monotonic() + timeout
    while True:
        missing = 0
        for n in range(0, len(channels), 500):
            counts = client.pubsub_numsub(*channels[n : n + 500])
            missing += sum(1 for _, count in counts if count == 0)
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(0.2)


# --- The worker's log: queueing and time per task ----------------------------

TASK_LINE = re.compile(
    r"^\[(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/[^\]]+\] "
    r"Task (?P<task>[\w.]+)\[(?P<id>[\w-]+)\] (?P<what>received|succeeded in (?P<took>[\d.e-]+)s)"
)


def task_timings(lines: list[str], committed: float) -> dict:
    """From the worker's INFO lines of one post: for each task, when it was
    received and when it ran, in ms after the commit."""
    tasks: dict[str, dict] = {}
    for line in lines:
        match = TASK_LINE.match(line)
        if not match:
            continue
        at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        task = tasks.setdefault(match["task"], {})
        if match["what"] == "received":
            task["received_ms"] = (at - committed) * 1000
        else:
            took = float(match["took"]) * 1000
            task["ran_ms"] = took
            task["started_ms"] = (at - committed) * 1000 - took
            task["finished_ms"] = (at - committed) * 1000
    return tasks


class WorkerLog:
    def __init__(self, path: Path | None):
        self.path = path
        self.offset = path.stat().st_size if path and path.exists() else 0

    def new_lines(self) -> list[str]:
        if self.path is None:
            return []
        with self.path.open() as handle:
            handle.seek(self.offset)
            text = handle.read()
            self.offset = handle.tell()
        return text.splitlines()


def _gc_lines(path: Path | None, kind: str = "gc") -> list[list[str]]:
    """GC_RECORDER's lines of one kind: "gc" (collections), "objects" or "tasks"."""
    if path is None or not path.exists():
        return []
    lines = [
        line.split(maxsplit=2) if line[0].isalpha() else line.split()
        for line in path.read_text().splitlines()
    ]
    return [f for f in lines if (f[0] if f[0].isalpha() else "gc") == kind]


def gc_pauses(path: Path | None, start: float, end: float) -> dict | None:
    """The server's garbage collections between `start` and `end` (GC_RECORDER's log)."""
    if path is None:
        return None
    pauses = [
        (int(generation), float(took) * 1000)
        for at, took, generation, _ in _gc_lines(path)
        if start <= float(at) <= end
    ]
    return {
        "collections": len(pauses),
        "total_ms": sum(ms for _, ms in pauses),
        "max_ms": max((ms for _, ms in pauses), default=0),
        "full": sum(1 for generation, _ in pauses if generation == 2),
        "full_ms": sum(ms for generation, ms in pauses if generation == 2),
    }


def full_collections(path: Path | None, start: float) -> list[dict]:
    """Every full (generation 2) collection of the server after `start`."""
    return [
        {"after_s": float(f[0]) - start, "ms": float(f[1]) * 1000}
        for f in _gc_lines(path)
        if f[2] == "2" and float(f[0]) >= start
    ]


def tracked_objects(pid: int, path: Path | None) -> dict | None:
    """How many objects the server's collector tracks (a full collection
    visits each), how many are frozen (gc.freeze) and its thresholds."""
    found = _signal_recorder(pid, path, signal.SIGUSR1, "objects")
    if found is None:
        return None
    count, frozen, *threshold = map(int, found.split())
    return {"tracked": count, "frozen": frozen, "threshold": threshold}


def failed_server_tasks(pid: int, path: Path | None) -> dict | None:
    """Tasks of the server that ended with an exception nobody retrieved
    (a consumer's heartbeat or writer that died): {"coroutine: error": count}."""
    found = _signal_recorder(pid, path, signal.SIGUSR2, "tasks")
    return None if found is None else json.loads(found)


def _signal_recorder(pid: int, path: Path | None, signum: int, kind: str) -> str | None:
    if path is None:
        return None
    seen = len(_gc_lines(path, kind))
    os.kill(pid, signum)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        lines = _gc_lines(path, kind)
        if len(lines) > seen:
            return lines[-1][2]
        time.sleep(0.1)
    return None


# --- The measurement ---------------------------------------------------------


def post_and_time(author, text: str) -> tuple[object, float]:
    """Post through the service; the commit's wall-clock time (our on_commit runs first)."""
    from django.db import transaction

    from tweets.services import post_tweet

    committed = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.time()))
        tweet = post_tweet(author, text)
    return tweet, committed[0]


STAGES = [  # (module, function, label): what delivery.tweet_posted calls, in order
    ("delivery", "_load", "load the tweet"),
    ("streams", "present_users", "presence (ZRANGEBYSCORE)"),
    ("delivery", "_readers", "connected followers (presence + recipients query)"),
    ("delivery", "status_json", "render the status"),
    ("streams", "_append", "append to present users' logs (XADD)"),
    ("streams", "publish", "publish (logs + channel layer)"),
]


@contextlib.contextmanager
def timed_stages():
    """Time the stages of notifications.delivery.tweet_posted by wrapping
    the module-level functions it calls (those that exist): {label: ms},
    and {label + " at": when it first started}."""
    from notifications import delivery, streams

    modules = {"delivery": delivery, "streams": streams}
    stages: dict[str, float] = {}
    originals = []

    def wrap(function, label):
        def timed(*args, **kwargs):
            started = time.time()
            stages.setdefault(label + " at", started)
            try:
                return function(*args, **kwargs)
            finally:
                stages[label] = stages.get(label, 0) + (time.time() - started) * 1000

        return timed

    for module_name, name, label in STAGES:
        module = modules[module_name]
        if hasattr(module, name):
            originals.append((module, name, getattr(module, name)))
            setattr(module, name, wrap(getattr(module, name), label))
    try:
        yield stages
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def profile_delivery(clients: Clients, tweet_id: int, followers: set[int], runs: int, server) -> dict:
    """Call delivery.tweet_posted again for a posted tweet, in this process,
    with its stages timed: the worker's share without Celery, and the
    server's (publish -> socket). One warm-up call, then `runs` timed."""
    from notifications import delivery

    calls, to_socket, after_publish, after_call = [], [], [], []
    for n in range(runs + 1):
        time.sleep(1)
        with timed_stages() as stages:
            started = time.time()
            delivery.tweet_posted(tweet_id)
            finished = time.time()
        receipts = clients.receipts(tweet_id, followers, since=started, timeout=5)
        if n == 0:
            continue  # imports, connections, caches of this process
        publish = stages.get("publish (logs + channel layer)")
        append = stages.get("append to present users' logs (XADD)", 0)
        if publish is not None:
            stages["PUBLISH to the groups, pipelined (publish - logs)"] = publish - append
        # The PUBLISHes go out once the logs are written.
        sends_from = stages.get("publish (logs + channel layer) at", started) + append / 1000
        calls.append(
            {
                "total_ms": (finished - started) * 1000,
                "stages_ms": {k: v for k, v in stages.items() if not k.endswith(" at")},
                "received": len(receipts),
                "server_gc": server.gc(started, max(receipts.values(), default=finished)),
            }
        )
        to_socket += [(t - started) * 1000 for t in receipts.values()]
        after_publish += [(t - sends_from) * 1000 for t in receipts.values()]
        after_call += [(t - finished) * 1000 for t in receipts.values()]
    labels = list(calls[0]["stages_ms"]) if calls else []
    return {
        "runs": calls,
        "median_stages_ms": {k: statistics.median(c["stages_ms"].get(k, 0) for c in calls) for k in labels},
        "median_total_ms": statistics.median(c["total_ms"] for c in calls) if calls else None,
        "call_to_socket": summarize(to_socket),
        "group_send_to_socket": summarize(after_publish),
        "socket_after_call_end": summarize(after_call),
    }


def measure(
    ws_url: str,
    server_pid: int,
    *,
    connections: int,
    followers: int,
    posts: int,
    hold: float = 2.0,
    spacing: float = 1.0,
    profile_runs: int = 1,
    late_post: bool = False,
    client_processes: int = 2,
    concurrency: int = 100,
    compression: str | None = "deflate",
    worker_log: Path | None = None,
    gc_log: Path | None = None,
) -> dict:
    """Both measurements against a running uvicorn (`server_pid`) and Celery
    worker on the configured database and Redis; returns every figure.
    `gc_log`: the server runs under GC_RECORDER, which writes there."""
    if followers > connections:
        raise ValueError("every follower is one of the connections: --followers <= --connections")
    fd_limit = raise_fd_limit()
    if fd_limit < connections // client_processes + 100:
        raise RuntimeError(f"open files are limited to {fd_limit}: raise the hard limit (ulimit -Hn)")
    started = time.time()
    world = make_world(connections, followers)
    log(
        f"World: {connections:,} users with tokens, {followers:,} following the author "
        f"({time.time() - started:.1f}s)"
    )
    server = Server(server_pid, gc_log)
    clients = Clients(client_processes, compression)
    load = os.getloadavg()[0]  # other work on the machine skews every figure
    try:
        results = {"connections": hold_open(clients, world, ws_url, server, concurrency, hold)}
        results["load_average_at_start"] = load
        results["delivery"] = deliver(
            clients, world, server, posts, spacing, WorkerLog(worker_log), profile_runs
        )
        if late_post:
            results["delivery"]["late_post"] = post_late(clients, world, results["connections"]["opened_at"])
        results["connections"].update(health(clients, server, "at_end", world.followers))
        results["connections"]["server_full_gc"] = full_collections(
            gc_log, results["connections"]["opened_at"]
        )
    finally:
        clients.stop()
    return results


def post_late(clients: Clients, world: World, opened_at: float) -> dict:
    """One more post once a presence has had time to lapse since the sockets
    opened (STREAMING_PRESENCE_SECONDS and a heartbeat): does it still reach
    every follower?"""
    from django.conf import settings

    after = settings.STREAMING_PRESENCE_SECONDS + settings.STREAMING_HEARTBEAT_SECONDS + 5
    time.sleep(max(0.0, opened_at + after - time.time()))
    tweet, committed = post_and_time(world.author, "Streaming benchmark, a late post")
    receipts = clients.receipts(tweet.pk, set(world.followers), since=0, timeout=5)
    row = {
        "after_open_s": committed - opened_at,
        "received": len(receipts),
        "expected": len(world.followers),
        **summarize([(t - committed) * 1000 for t in receipts.values()]),
    }
    log(f"Late post, {row['after_open_s']:.0f}s after opening: {row['received']}/{row['expected']} received")
    return row


def health(clients: Clients, server: "Server", when: str, followers: list[int]) -> dict:
    """Sockets open on the client side that the server no longer counts as
    present (so delivery skips them), frames that broke the protocol, and the
    server's tasks that died with an exception."""
    from notifications import streams

    status = clients.all(command="status")
    open_users = {u for s in status for u in s["open_users"]}
    absent = open_users - set(streams.present_users())
    return {
        f"open_{when}": len(open_users),
        f"open_but_not_present_{when}": len(absent),
        f"followers_open_but_not_present_{when}": len(absent & set(followers)),
        f"malformed_frames_{when}": sum(s["malformed"] for s in status),
        f"malformed_samples_{when}": [m for s in status for m in s["malformed_samples"]][:3],
        f"failed_server_tasks_{when}": failed_server_tasks(server.pid, server.gc_log),
    }


@dataclass
class Server:
    pid: int
    gc_log: Path | None

    def state(self) -> dict:
        return server_state(self.pid)

    def gc(self, start: float, end: float) -> dict | None:
        return gc_pauses(self.gc_log, start, end)


def hold_open(
    clients: Clients, world: World, ws_url: str, server: Server, concurrency: int, hold: float
) -> dict:
    """Open a socket per user, hold them idle, ping a sample: the figures."""
    from websockets.sync.client import connect

    baseline_redis = redis_client().info("clients")["connected_clients"]
    # A first socket loads the consumer's code and opens the server's
    # database and Redis connections: not a per-connection cost.
    _, token = world.warmup
    with connect(f"{ws_url}/api/v1/streaming?stream=user&access_token={token}", proxy=None) as socket:
        socket.ping().wait(10)
    time.sleep(1)
    before = server.state()
    objects_before = tracked_objects(server.pid, server.gc_log)
    log(f"Server RSS before: {before['rss_mb']:.1f} MiB")

    client_cpu = clients.cpu_seconds()
    with Sampler(server.pid) as opening:
        opened = clients.open(ws_url, world.tokens, concurrency)
        time.sleep(2)  # the last ones finish subscribing
        after_open = server.state()
    client_cpu = clients.cpu_seconds() - client_cpu
    objects_after = tracked_objects(server.pid, server.gc_log)
    log(
        f"Opened {opened['opened']:,}/{len(world.tokens):,} sockets in {opened['seconds']:.1f}s, "
        f"RSS {after_open['rss_mb']:.1f} MiB; errors {opened['errors'] or 'none'}"
    )
    with Sampler(server.pid) as holding:
        time.sleep(hold)
    per_process = max(1, PING_SAMPLE // len(clients.processes))
    pings = clients.all(command="ping", sample=per_process, timeout=10)
    status = clients.all(command="status")
    after_hold_health = health(clients, server, "after_hold", world.followers)
    after_hold = server.state()
    still_open = sum(s["open"] for s in status)
    log(f"After {hold:.0f}s: {still_open:,} open; RSS {after_hold['rss_mb']:.1f} MiB")
    count = max(1, opened["opened"])
    return {
        "target": len(world.tokens),
        "opened": opened["opened"],
        "opened_at": after_open["at"],
        "open_errors": opened["errors"],
        "open_seconds": opened["seconds"],
        "opened_per_second": opened["opened"] / opened["seconds"],
        "concurrency": concurrency,
        "client_processes": len(clients.processes),
        "compression": clients.compression,
        "hold_seconds": hold,
        "still_open": still_open,
        "closed_codes": {k: v for s in status for k, v in s["close_codes"].items()},
        "ping_sample": sum(p["pinged"] for p in pings),
        "ping_answered": sum(p["answered"] for p in pings),
        "ping_rtt": summarize([r for p in pings for r in p["rtt_ms"]]),
        "rss_before_mb": before["rss_mb"],
        "rss_after_open_mb": after_open["rss_mb"],
        "rss_after_hold_mb": after_hold["rss_mb"],
        "kib_per_connection": (after_open["rss_mb"] - before["rss_mb"]) * 1024 / count,
        "kib_per_connection_after_hold": (after_hold["rss_mb"] - before["rss_mb"]) * 1024 / count,
        "server_gc_before": objects_before,
        "server_gc_after": objects_after,
        "objects_per_connection": (objects_after["tracked"] - objects_before["tracked"]) / count
        if objects_before and objects_after
        else None,
        "server_cpu_s_opening": after_open["cpu_s"] - before["cpu_s"],
        "client_cpu_s_opening": client_cpu,
        "server_gc_opening": server.gc(before["at"], after_open["at"]),
        "server_fds": after_hold["fds"],
        "server_threads": after_hold["threads"],
        "redis_clients": {
            "baseline": baseline_redis,
            "peak": max(
                filter(None, [opening.peak("redis_clients"), holding.peak("redis_clients")]), default=None
            ),
            "after": after_hold["redis_clients_total"],
        },
        "server_redis_connections": {
            "before": before["redis_connections"],
            "peak": max(
                filter(None, [opening.peak("server_redis"), holding.peak("server_redis")]), default=None
            ),
            "after": after_hold["redis_connections"],
        },
        "server_postgres_connections": {
            "before": before["postgres_connections"],
            "peak": opening.peak("server_postgres"),
            "after": after_hold["postgres_connections"],
        },
        **after_hold_health,
    }


def deliver(
    clients: Clients, world: World, server: Server, posts: int, spacing: float, worker: WorkerLog, runs: int
) -> dict:
    """Post `posts` tweets as the author and time each follower's `update` frame."""
    followers = set(world.followers)
    unsubscribed = wait_subscribed(world.followers)
    if unsubscribed:
        log(f"{unsubscribed:,} followers' groups have no subscriber: those sockets failed")
    rounds = []
    for n in range(posts):
        time.sleep(spacing)
        worker.new_lines()
        server_cpu, client_cpu = server.state()["cpu_s"], clients.cpu_seconds()
        tweet, committed = post_and_time(world.author, f"Streaming benchmark, post {n + 1} #bench")
        receipts = clients.receipts(tweet.pk, followers, since=0, timeout=5)
        server_cpu, client_cpu = server.state()["cpu_s"] - server_cpu, clients.cpu_seconds() - client_cpu
        last = max(receipts.values(), default=committed)
        latencies = [(t - committed) * 1000 for t in receipts.values()]
        time.sleep(0.5)  # the worker logs a task's end after it returns
        row = {
            "tweet_id": tweet.pk,
            "received": len(receipts),
            "expected": len(followers),
            **summarize(latencies),
            "first_ms": min(latencies, default=None),
            "tasks": task_timings(worker.new_lines(), committed),
            "server_cpu_s": server_cpu,
            "client_cpu_s": client_cpu,
            "server_gc": server.gc(committed, last),
            "latencies_ms": sorted(latencies),
        }
        rounds.append(row)
        gc = row["server_gc"]
        log(
            f"Post {n + 1}: {row['received']}/{row['expected']} received, p50 {row.get('p50_ms', 0):.0f} ms, "
            f"p99 {row.get('p99_ms', 0):.0f} ms, max {row.get('max_ms', 0):.0f} ms"
            + (f"; server full GC {gc['full_ms']:.0f} ms" if gc and gc["full"] else "")
        )
    profile = None
    if rounds and runs:
        profile = profile_delivery(clients, rounds[-1]["tweet_id"], followers, runs, server)
        log(
            f"delivery.tweet_posted in this process: {profile['median_total_ms']:.0f} ms (median); "
            f"call -> socket p99 {profile['call_to_socket'].get('p99_ms', 0):.0f} ms"
        )
    return {
        "followers": len(followers),
        "followers_unsubscribed": unsubscribed,
        "posts": posts,
        "all_received": all(r["received"] == r["expected"] for r in rounds),
        "aggregate": summarize([v for r in rounds for v in r["latencies_ms"]]),
        "target_p99_ms": TARGET_P99_MS,
        "rounds": rounds,
        "profile": profile,
    }


# --- Processes: uvicorn and the Celery worker --------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Runs `python -m uvicorn ...`, logging every garbage collection of the
# server ("<start> <seconds> <generation> <collected>"), on SIGUSR1 how many
# objects the collector tracks, how many are frozen and its thresholds
# ("objects <time> <count> <frozen> <threshold0> <threshold1> <threshold2>"), and on SIGUSR2
# the tasks that ended with an exception nobody retrieved ("tasks <time> <json>").
GC_RECORDER = """
import gc, os, signal, sys, time
log = open(os.environ["BENCH_GC_LOG"], "a", buffering=1)
started = [0.0]
def note(phase, info):
    if phase == "start":
        started[0] = time.time()
    else:
        log.write(f"{started[0]} {time.time() - started[0]} {info['generation']} {info['collected']}\\n")
gc.callbacks.append(note)
def objects(*_):
    settings = " ".join(map(str, (gc.get_freeze_count(), *gc.get_threshold())))
    log.write(f"objects {time.time()} {len(gc.get_objects())} {settings}\\n")
signal.signal(signal.SIGUSR1, objects)
def failed_tasks(*_):
    import asyncio, collections, json
    failed = collections.Counter()
    for task in gc.get_objects():
        if isinstance(task, asyncio.Task) and task.done() and not task.cancelled() and task.exception():
            error = task.exception()
            failed[f"{task.get_coro().__qualname__}: {type(error).__name__}: {str(error)[:80]}"] += 1
    log.write(f"tasks {time.time()} {json.dumps(dict(failed))}\\n")
signal.signal(signal.SIGUSR2, failed_tasks)
from uvicorn.main import main
sys.argv = ["uvicorn", *sys.argv[1:]]
main()
"""


@contextlib.contextmanager
def uvicorn_server(env: dict, gc_log: Path):
    from bench.run import wait_for

    port = free_port()
    arguments = [
        "twitter.asgi:application", "--host", "127.0.0.1", "--port", str(port), "--ws-max-size", "65536",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    # `python -m uvicorn ...`, noting each garbage collection (see GC_RECORDER).
    command = [sys.executable, "-c", GC_RECORDER, *arguments]
    process = subprocess.Popen(command, cwd=ROOT, env={**env, "BENCH_GC_LOG": str(gc_log)})
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/streaming/health")
        yield f"ws://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def celery_worker(env: dict, log_path: Path):
    command = [
        sys.executable, "-m", "celery", "-A", "twitter", "worker", "-Q", "default,fanout,notifications",
        "-c", "1", "--without-mingle", "--without-gossip", "--loglevel", "INFO",
        "--hostname", f"bench-stream-{uuid.uuid4().hex[:6]}@%h",
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Setup -------------------------------------------------------------------


def default_database_url() -> str:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/twitter")
    return url.rsplit("/", 1)[0] + f"/{dj_database_url.parse(url)['NAME']}_bench_stream"


def default_redis_url() -> str:
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(parts._replace(path="/6"))


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {
        "dbname": "postgres",
        "user": config["USER"],
        "host": config["HOST"],
        "port": config["PORT"],
        "password": config["PASSWORD"],
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def reset() -> None:
    """Empty the benchmark's own database and Redis database."""
    from django.db import connection
    from oauth2_provider.models import get_application_model

    from accounts.models import User

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (User, get_application_model()))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    redis_client().flushdb()


def versions() -> dict:
    from importlib.metadata import version

    from django.db import connection

    found = {"python": sys.version.split()[0]}
    for package in ("django", "channels", "channels_redis", "uvicorn", "websockets", "redis", "celery"):
        found[package] = version(package)
    found["redis-server"] = redis_client().info("server")["redis_version"]
    number = connection.cursor().connection.info.server_version  # 150020 is 15.20
    found["postgresql"] = f"{number // 10000}.{number % 10000}"
    return found


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
    }


# --- Report ------------------------------------------------------------------


def describe(results: dict, arguments: list[str], sizes: dict) -> None:
    """Add what the report says about the run: when, how, on what."""
    results.update(
        date=time.strftime("%Y-%m-%d %H:%M"),
        command_args="".join(f" {a}" for a in arguments),
        machine=machine(),
        versions=versions(),
        sizes=sizes,
    )


def write_report(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "streaming.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "streaming.md").write_text(report_markdown(results))
    plot(results, out / "streaming.png")


def _ms(summary: dict | None, key: str) -> str:
    value = (summary or {}).get(key)
    return "-" if value is None else f"{value:,.0f}"


def _connections_table(c: dict) -> list[str]:
    redis, pg, clients = c["server_redis_connections"], c["server_postgres_connections"], c["redis_clients"]
    gc = c.get("server_gc_opening") or {}
    full = c.get("server_full_gc") or []
    rows = [
        ("sockets opened / asked", f"{c['opened']:,} / {c['target']:,}"),
        (
            f"time to open them all ({c['concurrency']} handshakes in flight)",
            f"{c['open_seconds']:.1f} s ({c['opened_per_second']:,.0f}/s)",
        ),
        (
            "CPU while opening: server / clients",
            f"{c['server_cpu_s_opening']:.1f} s / {c['client_cpu_s_opening']:.1f} s",
        ),
        (
            "errors while opening (client side)",
            ", ".join(f"{k}: {v}" for k, v in c["open_errors"].items()) or "none",
        ),
        (
            f"still open after {c['hold_seconds']:.0f} s idle / at the end",
            f"{c['still_open']:,} / {c.get('open_at_end', 0):,}"
            + (f" (closed: {c['closed_codes']})" if c["closed_codes"] else ""),
        ),
        (
            "ping sample answered",
            f"{c['ping_answered']:,} / {c['ping_sample']:,} (p99 {_ms(c['ping_rtt'], 'p99_ms')} ms)",
        ),
        (
            "server RSS before / after opening / after idling",
            f"{c['rss_before_mb']:.0f} / {c['rss_after_open_mb']:.0f} / {c['rss_after_hold_mb']:.0f} MiB",
        ),
        (
            "**memory per connection**",
            f"**{c['kib_per_connection']:.1f} KiB** ({c['kib_per_connection_after_hold']:.1f} after idling)",
        ),
        (
            "server's Redis connections: before / peak / after idling",
            f"{redis['before']} / {redis['peak']} / {redis['after']}",
        ),
        (
            "server's PostgreSQL connections: before / peak / after idling",
            f"{pg['before']} / {pg['peak']} / {pg['after']}",
        ),
        (
            "Redis clients in all: baseline / peak / after idling",
            f"{clients['baseline']} / {clients['peak']} / {clients['after']}",
        ),
    ]
    rows.append(
        (
            "open sockets the server no longer counts as present (followers among them): "
            "after idling / at the end",
            " / ".join(
                f"{c.get(f'open_but_not_present_{when}', 0):,} "
                f"({c.get(f'followers_open_but_not_present_{when}', 0):,})"
                for when in ("after_hold", "at_end")
            ),
        )
    )
    for when, label in (("after_hold", "after idling"), ("at_end", "at the end")):
        failed = c.get(f"failed_server_tasks_{when}")
        if failed:
            rows.append(
                (
                    f"server tasks dead of an unretrieved exception, {label}",
                    "; ".join(f"{count:,}: {what}" for what, count in failed.items()),
                )
            )
        malformed = c.get(f"malformed_frames_{when}")
        if malformed:
            sample = c[f"malformed_samples_{when}"][0]["frame"].replace("|", "\\|")
            rows.append((f"malformed frames {label}", f"{malformed:,}, e.g. `{sample[:120]}`"))
    if c.get("objects_per_connection"):
        before, after = c["server_gc_before"], c["server_gc_after"]
        rows += [
            (
                "objects the server's GC tracks: before / after (per connection)",
                f"{before['tracked']:,} / {after['tracked']:,} ({c['objects_per_connection']:.0f})",
            ),
            (
                "server GC settings: frozen objects, thresholds",
                f"{after['frozen']:,}, {tuple(after['threshold'])}",
            ),
        ]
    if gc:
        rows.append(
            (
                "server GC while opening: full collections (time)",
                f"{gc['full']} ({gc['full_ms'] / 1000:.1f} s; longest {gc['max_ms']:.0f} ms)",
            )
        )
    if full:
        rows.append(
            (
                "server full collections once all were open",
                ", ".join(f"{f['ms']:.0f} ms" for f in full),
            )
        )
    return ["| figure | value |", "|---|---:|", *(f"| {k} | {v} |" for k, v in rows)]


def _delivery_table(d: dict) -> list[str]:
    lines = [
        "| post | received | p50 ms | p90 ms | p99 ms | max ms | first ms | notifications task: "
        "received / started / ran ms | fanout task ran ms | server full GC ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, row in enumerate(d["rounds"], start=1):
        notify = row["tasks"].get("notifications.tasks.tweet_posted", {})
        fanout = row["tasks"].get("timelines.tasks.fan_out_tweet", {})
        gc = row.get("server_gc") or {}
        lines.append(
            f"| {n} | {row['received']:,}/{row['expected']:,} | {_ms(row, 'p50_ms')} | {_ms(row, 'p90_ms')} "
            f"| {_ms(row, 'p99_ms')} | {_ms(row, 'max_ms')} | {_ms(row, 'first_ms')} "
            f"| {_ms(notify, 'received_ms')} / {_ms(notify, 'started_ms')} / {_ms(notify, 'ran_ms')} "
            f"| {_ms(fanout, 'ran_ms')} | {_ms(gc, 'full_ms') if gc.get('full') else '-'} |"
        )
    agg = d["aggregate"]
    received = sum(r["received"] for r in d["rounds"])
    expected = sum(r["expected"] for r in d["rounds"])
    lines.append(
        f"| **all** | **{received:,}/{expected:,}** | **{_ms(agg, 'p50_ms')}** | **{_ms(agg, 'p90_ms')}** "
        f"| **{_ms(agg, 'p99_ms')}** | **{_ms(agg, 'max_ms')}** | | | | |"
    )
    return lines


def _late_post(late: dict | None) -> list[str]:
    if not late:
        return []
    return [
        f"A late post, {late['after_open_s']:.0f} s after the sockets opened (time enough for a presence "
        f"that is no longer refreshed to lapse): **{late['received']:,}/{late['expected']:,}** followers "
        f"received it (p99 {_ms(late, 'p99_ms')} ms).",
        "",
    ]


def _profile_tables(profile: dict) -> list[str]:
    lines = [
        "| stage of `delivery.tweet_posted` (median) | ms |",
        "|---|---:|",
        *(f"| {stage} | {ms:,.1f} |" for stage, ms in profile["median_stages_ms"].items()),
        f"| **in all** | **{profile['median_total_ms']:,.1f}** |",
        "",
        "| from → the `update` frame on the socket | frames | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in (
        ("call_to_socket", "the call's start"),
        ("group_send_to_socket", "the PUBLISH pipeline"),
        ("socket_after_call_end", "the call's end"),
    ):
        s = profile[key]
        lines.append(
            f"| {label} | {s.get('count', 0):,} | {_ms(s, 'p50_ms')} | {_ms(s, 'p99_ms')} "
            f"| {_ms(s, 'max_ms')} |"
        )
    full = [
        r["server_gc"]["full_ms"] for r in profile["runs"] if r.get("server_gc") and r["server_gc"]["full"]
    ]
    if full:
        lines += [
            "",
            "Server full collections during these calls: " + ", ".join(f"{ms:.0f} ms" for ms in full) + ".",
        ]
    return lines


def report_markdown(results: dict) -> str:
    c, d, m, v = results["connections"], results["delivery"], results["machine"], results["versions"]
    agg = d["aggregate"]
    met = agg.get("p99_ms") is not None and agg["p99_ms"] < TARGET_P99_MS and d["all_received"]
    lines = [
        "# Streaming benchmark",
        "",
        f"{m['cores']} cores ({m['cpu']}), {m['memory_gb']} GiB, load average "
        f"{results['load_average_at_start']:.2f} at the start; {results['date']}; "
        f"`python -m bench.streaming{results['command_args']}`. One uvicorn process "
        "(`--ws-max-size 65536`, DEBUG off), one Celery worker (`-Q default,fanout,notifications -c 1`), "
        f"{c['client_processes']} client processes (asyncio, `websockets`, "
        + ("permessage-deflate, as browsers offer it" if c["compression"] else "no compression")
        + "), PostgreSQL and Redis, all on this machine.",
        "",
        f"Python {v['python']}, Django {v['django']}, Channels {v['channels']}, channels_redis "
        f"{v['channels_redis']} (pub/sub layer), uvicorn {v['uvicorn']}, websockets {v['websockets']}, "
        f"redis-py {v['redis']}, Celery {v['celery']}, Redis {v['redis-server']}, "
        f"PostgreSQL {v['postgresql']}.",
        "",
        f"## {c['target']:,} idle connections on one uvicorn process",
        "",
        *_connections_table(c),
        "",
        f"## One tweet to {d['followers']:,} connected followers",
        "",
        "From the commit of `tweets.services.post_tweet` (in the benchmark process) to the `update` frame "
        "on each follower's socket: on_commit, Celery, the worker, Redis pub/sub, uvicorn, the socket; "
        f"{d['posts']} posts. Task times come from the worker's log, in ms after the commit. "
        f"Target: p99 < {TARGET_P99_MS:,} ms: " + ("**met**." if met else "**missed**."),
        "",
        *_delivery_table(d),
        "",
        *_late_post(d.get("late_post")),
        "Server CPU per post (uvicorn): "
        + ", ".join(f"{r['server_cpu_s']:.2f} s" for r in d["rounds"])
        + "; the client processes': "
        + ", ".join(f"{r['client_cpu_s']:.2f} s" for r in d["rounds"])
        + ".",
    ]
    if d.get("profile"):
        lines += [
            "",
            "### Where the time goes",
            "",
            "`notifications.delivery.tweet_posted` (what the task runs), called again for the last tweet "
            f"in the benchmark process, {len(d['profile']['runs'])} time(s) after a warm-up call, its "
            "stages timed, against the same sockets:",
            "",
            *_profile_tables(d["profile"]),
        ]
    lines += ["", "![latency CDF](streaming.png)", ""]
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = results["delivery"]
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for n, row in enumerate(d["rounds"], start=1):
        values = row["latencies_ms"]
        if values:
            axis.plot(
                values, [(i + 1) / row["expected"] for i in range(len(values))], alpha=0.6, label=f"post {n}"
            )
    every = sorted(v for row in d["rounds"] for v in row["latencies_ms"])
    if every:
        total = sum(r["expected"] for r in d["rounds"])
        axis.plot(every, [(i + 1) / total for i in range(len(every))], color="black", lw=2, label="all posts")
    axis.axvline(TARGET_P99_MS, color="red", ls="--", lw=1, label="target p99")
    axis.axhline(0.99, color="grey", ls=":", lw=1)
    axis.set_xlabel("commit → update frame on the socket (ms)")
    axis.set_ylabel("fraction of followers")
    axis.set_ylim(0, 1.01)
    axis.set_xlim(left=0)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, loc="lower right")
    axis.set_title(
        f"One tweet to {d['followers']:,} connected followers "
        f"({results['connections']['opened']:,} sockets open), {results['machine']['cores']} cores"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# --- Main --------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.streaming", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="100 sockets, 50 followers, 2 posts (CI smoke)")
    parser.add_argument("--connections", type=int, help="idle sockets to open (default 5000)")
    parser.add_argument("--followers", type=int, help="of those, how many follow the author (default 1000)")
    parser.add_argument("--posts", type=int, help="tweets to time (default 5)")
    parser.add_argument("--hold", type=float, help="seconds to hold the sockets idle (default 30)")
    parser.add_argument("--spacing", type=float, help="seconds between posts (default 2)")
    parser.add_argument("--profile-runs", type=int, help="timed in-process deliveries (default 3)")
    parser.add_argument(
        "--late-post",
        action=argparse.BooleanOptionalAction,
        help="one more post once a presence could lapse, about 110 s after opening (default: on, small: off)",
    )
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=100, help="handshakes in flight")
    parser.add_argument(
        "--no-deflate", action="store_true", help="clients do not offer permessage-deflate (browsers do)"
    )
    parser.add_argument("--database-url", help="default: <DATABASE_URL name>_bench_stream")
    parser.add_argument("--redis-url", help="default: REDIS_URL's server, database 6 (flushed)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        try:
            import uvloop
        except ImportError:
            asyncio.run(_client_main())
        else:
            uvloop.run(_client_main())
        return 0
    preset = PRESETS["small" if args.small else "full"]
    sizes = {key: getattr(args, key) if getattr(args, key) is not None else preset[key] for key in preset}

    raise_fd_limit()  # inherited by uvicorn and the clients
    database_url = args.database_url or default_database_url()
    redis_url = args.redis_url or default_redis_url()
    static_root = Path(tempfile.mkdtemp(prefix="bench-stream-static-"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-streaming-not-secret"),
        "DJANGO_SETTINGS_MODULE": "twitter.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }
    try:
        ensure_database(database_url)
        log(f"Database {database_url.rsplit('/', 1)[1]}, Redis {redis_url}")
        for command in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
        os.environ.update(
            {k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY")}
        )
        os.environ.update({"STATIC_ROOT": str(static_root), "DJANGO_SETTINGS_MODULE": "twitter.settings"})
        import django

        django.setup()
        reset()
        worker_log = WORK / "streaming-worker.log"
        gc_log = WORK / "streaming-server-gc.log"
        gc_log.unlink(missing_ok=True)
        with celery_worker(env, worker_log), uvicorn_server(env, gc_log) as (ws_url, pid):
            results = measure(
                ws_url,
                pid,
                **sizes,
                client_processes=args.client_processes,
                concurrency=args.concurrency,
                compression=None if args.no_deflate else "deflate",
                worker_log=worker_log,
                gc_log=gc_log,
            )
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    arguments = argv if argv is not None else sys.argv[1:]
    describe(results, arguments, sizes)
    write_report(results, args.results)
    log(f"Results in {args.results}/streaming.md, .json, .png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
