"""The timeline benchmark: fanout service against the read-time query.

    ./dev bench [--small] [--regenerate] [--duration S]

One run: load (or reuse) a synthetic world in its own database
(`<DATABASE_URL name>_bench`), pick signed-in readers and build their Redis
timelines, then through real HTTP servers with DEBUG off (gunicorn, 2 sync
workers; uvicorn, 2 workers) measure with wrk, at concurrencies 1, 16, 64:

- a bare JSON view (/health/), the ceiling of each stack;
- the home page, first page and a deep page, from the Redis timelines
  (HOME_TIMELINE_SOURCE=redis) and from the read-time query (=database);
- fanout: commit-to-every-follower time for authors of about 100 and
  10,000 followers (pushed) and 50,000+ (merged at read time);
- tweets accepted per second through the compose form while reads run.

Results go to bench/results/timeline.{md,json,png}.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / ".data" / "bench"
# 32 characters: a valid unmasked CSRF secret, sent as cookie and header.
CSRF_TOKEN = "benchmarkcsrftokenbenchmarkcsrft"  # noqa: S105 - not a credential


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_database_url() -> str:
    import dj_database_url

    url = os.environ["DATABASE_URL"]
    name = dj_database_url.parse(url)["NAME"]
    return url.rsplit("/", 1)[0] + f"/{name}_bench"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twitter.settings")
    import django

    django.setup()


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("Installing wrk from Debian's packages")
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        return shutil.which("wrk")
    sys.exit("The benchmark needs wrk (Debian/Ubuntu: apt-get install wrk).")


# --- World and readers ------------------------------------------------------


def world_size() -> int:
    from accounts.models import User

    return User.objects.count()


def pick_readers(count: int, seed: int) -> list:
    """Readers who follow someone, each with a session cookie (pages) and a
    bearer token (the API), as (user, "Cookie: ...", "Authorization: ...")."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from accounts.applications import register_application
    from accounts.models import User

    candidates = list(
        User.objects.filter(following_count__gt=0, is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    chosen = random.Random(seed).sample(candidates, min(count, len(candidates)))
    app, _ = register_application(name="bench", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read")
    expires = timezone.now() + timedelta(days=1)
    readers = []
    for user in User.objects.filter(pk__in=chosen):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        token = AccessToken.objects.create(
            user=user,
            application=app,
            token=f"bench-{user.pk}-{session.session_key}",
            scope="read",
            expires=expires,
        )
        readers.append(
            (
                user,
                f"Cookie: {settings.SESSION_COOKIE_NAME}={session.session_key}",
                f"Authorization: Bearer {token.token}",
            )
        )
    return readers


def warm_timelines(readers) -> dict:
    """Build every reader's Redis timeline; return each one's deep-page cursor."""
    from timelines import selectors, store

    deep = {}
    started = time.monotonic()
    for user, *_ in readers:
        ids = selectors.rebuild(user)
        if len(ids) > 200:
            deep[user.pk] = ids[200]
        elif ids:
            deep[user.pk] = ids[len(ids) // 2]
    store.client().ping()
    log(f"Built {len(readers)} timelines in {time.monotonic() - started:.1f}s")
    return deep


def write_paths(readers, deep: dict) -> dict[str, Path]:
    """One "Header: value<TAB>path" line per request wrk may send (bench/wrk_paths.lua)."""
    WORK.mkdir(parents=True, exist_ok=True)
    home = "/api/v1/timelines/home"
    lines = {
        "first": [f"{cookie}\t/" for _, cookie, _ in readers],
        "deep": [f"{cookie}\t/?max_id={deep[user.pk]}" for user, cookie, _ in readers if user.pk in deep],
        "api first": [f"{token}\t{home}" for _, _, token in readers],
        "api deep": [
            f"{token}\t{home}?max_id={deep[user.pk]}" for user, _, token in readers if user.pk in deep
        ],
        "health": ["\t/health/"],
    }
    files = {}
    for name, rows in lines.items():
        files[name] = WORK / f"{name.replace(' ', '-')}.txt"
        files[name].write_text("".join(f"{row}\n" for row in rows))
    return files


# --- Servers ----------------------------------------------------------------


@contextmanager
def server(stack: str, port: int, env: dict):
    if stack == "gunicorn":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "twitter.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
    else:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "twitter.asgi:application",
            "--workers",
            "2",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_for(f"http://127.0.0.1:{port}/health/")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for(url: str, timeout: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def run_wrk(
    wrk: str,
    url: str,
    paths: Path,
    connections: int,
    duration: int,
    script: str = "wrk_paths.lua",
    extra_env: dict | None = None,
) -> dict:
    threads = min(2, connections)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / script),
        url,
    ]
    env = {**os.environ, "WRK_PATHS": str(paths), **(extra_env or {})}
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# --- Fanout -----------------------------------------------------------------


def author_near(followers: int):
    from accounts.models import User

    below = User.objects.filter(followers_count__lte=followers, is_active=True, is_protected=False)
    return below.order_by("-followers_count").first()


def measure_fanout(author, samples: int) -> dict:
    """Post as `author` (a worker is running) and time commit -> every follower has it."""
    from accounts.models import Follow
    from timelines import selectors, services, store
    from tweets.services import post_tweet

    follower_ids = list(Follow.objects.filter(followee=author).values_list("follower_id", flat=True))
    pipe = store.client().pipeline(transaction=False)
    for follower_id in follower_ids:  # active readers: their timelines exist
        pipe.exists(store.key(follower_id))
    missing = [f for f, exists in zip(follower_ids, pipe.execute(), strict=True) if not exists]
    for follower_id in missing:
        store.replace(follower_id, [])
    on_read = services.is_fanned_out_on_read(author)
    probe = follower_ids[: min(len(follower_ids), 50)]
    times = []
    for n in range(samples):
        sizes_before = _sizes(follower_ids)
        tweet = post_tweet(author, f"fanout sample {n} from @{author.username}")
        committed = time.perf_counter()
        if on_read:
            # Nothing is pushed; time until followers' reads include it.
            from accounts.models import User

            readers = list(User.objects.filter(pk__in=probe[:5]))
            while not all(
                any(r.pk == tweet.pk for r in selectors.home_page(u, limit=5).items) for u in readers
            ):
                time.sleep(0.001)
            times.append(time.perf_counter() - committed)
            assert _sizes(follower_ids) == sizes_before, "a fanout-on-read post wrote to follower timelines"
        else:
            remaining = list(follower_ids)
            while remaining:
                remaining = _without_tweet(remaining, tweet.pk)
            times.append(time.perf_counter() - committed)
    times_ms = sorted(t * 1000 for t in times)
    return {
        "author": author.username,
        "followers": len(follower_ids),
        "mode": "on read" if on_read else "on write",
        "samples": samples,
        "p50_ms": statistics.median(times_ms),
        "p99_ms": times_ms[min(len(times_ms) - 1, round(0.99 * (len(times_ms) - 1)))],
        "max_ms": times_ms[-1],
    }


def _sizes(user_ids) -> list[int]:
    from timelines import store

    pipe = store.client().pipeline(transaction=False)
    for user_id in user_ids:
        pipe.zcard(store.key(user_id))
    return pipe.execute()


def _without_tweet(user_ids, tweet_id) -> list[int]:
    from timelines import store

    pipe = store.client().pipeline(transaction=False)
    for user_id in user_ids:
        pipe.zscore(store.key(user_id), store.pad(tweet_id))
    return [u for u, score in zip(user_ids, pipe.execute(), strict=True) if score is None]


@contextmanager
def celery_worker(env: dict):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "twitter",
            "worker",
            "--queues",
            "fanout,default",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
    )
    time.sleep(4)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- Report -----------------------------------------------------------------


def write_report(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "timeline.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Timeline benchmark",
        "",
        f"{results['machine']['cores']} cores, {results['machine']['memory_gb']} GiB; world: "
        f"{results['world']['users']:,} users, {results['world']['follows']:,} follows, "
        f"{results['world']['tweets']:,} tweets; {results['readers']} signed-in readers; "
        f"wrk {results['duration_s']} s per row; DEBUG off. Generated by `./dev bench"
        f"{' --small' if results['small'] else ''}` on {results['date']}.",
        "",
        "## Reads",
        "",
        "| stack | source | page | connections | req/s | p50 ms | p99 ms | non-2xx |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in results["reads"]:
        lines.append(
            f"| {row['stack']} | {row['source']} | {row['page']} | {row['connections']} | {row['rps']:.0f} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['non_2xx'] + row['socket_errors']} |"
        )
    lines += [
        "",
        "## Fanout (commit until every follower's timeline has the tweet)",
        "",
        "| author | followers | mode | samples | p50 ms | p99 ms |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for row in results["fanout"]:
        lines.append(
            f"| @{row['author']} | {row['followers']:,} | {row['mode']} | {row['samples']} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} |"
        )
    post = results["posting"]
    lines += [
        "",
        "## Posting while reading",
        "",
        f"{post['posts']['rps']:.1f} tweets/s accepted (compose form, "
        f"{post['post_connections']} connections, "
        f"p99 {post['posts']['p99_ms']:.0f} ms) while home reads ran at {post['reads']['rps']:.0f} req/s "
        f"(p99 {post['reads']['p99_ms']:.0f} ms, {post['read_connections']} connections).",
        "",
        "![throughput and latency](timeline.png)",
        "",
    ]
    (out / "timeline.md").write_text("\n".join(lines))
    plot(results, out)


def plot(results: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    series = {}
    for row in results["reads"]:
        series.setdefault((row["stack"], row["source"], row["page"]), []).append(row)
    # Colour by page, line by what serves it: each of the dozen lines distinct.
    colours = {"hello world": "black", "first": "tab:blue", "deep": "tab:green"}
    colours |= {"api first": "tab:red", "api deep": "tab:purple"}
    lines = {("gunicorn", "redis"): "-", ("gunicorn", "-"): "-", ("gunicorn", "database"): ":"}
    for (stack, source, page), rows in series.items():
        rows.sort(key=lambda r: r["connections"])
        xs = [r["connections"] for r in rows]
        style = {
            "color": colours.get(page, "grey"),
            "linestyle": lines.get((stack, source), "--"),
            "marker": "o" if stack == "gunicorn" else "s",
            "label": f"{stack} {source} {page}",
        }
        left.plot(xs, [r["rps"] for r in rows], **style)
        right.plot(xs, [r["p99_ms"] for r in rows], **style)
    right.axhline(30, color="grey", linewidth=0.8)
    right.annotate(
        "target p99 at 16 connections: 30 ms", (1, 30), xytext=(2, 4), textcoords="offset points", fontsize=7
    )
    for axis, title in ((left, "throughput (req/s)"), (right, "p99 latency (ms)")):
        axis.set_xscale("log", base=2)
        axis.set_xticks([1, 16, 64], labels=["1", "16", "64"])
        axis.set_xlabel("connections")
        axis.set_title(title)
        axis.grid(alpha=0.3)
    left.set_yscale("log")  # the bare view's ceiling is two orders above the pages
    right.set_yscale("log")
    figure.legend(*left.get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=7)
    figure.suptitle(f"Home timeline, {results['machine']['cores']} cores")
    figure.tight_layout(rect=(0, 0.14, 1, 1))
    figure.savefig(out / "timeline.png", dpi=110)


# --- Main -------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a small world and short runs (CI smoke)")
    parser.add_argument("--regenerate", action="store_true", help="reload the world even if present")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 15, small 3)")
    parser.add_argument("--readers", type=int, help="signed-in readers (default 2000, small 100)")
    parser.add_argument("--connections", default="1,16,64")
    parser.add_argument("--samples", type=int, help="fanout posts per author (default 20, small 5)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the tables and plot")
    args = parser.parse_args(argv)
    duration = args.duration or (3 if args.small else 15)
    reader_count = args.readers or (100 if args.small else 1000)
    connections = [int(c) for c in args.connections.split(",")]
    wrk = ensure_wrk()

    database_url = bench_database_url()
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(WORK / "static"),
        "LOG_LEVEL": "WARNING",
        # A thousand readers from one address would hit the per-address limit.
        "API_RATE_LIMITS_ENABLED": "0",
    }
    import dj_database_url
    import psycopg

    _ensure_database(database_url, dj_database_url, psycopg)
    manage("migrate", "--noinput", "-v", "0", env=base_env)
    manage("collectstatic", "--noinput", "-v", "0", env=base_env)
    setup_django(database_url)

    expected_users = 2_000 if args.small else 100_000
    if args.regenerate or world_size() != expected_users:
        log("Generating the world (bench.generate)")
        subprocess.run(
            [sys.executable, "-m", "bench.generate", "--reset", *(["--small"] if args.small else [])],
            cwd=ROOT,
            env=base_env,
            check=True,
        )
    from django.db import connection

    from timelines import store

    store.client().flushdb()  # timelines, sessions and broker of earlier runs
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM accounts_user), (SELECT count(*) FROM accounts_follow),"
            " (SELECT count(*) FROM tweets_tweet)"
        )
        users, follows, tweets = cursor.fetchone()
    log(f"World: {users:,} users, {follows:,} follows, {tweets:,} tweets")

    readers = pick_readers(reader_count, seed=7)
    deep = warm_timelines(readers)
    paths = write_paths(readers, deep)

    results = {
        "date": time.strftime("%Y-%m-%d"),
        "small": args.small,
        "duration_s": duration,
        "readers": len(readers),
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        },
        "world": {"users": users, "follows": follows, "tweets": tweets},
        "reads": [],
    }
    log(f"{os.cpu_count()} cores")
    runs = [
        ("gunicorn", "redis", {"HOME_TIMELINE_SOURCE": "redis"}),
        ("gunicorn", "database", {"HOME_TIMELINE_SOURCE": "database"}),
        # Under ASGI, Django runs each request's sync code in a thread pool and
        # keeps one persistent connection per thread: with 64 connections that
        # exceeds PostgreSQL's max_connections, so this stack closes them.
        ("uvicorn", "redis", {"HOME_TIMELINE_SOURCE": "redis", "DB_CONN_MAX_AGE": "0"}),
    ]
    for port, (stack, source, extra) in enumerate(runs, start=18101):
        with server(stack, port, {**base_env, **extra}) as url:
            pages = [("first", paths["first"]), ("deep", paths["deep"])]
            if stack == "gunicorn":
                # The same timeline as JSON through the Mastodon API: no template.
                pages += [("api first", paths["api first"]), ("api deep", paths["api deep"])]
            if source == "redis":
                pages.insert(0, ("hello world", paths["health"]))
            for page, path_file in pages:
                # Warm-up: connections, query plans, and the caches (tweets,
                # accounts, tokens, rendered tweets) for about one pass over
                # the readers, so the rows measure a running server.
                run_wrk(wrk, url, path_file, 4, 2 if args.small or page == "hello world" else 10)
                for c in connections:
                    row = run_wrk(wrk, url, path_file, c, duration)
                    row.update(
                        stack=stack, source=source if page != "hello world" else "-", page=page, connections=c
                    )
                    results["reads"].append(row)
                    log(
                        f"{stack:8} {row['source']:8} {page:11} c={c:<3} {row['rps']:8.0f} req/s "
                        f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  errors {row['non_2xx']}"
                    )

    with celery_worker(base_env):
        samples = args.samples or (5 if args.small else 20)
        results["fanout"] = []
        from django.conf import settings

        for target in (100, settings.TIMELINE_FANOUT_THRESHOLD - 1, 10**9):
            author = author_near(target)
            if author is None or (target > 100 and author.followers_count < 1000 and not args.small):
                continue
            row = measure_fanout(author, samples)
            results["fanout"].append(row)
            log(
                f"fanout @{row['author']} ({row['followers']:,} followers, {row['mode']}): "
                f"p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms"
            )

        with server("gunicorn", 18199, {**base_env, "HOME_TIMELINE_SOURCE": "redis"}) as url:
            posting = {"read_connections": 16, "post_connections": 4}
            # Posts take longer than reads: give them a few seconds at least.
            post_duration = max(duration, 5)
            reader_process = subprocess.Popen(
                [wrk, "-t1", "-c16", f"-d{post_duration}s", "-s", str(ROOT / "bench" / "wrk_paths.lua"), url],
                env={**os.environ, "WRK_PATHS": str(paths["first"])},
                stdout=subprocess.PIPE,
                text=True,
            )
            posting["posts"] = run_wrk(
                wrk,
                url,
                paths["first"],
                4,
                post_duration,
                script="wrk_post.lua",
                extra_env={"WRK_CSRF": CSRF_TOKEN},
            )
            output = reader_process.communicate()[0]
            reads = json.loads(
                next(x for x in output.splitlines() if x.startswith("WRK_JSON ")).removeprefix("WRK_JSON ")
            )
            reads["rps"] = reads["requests"] / (reads["duration_us"] / 1e6)
            posting["reads"] = reads
            results["posting"] = posting
            log(
                f"posting: {posting['posts']['rps']:.1f} tweets/s (non-2xx {posting['posts']['non_2xx']}) "
                f"while reads ran at {reads['rps']:.0f} req/s"
            )

    write_report(results, args.results)
    log(f"Results in {args.results}/timeline.md, .json, .png")
    return 0


def _ensure_database(url, dj_database_url, psycopg) -> None:
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {
        "dbname": "postgres",
        "user": config["USER"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "password": config["PASSWORD"] or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


if __name__ == "__main__":
    sys.exit(main())
