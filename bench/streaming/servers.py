"""The servers under test, as subprocesses: uvicorn (one process, under the
GC_RECORDER wrapper that logs its garbage collections and, on a signal, its
tracked objects or its dead tasks) and the Celery worker; Server, the
running uvicorn; and the readers of what they log (the recorder's log, the
worker's task lines)."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.streaming.common import ROOT
from bench.streaming.observe import server_state


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


@dataclass
class Server:
    pid: int
    gc_log: Path | None

    def state(self) -> dict:
        return server_state(self.pid)

    def gc(self, start: float, end: float) -> dict | None:
        return gc_pauses(self.gc_log, start, end)


# --- The recorder's log: collections, tracked objects, dead tasks -----------


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
