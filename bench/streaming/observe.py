"""Observing the running server from outside, live: its RSS, CPU, file
descriptors and threads, its connections to Redis and PostgreSQL (psutil),
Redis' client count, sampled while a phase runs (Sampler), and whether it
has subscribed to every follower's group."""

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


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
