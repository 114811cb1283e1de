"""What every part of the streaming benchmark shares: where it writes (ROOT,
RESULTS, WORK), its target and run sizes (TARGET_P99_MS, PING_SAMPLE, PRESETS),
the log line, the open-files limit and the percentile summaries."""

import math
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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
