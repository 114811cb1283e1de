"""`python -m bench.streaming`: the command line (sizes from PRESETS, each
overridable) and the run's orchestration: the benchmark's database migrated
and emptied, static files collected, the Celery worker and uvicorn started,
measure() run against them, and the report written to --results."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import bench.streaming
from bench.streaming.common import PRESETS, RESULTS, ROOT, WORK, log, raise_fd_limit
from bench.streaming.measure import measure
from bench.streaming.report import describe, write_report
from bench.streaming.servers import celery_worker, uvicorn_server
from bench.streaming.world import default_database_url, default_redis_url, ensure_database, reset


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.streaming", description=bench.streaming.__doc__.split("\n\n")[0]
    )
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
    args = parser.parse_args(argv)
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
