"""The two measurements against a running server and worker: measure() builds
the world, opens and holds the sockets (hold_open), posts and times each
follower's frame (deliver, post_late, then the profile), and checks the
sockets' health (present, well-formed frames, no dead server tasks)."""

import os
import time
from pathlib import Path

from bench.streaming.clients import Clients
from bench.streaming.common import PING_SAMPLE, TARGET_P99_MS, log, raise_fd_limit, summarize
from bench.streaming.observe import Sampler, redis_client, wait_subscribed
from bench.streaming.profile import profile_delivery
from bench.streaming.servers import (
    Server,
    WorkerLog,
    failed_server_tasks,
    full_collections,
    task_timings,
    tracked_objects,
)
from bench.streaming.world import World, make_world


def post_and_time(author, text: str) -> tuple[object, float]:
    """Post through the service; the commit's wall-clock time (our on_commit runs first)."""
    from django.db import transaction

    from tweets.services import post_tweet

    committed = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.time()))
        tweet = post_tweet(author, text)
    return tweet, committed[0]


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
