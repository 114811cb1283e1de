"""`python -m bench.media`: the command line and the run (see bench/media/__init__.py)."""

import argparse
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.run import RESULTS, ROOT, WORK, _ensure_database, bench_database_url, log, manage, server

PRESETS = {
    # uploads: requests timed (each one a job for the worker afterwards)
    "full": {"uploads": 200, "clients": 4, "megapixels": 12},
    "small": {"uploads": 12, "clients": 2, "megapixels": 12},
}
BENCH_USER = "mediabench"


def photo_jpeg(megapixels: float) -> bytes:
    """A 4:3 JPEG of `megapixels` that compresses like a photo: smooth
    gradients under fine noise (a flat image would flatter the decoder)."""
    import numpy as np
    from PIL import Image

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    rng = np.random.default_rng(7)
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    channels = [np.broadcast_to(c, (height, width)) for c in (x * 200, y * 180, (x + y) * 90)]
    pixels = np.stack(channels, axis=-1) + rng.normal(0, 12, (height, width, 3)).astype(np.float32)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _token(env: dict) -> str:
    """A write:media token of the bench user, made by a Django shell in the bench database."""
    code = f"""
from datetime import timedelta
from django.utils import timezone
from oauth2_provider.models import AccessToken
from accounts.applications import register_application
from accounts.models import User
from media.models import MediaAttachment
user, _ = User.objects.get_or_create(username="{BENCH_USER}", defaults={{"email": "mb@example.com"}})
MediaAttachment.objects.filter(owner=user).delete()
app, _ = register_application(name="bench", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write")
token = AccessToken.objects.create(user=user, application=app,
    token="bench-media-" + str(timezone.now().timestamp()),
    scope="write:media", expires=timezone.now() + timedelta(hours=2))
print(token.token)
"""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, check=True
    )
    return done.stdout.decode().strip().splitlines()[-1]


def _states(database_url: str) -> dict:
    """Counts by state and the first job's start, read with psycopg: a
    Django shell per poll would take a CPU away from the worker measured."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    params = {
        "dbname": config["NAME"],
        "user": config["USER"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "password": config["PASSWORD"] or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as conn:
        owned = "owner_id = (SELECT id FROM accounts_user WHERE username = %s)"
        states = dict(
            conn.execute(
                f"SELECT state, count(*) FROM media_mediaattachment WHERE {owned} GROUP BY state",  # noqa: S608
                [BENCH_USER],
            ).fetchall()
        )
        first = conn.execute(
            f"SELECT min(processing_started_at) FROM media_mediaattachment WHERE {owned}",  # noqa: S608
            [BENCH_USER],
        ).fetchone()[0]
    return {"states": states, "first_started": first.timestamp() if first else None}


def measure_uploads(url: str, token: str, content: bytes, count: int, clients: int) -> list[float]:
    import requests

    def one(_):
        started = time.perf_counter()
        response = requests.post(
            f"{url}/api/v2/media",
            files={"file": ("photo.jpg", content, "image/jpeg")},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 202:
            raise RuntimeError(f"upload answered {response.status_code}: {response.text[:200]}")
        return elapsed

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(count)))


class RssSampler(threading.Thread):
    """Peak resident memory of a process and its children (the prefork
    worker does the work in a child), sampled every 20 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_child = 0
        self.peak_total = 0
        self.samples: list[tuple[float, int]] = []
        self.stop_event = threading.Event()

    def run(self):
        import psutil

        root = psutil.Process(self.pid)
        started = time.monotonic()
        while not self.stop_event.is_set():
            try:
                children = root.children(recursive=True)
                child = max((c.memory_info().rss for c in children), default=0)
                total = root.memory_info().rss + sum(c.memory_info().rss for c in children)
            except psutil.Error:
                break
            self.peak_child = max(self.peak_child, child)
            self.peak_total = max(self.peak_total, total)
            self.samples.append((time.monotonic() - started, child))
            time.sleep(0.02)


def measure_worker(env: dict, count: int) -> dict:
    """Start one worker (concurrency 1) on the queued jobs and time them."""
    log_path = WORK / "media-worker.log"
    with log_path.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "twitter", "worker", "--queues", "media",
             "--concurrency", "1", "--pool", "prefork", "--loglevel", "INFO",
             "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
    sampler = RssSampler(process.pid)
    sampler.start()
    try:
        deadline = time.monotonic() + 60 + count * 10
        while True:
            states = _states(env["DATABASE_URL"])
            done = states["states"].get("ready", 0) + states["states"].get("failed", 0)
            if done >= count:
                finished = time.time()
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the worker did not finish: {states}\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
    finally:
        sampler.stop_event.set()
        process.terminate()
        process.wait(timeout=30)
    seconds = finished - states["first_started"]
    return {
        "jobs": count,
        "ready": states["states"].get("ready", 0),
        "failed": states["states"].get("failed", 0),
        "seconds": round(seconds, 2),
        "images_per_second": round(count / seconds, 2),
        "peak_rss_child_mb": round(sampler.peak_child / 1024 / 1024, 1),
        "peak_rss_worker_total_mb": round(sampler.peak_total / 1024 / 1024, 1),
        "rss_samples": [(round(t, 2), round(r / 1024 / 1024, 1)) for t, r in sampler.samples[::5]],
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def write_report(results: dict, out: Path) -> None:
    up, work, photo = results["uploads"], results["worker"], results["photo"]
    lines = [
        "# Media benchmark",
        "",
        f"Machine: {results['machine']}, load average {results.get('load_average_at_end', '?')} at the end. "
        f"Preset `{results['preset']}`. ffmpeg: {results['ffmpeg']}.",
        "",
        f"## Processing: one worker (concurrency 1), {photo['megapixels']} MP JPEG "
        f"({photo['width']}x{photo['height']}, {photo['bytes'] / 1e6:.1f} MB)",
        "",
        "| jobs | ready | failed | seconds | images/s per worker | peak RSS, working child "
        "| peak RSS, worker + child |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {work['jobs']} | {work['ready']} | {work['failed']} | {work['seconds']} "
        f"| {work['images_per_second']} | {work['peak_rss_child_mb']} MB "
        f"| {work['peak_rss_worker_total_mb']} MB |",
        "",
        "Each job: decode (JPEG draft at the display size), EXIF orientation, a 2048 px display JPEG, "
        "a 400 px thumbnail, a blurhash; files through Django's storage (local disk here).",
        "",
        f"## Upload requests: POST /api/v2/media through gunicorn (2 workers), {up['clients']} clients",
        "",
        "| requests | p50 ms | p90 ms | p99 ms | max ms |",
        "|---:|---:|---:|---:|---:|",
        f"| {up['count']} | {up['p50_ms']} | {up['p90_ms']} | {up['p99_ms']} | {up['max_ms']} |",
        "",
        "Accepted (202) before processing: the request checks the content (magic bytes, Pillow header, "
        "a 1/8-scale decode of the JPEG for truncation) and stores the original.",
        "",
    ]
    out.with_suffix(".md").write_text("\n".join(lines))
    out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")


def plot(results: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    latencies = sorted(results["uploads"]["latencies_ms"])
    left.plot(latencies, [100 * (i + 1) / len(latencies) for i in range(len(latencies))])
    left.set(xlabel="upload request (ms)", ylabel="% of requests", title="Upload accepted (202), CDF")
    left.grid(alpha=0.3)
    samples = results["worker"]["rss_samples"]
    right.plot([t for t, _ in samples], [r for _, r in samples])
    right.set(
        xlabel="seconds", ylabel="RSS (MB)",
        title=f"Worker child RSS; {results['worker']['images_per_second']} images/s",
    )  # fmt: skip
    right.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(out.with_suffix(".png"), dpi=100)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.media", description=__doc__)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="full")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write media.{md,json,png}")
    parser.add_argument("--uploads", type=int, help="uploads (and jobs) instead of the preset's")
    args = parser.parse_args(argv)
    preset = {**PRESETS[args.preset], **({"uploads": args.uploads} if args.uploads else {})}

    import dj_database_url
    import psycopg

    database_url = bench_database_url()
    _ensure_database(database_url, dj_database_url, psycopg)
    media_root = WORK / "media"
    shutil.rmtree(media_root, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(WORK / "static"),
        "MEDIA_ROOT": str(media_root),
        "LOG_LEVEL": "WARNING",
        "API_RATE_LIMITS_ENABLED": "0",
    }
    log("migrating the bench database")
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    import redis

    # Jobs of an earlier, interrupted run would be counted as this run's.
    redis.Redis.from_url(env["REDIS_URL"]).delete("media")
    token = _token(env)
    content = photo_jpeg(preset["megapixels"])
    from PIL import Image

    width, height = Image.open(io.BytesIO(content)).size
    log(f"uploading {preset['uploads']} JPEGs of {width}x{height} ({len(content) / 1e6:.1f} MB)")
    with server("gunicorn", _free_port(), env) as url:
        latencies = measure_uploads(url, token, content, preset["uploads"], preset["clients"])
    log("processing them with one worker")
    worker = measure_worker(env, preset["uploads"])
    ms = [value * 1000 for value in latencies]

    results = {
        "preset": args.preset,
        "machine": f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        # Other work on the machine slows both figures: the load says how much there was.
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "ffmpeg": shutil.which("ffmpeg") or "imageio-ffmpeg",
        "photo": {
            "megapixels": preset["megapixels"],
            "width": width,
            "height": height,
            "bytes": len(content),
        },
        "uploads": {
            "count": len(ms),
            "clients": preset["clients"],
            "p50_ms": round(percentile(ms, 50), 1),
            "p90_ms": round(percentile(ms, 90), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(max(ms), 1),
            "latencies_ms": [round(value, 1) for value in ms],
        },
        "worker": worker,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / "media"
    write_report(results, out)
    plot(results, out)
    log(
        f"{worker['images_per_second']} images/s per worker, peak RSS {worker['peak_rss_child_mb']} MB; "
        f"upload p99 {results['uploads']['p99_ms']} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
