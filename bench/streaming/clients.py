"""The client side: processes of asyncio WebSocket clients that open the
sockets, ping them and stamp each `update` frame as it arrives (ClientPool,
served over stdin/stdout by `python -m bench.streaming.clients`, which reads
one JSON command per line and answers each with one JSON line; it imports no
Django), and Clients, which starts those processes and drives them from the
benchmark."""

import asyncio
import contextlib
import json
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict

from bench.streaming.common import ROOT, raise_fd_limit


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


async def serve() -> None:
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


def main() -> int:
    """A client process: serve() on uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve())
    else:
        uvloop.run(serve())
    return 0


class Clients:
    """The client processes, driven from the benchmark: each holds a share of the sockets."""

    def __init__(self, count: int, compression: str | None = "deflate"):
        self.compression = compression
        command = [sys.executable, "-m", "bench.streaming.clients"]
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


if __name__ == "__main__":
    sys.exit(main())
