"""Timing searches and completions: in this process through the selectors,
and over HTTP against a running server (one request at a time with a plain
client, 16 connections with wrk)."""

import http.client
import re
import statistics
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from bench.run import log, run_wrk
from bench.streaming.common import summarize

ORDERS = ("top", "latest")
VIEWERS = ("anonymous", "signed in")
COMPLETIONS = 6  # what search.views.complete asks for

# --- signing in ----------------------------------------------------------------


def sign_in(user) -> tuple[str, str]:
    """A session cookie (pages) and a bearer token (the API) for `user`, as headers."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from accounts.applications import register_application

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    app, _ = register_application(
        name="search bench", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read"
    )
    token = AccessToken.objects.create(
        user=user,
        application=app,
        token=f"search-bench-{user.pk}-{session.session_key}",
        scope="read",
        expires=timezone.now() + timedelta(days=1),
    )
    return (
        f"Cookie: {settings.SESSION_COOKIE_NAME}={session.session_key}",
        f"Authorization: Bearer {token.token}",
    )


# --- in this process ---------------------------------------------------------------


def _timed_cell(calls: list, reps: int, max_seconds: float, min_reps: int) -> tuple[list[float], list[int]]:
    """Run the calls in turn `reps` times (stopping after max_seconds once
    min_reps ran); each call's ms and what it returned (a count)."""
    for call in calls:  # warm-up: plans, caches, connections
        call()
    times, sizes = [], []
    started = time.monotonic()
    for n in range(reps):
        call = calls[n % len(calls)]
        t0 = time.perf_counter()
        size = call()
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(size)
        if n + 1 >= min_reps and time.monotonic() - started > max_seconds:
            break
    return times, sizes


def _cell_summary(times: list[float], sizes: list[int], names: list[str]) -> dict:
    per_query = {}
    for i, name in enumerate(names):
        mine = times[i :: len(names)]
        per_query[name] = {**summarize(mine), "returned": sizes[i] if i < len(sizes) else None}
    return {**summarize(times), "per_query": per_query, "times_ms": [round(t, 2) for t in times]}


def search_in_process(classes, viewer, reps: int, max_seconds: float) -> list[dict]:
    """search_tweets for every class, order and viewer: p50/p99/max in ms."""
    from search.query import parse
    from search.selectors import search_tweets

    rows = []
    for query_class in classes:
        parsed = [parse(text) for text in query_class.queries]
        for order in ORDERS:
            for who, user in (("anonymous", None), ("signed in", viewer)):
                calls = [
                    lambda q=q, user=user, order=order: len(
                        search_tweets(user, q, order=order, limit=20).tweets
                    )
                    for q in parsed
                ]
                times, sizes = _timed_cell(calls, reps, max_seconds, min(reps, 20))
                row = {"class": query_class.key, "order": order, "viewer": who}
                row.update(_cell_summary(times, sizes, query_class.queries))
                rows.append(row)
                log(
                    f"in-process {query_class.key:15} {order:6} {who:9} n={row['count']:<4} "
                    f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  max {row['max_ms']:7.1f} ms"
                )
    return rows


def complete_call(typed: str, user):
    """What search.views.complete runs for `typed`, as a call returning the suggestion count."""
    from accounts.selectors import complete_accounts
    from tweets.selectors import search_hashtags

    if typed.startswith("@"):
        return lambda: len(complete_accounts(user, typed[1:], limit=COMPLETIONS))
    return lambda: len(search_hashtags(typed[1:], limit=COMPLETIONS))


def prefix_matches(typed: str) -> int:
    """How many accounts or hashtags match before the first COMPLETIONS are kept."""
    from accounts.selectors import search_accounts
    from tweets.selectors import search_hashtags

    if typed.startswith("@"):
        return len(search_accounts(None, typed[1:], limit=10**7))
    return len(search_hashtags(typed[1:], limit=10**7))


def complete_in_process(prefixes: list[str], viewer, reps: int, max_seconds: float) -> list[dict]:
    rows = []
    for typed in prefixes:
        for who, user in (("anonymous", None), ("signed in", viewer)):
            times, sizes = _timed_cell([complete_call(typed, user)], reps, max_seconds, min(reps, 20))
            row = {"prefix": typed, "viewer": who, "returned": sizes[0]}
            row.update(summarize(times), times_ms=[round(t, 2) for t in times])
            rows.append(row)
            log(
                f"in-process complete {typed:6} {who:9} n={row['count']:<4} "
                f"p50 {row['p50_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms"
            )
    return rows


# --- over HTTP -----------------------------------------------------------------------


def api_path(text: str) -> str:
    return f"/api/v2/search?q={quote(text)}&type=statuses"


def page_path(text: str, order: str) -> str:
    return f"/search/?q={quote(text)}&f={order}"


def complete_path(typed: str) -> str:
    return f"/search/complete/?q={quote(typed)}"


class Client:
    """One connection at a time (gunicorn's sync workers close each one)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def get(self, path: str, header: str = "") -> tuple[int, float]:
        headers = {}
        if header:
            name, value = header.split(": ", 1)
            headers[name] = value
        t0 = time.perf_counter()
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        if response.getheader("connection", "").lower() == "close":
            self.connection.close()
        return response.status, elapsed


def http_cell(client: Client, paths: list[str], header: str, reps: int, max_seconds: float) -> dict:
    """GET the paths in turn, one at a time: p50/p99/max in ms and the non-2xx count."""
    for path in paths * 2:  # warm-up: both workers
        client.get(path, header)
    times, errors = [], 0
    started = time.monotonic()
    for n in range(reps):
        status, ms = client.get(paths[n % len(paths)], header)
        times.append(ms)
        errors += not 200 <= status < 300
        if n + 1 >= min(reps, 20) and time.monotonic() - started > max_seconds:
            break
    return {**summarize(times), "non_2xx": errors, "times_ms": [round(t, 2) for t in times]}


def search_over_http(url: str, classes, token: str, reps: int, max_seconds: float) -> list[dict]:
    client = Client(url)
    rows = []
    for query_class in classes:
        runs = [
            ("api", "latest", "anonymous", [api_path(q) for q in query_class.queries], ""),
            ("api", "latest", "signed in", [api_path(q) for q in query_class.queries], token),
            ("page", "top", "anonymous", [page_path(q, "top") for q in query_class.queries], ""),
        ]
        for surface, order, who, paths, header in runs:
            row = {"class": query_class.key, "surface": surface, "order": order, "viewer": who}
            row.update(http_cell(client, paths, header, reps, max_seconds))
            rows.append(row)
            log(
                f"http c=1 {query_class.key:15} {surface:4} {order:6} {who:9} n={row['count']:<4} "
                f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  non-2xx {row['non_2xx']}"
            )
    return rows


def complete_over_http(
    url: str, prefixes: list[str], cookie: str, reps: int, max_seconds: float
) -> list[dict]:
    client = Client(url)
    rows = []
    for typed in prefixes:
        for who, header in (("anonymous", ""), ("signed in", cookie)):
            row = {"prefix": typed, "viewer": who}
            row.update(http_cell(client, [complete_path(typed)], header, reps, max_seconds))
            rows.append(row)
            log(
                f"http c=1 complete {typed:6} {who:9} n={row['count']:<4} "
                f"p50 {row['p50_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  non-2xx {row['non_2xx']}"
            )
    return rows


def concurrent(
    wrk: str, url: str, work: Path, targets: list[tuple[str, list[str]]], connections: int, duration: int
):
    """wrk at `connections` for each (name, paths): req/s, p50/p99 (anonymous)."""
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, paths in targets:
        path_file = work / f"search-{name.replace(' ', '-').replace('@', 'at-').replace('#', 'tag-')}.txt"
        path_file.write_text("".join(f"\t{path}\n" for path in paths))
        # No warm-up of its own: the one-at-a-time rows just ran the same requests.
        row = run_wrk(wrk, url, path_file, connections, duration)
        row.update(target=name, connections=connections)
        rows.append(row)
        log(
            f"http c={connections} {name:22} {row['rps']:7.0f} req/s p50 {row['p50_ms']:7.1f} ms "
            f"p99 {row['p99_ms']:7.1f} ms non-2xx {row['non_2xx'] + row['socket_errors']}"
        )
    return rows


# --- evidence ------------------------------------------------------------------------


def explain_slowest(call, title: str) -> str:
    """Run `call` once recording its statements; each statement's time and
    the EXPLAIN (ANALYZE, BUFFERS) of the slowest, as text: its custom plan
    (the values written in) and its generic plan (what PostgreSQL may switch
    to once psycopg has prepared the statement, after its 5th run on a
    connection, with DB_PREPARED_STATEMENTS on as by default)."""
    from django.db import connection

    statements = []

    def record(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - t0) * 1000, sql, params))

    calls, totals = [], []
    with connection.execute_wrapper(record):
        for _ in range(EXPLAIN_CALLS):
            statements.clear()
            t0 = time.perf_counter()
            call()
            totals.append((time.perf_counter() - t0) * 1000)
            calls.append(list(statements))
    # The same statements each call: each one's median time.
    statements = [
        (statistics.median(run[i][0] for run in calls), *calls[-1][i][1:]) for i in range(len(calls[-1]))
    ]
    lines = [
        f"=== {title}",
        f"{EXPLAIN_CALLS} more calls: median {statistics.median(totals):.1f} ms, "
        f"{len(statements)} statements (median ms):",
    ]
    lines += [f"  {ms:8.1f} ms  {' '.join(sql.split())[:160]}" for ms, sql, _ in statements]
    if statements:
        ms, sql, params = max(statements, key=lambda item: item[0])
        custom, generic = _plans(connection, sql, params or ())
        lines += ["", f"slowest statement ({ms:.1f} ms):", _clip(custom[0], STATEMENT), ""]
        lines += ["-- custom plan (the values written in):", *custom[1], ""]
        lines += ["-- generic plan (PREPARE, plan_cache_mode = force_generic_plan, EXECUTE):", *generic, ""]
    return "\n".join(lines) + "\n"


EXPLAIN_CALLS = 3
_PLACEHOLDER = re.compile(r"%%|%s")


def _sql_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "double precision"
    if isinstance(value, list | tuple):
        return "bigint[]" if all(isinstance(v, int) for v in value) else "text[]"
    if isinstance(value, datetime):
        return "timestamptz"
    return "text"


def _plans(connection, sql: str, params) -> tuple[tuple[str, list[str]], list[str]]:
    """(the statement with its values written in, its custom plan), its generic plan."""
    import psycopg

    cursor = psycopg.ClientCursor(connection.connection)
    written = cursor.mogrify(sql, params)
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {written}")
    custom = [_clip(row[0], PLAN_LINE) for row in cursor.fetchall()]
    numbers = iter(range(1, len(params) + 1))
    numbered = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
    types = ", ".join(_sql_type(value) for value in params)
    values = ", ".join(cursor.mogrify("%s", [value]) for value in params)
    try:
        cursor.execute(f"PREPARE bench_generic{f'({types})' if params else ''} AS {numbered}")
        try:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute(
                f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic{f'({values})' if params else ''}"
            )
            generic = [_clip(row[0], PLAN_LINE) for row in cursor.fetchall()]
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE bench_generic")
    except psycopg.Error as error:
        generic = [f"(no generic plan: {error})"]
    return (written, custom), generic


# A signed-in viewer's followed accounts are a literal list of hundreds of ids.
STATEMENT, PLAN_LINE = 4000, 400


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]} ... [{len(text) - limit:,} more characters]"
