"""`python -m bench.search`: the command line and the run (see bench/search/__init__.py)."""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import bench.search
import twitter.heap
from bench.run import (
    RESULTS,
    ROOT,
    WORK,
    bench_database_url,
    ensure_wrk,
    log,
    server,
    setup_django,
    world_size,
)

PRESETS = {
    "full": {
        "reps": 200,
        "pool": 3,
        "duration": 5,
        "cell_seconds": 60.0,
        "trend_uses": 100_000,
        "trend_tags": 5_000,
        "trend_runs": 10,
    },
    "small": {
        "reps": 20,
        "pool": 2,
        "duration": 1,
        "cell_seconds": 10.0,
        "trend_uses": 10_000,
        "trend_tags": 1_000,
        "trend_runs": 3,
    },
}
PREFIXES = ["@u1", "@u12", "@ada", "#t"]
TARGETS_MS = {"search": 50, "complete": 20, "trends": 1000}
USERS = {"full": 100_000, "small": 2_000}


def _pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    connection.close()
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _run(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


APPLIED = re.compile(r"Applying (\S+)\.\.\.\s*OK \(([\d.]+)s\)")


def _migrate(env: dict) -> tuple[float, dict[str, float]]:
    """Run `migrate`: its seconds, and each applied migration's (Django prints them at -v 2)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr)
        raise SystemExit("migrate failed")
    return elapsed, {name: float(seconds) for name, seconds in APPLIED.findall(completed.stdout)}


def _after_migration(applied: list[str]) -> float | None:
    """VACUUM (ANALYZE) tweets_tweet when a search migration just rewrote it
    or search_vector has no statistics: adding the column to existing rows
    leaves it without statistics and the table without a visibility map, and
    counts for no autovacuum threshold. Its seconds, or None when not needed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'tweets_tweet' AND attname = 'search_vector'"
        )
        if cursor.fetchone()[0] and not any(m.startswith("search.") for m in applied):
            return None
        log("tweets_tweet was rewritten or search_vector has no statistics: VACUUM (ANALYZE) tweets_tweet")
        started = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE) tweets_tweet")
        return time.perf_counter() - started


def _world() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM accounts_user), (SELECT count(*) FROM accounts_follow),"
            " (SELECT count(*) FROM tweets_tweet),"
            " (SELECT count(*) FROM tweets_tweet WHERE deleted_at IS NULL AND retweet_of_id IS NULL)"
        )
        users, follows, tweets, searchable = cursor.fetchone()
    return {"users": users, "follows": follows, "tweets": tweets, "searchable": searchable}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=bench.search.__doc__.split("\n\n")[0]
    )
    parser.add_argument("--small", action="store_true", help="the small world and few repetitions (CI smoke)")
    parser.add_argument("--regenerate", action="store_true", help="reload the world even if present")
    parser.add_argument("--reps", type=int, help="timed runs per row (default 200, small 20)")
    parser.add_argument("--pool", type=int, help="queries per class, run in turn (default 3, small 2)")
    parser.add_argument(
        "--duration", type=int, help="seconds per wrk run at 16 connections (default 5, small 1)"
    )
    parser.add_argument(
        "--cell-seconds", type=float, help="stop a row after this long (default 60, small 10)"
    )
    parser.add_argument("--trend-uses", type=int, help="hashtag uses in the hour (default 100,000)")
    parser.add_argument("--trend-tags", type=int, help="distinct tags (default 5,000)")
    parser.add_argument("--trend-runs", type=int, help="compute_trends() calls timed (default 10)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", help="default: <DATABASE_URL name>_bench, the timeline benchmark's")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the tables and plot")
    args = parser.parse_args(argv)
    preset_name = "small" if args.small else "full"
    preset = PRESETS[preset_name]
    sizes = {
        key: getattr(args, key) if getattr(args, key, None) is not None else value
        for key, value in preset.items()
    }
    wrk = ensure_wrk()
    load_at_start = os.getloadavg()[0]

    database_url = args.database_url or bench_database_url()
    # Its own collected files (the timeline benchmark's are in WORK/static), kept between runs.
    static_root = WORK / "static-search"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        "API_RATE_LIMITS_ENABLED": "0",
        "ELASTICSEARCH_URL": "",  # the PostgreSQL backend
    }
    os.environ.update({k: env[k] for k in ("DEBUG", "STATIC_ROOT", "ELASTICSEARCH_URL", "LOG_LEVEL")})
    import dj_database_url
    import psycopg

    from bench.run import _ensure_database

    setup: dict = {"database": dj_database_url.parse(database_url)["NAME"]}
    _ensure_database(database_url, dj_database_url, psycopg)
    setup_django(database_url)
    pending = setup["migrations_applied"] = _pending_migrations()
    log(f"migrate ({len(pending)} to apply: {', '.join(pending[:6])})")
    setup["migrate_s"], setup["migration_seconds"] = _migrate(env)
    log(f"migrate took {setup['migrate_s']:.1f} s: {setup['migration_seconds']}")
    _run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)

    setup["generate_s"] = None
    if args.regenerate or world_size() != USERS[preset_name]:
        log("Generating the world (bench.generate)")
        setup["generate_s"] = _run(
            [sys.executable, "-m", "bench.generate", "--reset", *(["--small"] if args.small else [])], env
        )
    setup["vacuum_analyze_s"] = _after_migration(setup["migrations_applied"])
    results = run(args, sizes, setup, env, wrk)
    results["load_average_at_start"] = load_at_start
    results["command_args"] = "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    from bench.search.report import write_report

    write_report(results, args.results)
    log(f"{os.cpu_count()} cores. Results in {args.results}/search.md, .json, .png")
    return 0


def run(args, sizes: dict, setup: dict, env: dict, wrk: str) -> dict:
    import redis
    from django.conf import settings

    from bench.search import measure, queries
    from bench.search.report import machine, versions
    from bench.search.trends import measure_trends
    from bench.streaming.servers import free_port

    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # sessions, caches, trend counters of earlier runs
    setup["world"] = _world()
    log(f"World: {', '.join(f'{v:,} {k}' for k, v in setup['world'].items())}; {os.cpu_count()} cores")

    started = time.perf_counter()
    classes = queries.choose(args.seed, sizes["pool"])
    viewer = queries.pick_viewer(args.seed)
    setup["choose_s"] = time.perf_counter() - started
    for query_class in classes:
        log(f"{query_class.key:15} " + ", ".join(f"{q!r} ({n:,})" for q, n in query_class.matches.items()))
    cookie, token = measure.sign_in(viewer)
    reps, cell_seconds = sizes["reps"], sizes["cell_seconds"]

    results = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "small": args.small,
        "seed": args.seed,
        "sizes": sizes,
        "machine": machine(),
        "versions": versions(),
        "setup": setup,
        "targets_ms": TARGETS_MS,
        "viewer": {"username": viewer.username, "following": viewer.following_count},
        "queries": [vars(c) for c in classes],
    }
    load = results["load_average"] = {"in-process": os.getloadavg()[0]}
    # As the servers do once loaded (twitter/wsgi.py): the figures are then
    # the code's, not those of full collections over the loaded modules.
    twitter.heap.settle()
    results["in_process"] = measure.search_in_process(classes, viewer, reps, cell_seconds)
    complete = {"prefixes": {typed: measure.prefix_matches(typed) for typed in PREFIXES}}
    complete["in_process"] = measure.complete_in_process(PREFIXES, viewer, reps, cell_seconds)

    port = free_port()
    load["HTTP"] = os.getloadavg()[0]
    with server("gunicorn", port, env) as url:
        results["http"] = measure.search_over_http(url, classes, token, reps, cell_seconds)
        complete["http"] = measure.complete_over_http(url, PREFIXES, cookie, reps, cell_seconds)
        targets = [(c.key, [measure.api_path(q) for q in c.queries]) for c in classes]
        targets += [(f"complete {typed}", [measure.complete_path(typed)]) for typed in PREFIXES]
        rows = measure.concurrent(wrk, url, WORK, targets, 16, sizes["duration"])
    results["concurrent"] = [r for r in rows if not r["target"].startswith("complete ")]
    complete["concurrent"] = [r for r in rows if r["target"].startswith("complete ")]
    results["complete"] = complete

    load["trends"] = os.getloadavg()[0]
    results["trends"] = measure_trends(
        sizes["trend_uses"], sizes["trend_tags"], sizes["trend_runs"], args.seed
    )
    load["end"] = os.getloadavg()[0]
    results["explain"] = explain_misses(results, classes, viewer)
    return results


def explain_misses(results: dict, classes, viewer) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of each row over its target, in this process."""
    from bench.search import measure
    from search.query import parse
    from search.selectors import search_tweets

    texts = []
    users = {"anonymous": None, "signed in": viewer}
    by_key = {c.key: c for c in classes}
    worst_rows: dict[str, dict] = {}  # the slowest row of each class over the target
    for row in results["in_process"]:
        if row["p99_ms"] >= TARGETS_MS["search"] and row["p99_ms"] > worst_rows.get(row["class"], {}).get(
            "p99_ms", 0
        ):
            worst_rows[row["class"]] = row
    for row in worst_rows.values():
        worst = max(row["per_query"], key=lambda q: row["per_query"][q]["p99_ms"])
        query, user, order = parse(worst), users[row["viewer"]], row["order"]
        title = (
            f"search {row['class']} ({by_key[row['class']].label}): {worst!r}, order={order}, "
            f"{row['viewer']}; row p99 {row['p99_ms']:.1f} ms, "
            f"this query's p99 {row['per_query'][worst]['p99_ms']:.1f} ms"
        )
        texts.append(
            measure.explain_slowest(lambda q=query, u=user, o=order: search_tweets(u, q, order=o), title)
        )
    worst_rows = {}
    for row in results["complete"]["in_process"]:
        if row["p99_ms"] >= TARGETS_MS["complete"] and row["p99_ms"] > worst_rows.get(row["prefix"], {}).get(
            "p99_ms", 0
        ):
            worst_rows[row["prefix"]] = row
    for row in worst_rows.values():
        title = f"autocomplete {row['prefix']!r}, {row['viewer']}; p99 {row['p99_ms']:.1f} ms"
        texts.append(
            measure.explain_slowest(measure.complete_call(row["prefix"], users[row["viewer"]]), title)
        )
    return texts


if __name__ == "__main__":
    sys.exit(main())
