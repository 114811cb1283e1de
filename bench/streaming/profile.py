"""Where the time goes: `notifications.delivery.tweet_posted` called again in
the benchmark process for a posted tweet, its stages timed by wrapping the
functions it calls (STAGES), against the same sockets, from the call to
each follower's frame."""

import contextlib
import statistics
import time

from bench.streaming.clients import Clients
from bench.streaming.common import summarize

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
