"""The report: what the run ran on (machine, versions, describe) and its
results written to bench/results/streaming.json (every figure),
streaming.md (the tables) and streaming.png (the latency CDF per post)."""

import contextlib
import json
import os
import sys
import time
from pathlib import Path

from bench.streaming.common import TARGET_P99_MS
from bench.streaming.observe import redis_client


def versions() -> dict:
    from importlib.metadata import version

    from django.db import connection

    found = {"python": sys.version.split()[0]}
    for package in ("django", "channels", "channels_redis", "uvicorn", "websockets", "redis", "celery"):
        found[package] = version(package)
    found["redis-server"] = redis_client().info("server")["redis_version"]
    number = connection.cursor().connection.info.server_version  # 150020 is 15.20
    found["postgresql"] = f"{number // 10000}.{number % 10000}"
    return found


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
    }


def describe(results: dict, arguments: list[str], sizes: dict) -> None:
    """Add what the report says about the run: when, how, on what."""
    results.update(
        date=time.strftime("%Y-%m-%d %H:%M"),
        command_args="".join(f" {a}" for a in arguments),
        machine=machine(),
        versions=versions(),
        sizes=sizes,
    )


def write_report(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "streaming.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "streaming.md").write_text(report_markdown(results))
    plot(results, out / "streaming.png")


def _ms(summary: dict | None, key: str) -> str:
    value = (summary or {}).get(key)
    return "-" if value is None else f"{value:,.0f}"


def _connections_table(c: dict) -> list[str]:
    redis, pg, clients = c["server_redis_connections"], c["server_postgres_connections"], c["redis_clients"]
    gc = c.get("server_gc_opening") or {}
    full = c.get("server_full_gc") or []
    rows = [
        ("sockets opened / asked", f"{c['opened']:,} / {c['target']:,}"),
        (
            f"time to open them all ({c['concurrency']} handshakes in flight)",
            f"{c['open_seconds']:.1f} s ({c['opened_per_second']:,.0f}/s)",
        ),
        (
            "CPU while opening: server / clients",
            f"{c['server_cpu_s_opening']:.1f} s / {c['client_cpu_s_opening']:.1f} s",
        ),
        (
            "errors while opening (client side)",
            ", ".join(f"{k}: {v}" for k, v in c["open_errors"].items()) or "none",
        ),
        (
            f"still open after {c['hold_seconds']:.0f} s idle / at the end",
            f"{c['still_open']:,} / {c.get('open_at_end', 0):,}"
            + (f" (closed: {c['closed_codes']})" if c["closed_codes"] else ""),
        ),
        (
            "ping sample answered",
            f"{c['ping_answered']:,} / {c['ping_sample']:,} (p99 {_ms(c['ping_rtt'], 'p99_ms')} ms)",
        ),
        (
            "server RSS before / after opening / after idling",
            f"{c['rss_before_mb']:.0f} / {c['rss_after_open_mb']:.0f} / {c['rss_after_hold_mb']:.0f} MiB",
        ),
        (
            "**memory per connection**",
            f"**{c['kib_per_connection']:.1f} KiB** ({c['kib_per_connection_after_hold']:.1f} after idling)",
        ),
        (
            "server's Redis connections: before / peak / after idling",
            f"{redis['before']} / {redis['peak']} / {redis['after']}",
        ),
        (
            "server's PostgreSQL connections: before / peak / after idling",
            f"{pg['before']} / {pg['peak']} / {pg['after']}",
        ),
        (
            "Redis clients in all: baseline / peak / after idling",
            f"{clients['baseline']} / {clients['peak']} / {clients['after']}",
        ),
    ]
    rows.append(
        (
            "open sockets the server no longer counts as present (followers among them): "
            "after idling / at the end",
            " / ".join(
                f"{c.get(f'open_but_not_present_{when}', 0):,} "
                f"({c.get(f'followers_open_but_not_present_{when}', 0):,})"
                for when in ("after_hold", "at_end")
            ),
        )
    )
    for when, label in (("after_hold", "after idling"), ("at_end", "at the end")):
        failed = c.get(f"failed_server_tasks_{when}")
        if failed:
            rows.append(
                (
                    f"server tasks dead of an unretrieved exception, {label}",
                    "; ".join(f"{count:,}: {what}" for what, count in failed.items()),
                )
            )
        malformed = c.get(f"malformed_frames_{when}")
        if malformed:
            sample = c[f"malformed_samples_{when}"][0]["frame"].replace("|", "\\|")
            rows.append((f"malformed frames {label}", f"{malformed:,}, e.g. `{sample[:120]}`"))
    if c.get("objects_per_connection"):
        before, after = c["server_gc_before"], c["server_gc_after"]
        rows += [
            (
                "objects the server's GC tracks: before / after (per connection)",
                f"{before['tracked']:,} / {after['tracked']:,} ({c['objects_per_connection']:.0f})",
            ),
            (
                "server GC settings: frozen objects, thresholds",
                f"{after['frozen']:,}, {tuple(after['threshold'])}",
            ),
        ]
    if gc:
        rows.append(
            (
                "server GC while opening: full collections (time)",
                f"{gc['full']} ({gc['full_ms'] / 1000:.1f} s; longest {gc['max_ms']:.0f} ms)",
            )
        )
    if full:
        rows.append(
            (
                "server full collections once all were open",
                ", ".join(f"{f['ms']:.0f} ms" for f in full),
            )
        )
    return ["| figure | value |", "|---|---:|", *(f"| {k} | {v} |" for k, v in rows)]


def _delivery_table(d: dict) -> list[str]:
    lines = [
        "| post | received | p50 ms | p90 ms | p99 ms | max ms | first ms | notifications task: "
        "received / started / ran ms | fanout task ran ms | server full GC ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, row in enumerate(d["rounds"], start=1):
        notify = row["tasks"].get("notifications.tasks.tweet_posted", {})
        fanout = row["tasks"].get("timelines.tasks.fan_out_tweet", {})
        gc = row.get("server_gc") or {}
        lines.append(
            f"| {n} | {row['received']:,}/{row['expected']:,} | {_ms(row, 'p50_ms')} | {_ms(row, 'p90_ms')} "
            f"| {_ms(row, 'p99_ms')} | {_ms(row, 'max_ms')} | {_ms(row, 'first_ms')} "
            f"| {_ms(notify, 'received_ms')} / {_ms(notify, 'started_ms')} / {_ms(notify, 'ran_ms')} "
            f"| {_ms(fanout, 'ran_ms')} | {_ms(gc, 'full_ms') if gc.get('full') else '-'} |"
        )
    agg = d["aggregate"]
    received = sum(r["received"] for r in d["rounds"])
    expected = sum(r["expected"] for r in d["rounds"])
    lines.append(
        f"| **all** | **{received:,}/{expected:,}** | **{_ms(agg, 'p50_ms')}** | **{_ms(agg, 'p90_ms')}** "
        f"| **{_ms(agg, 'p99_ms')}** | **{_ms(agg, 'max_ms')}** | | | | |"
    )
    return lines


def _late_post(late: dict | None) -> list[str]:
    if not late:
        return []
    return [
        f"A late post, {late['after_open_s']:.0f} s after the sockets opened (time enough for a presence "
        f"that is no longer refreshed to lapse): **{late['received']:,}/{late['expected']:,}** followers "
        f"received it (p99 {_ms(late, 'p99_ms')} ms).",
        "",
    ]


def _profile_tables(profile: dict) -> list[str]:
    lines = [
        "| stage of `delivery.tweet_posted` (median) | ms |",
        "|---|---:|",
        *(f"| {stage} | {ms:,.1f} |" for stage, ms in profile["median_stages_ms"].items()),
        f"| **in all** | **{profile['median_total_ms']:,.1f}** |",
        "",
        "| from → the `update` frame on the socket | frames | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in (
        ("call_to_socket", "the call's start"),
        ("group_send_to_socket", "the PUBLISH pipeline"),
        ("socket_after_call_end", "the call's end"),
    ):
        s = profile[key]
        lines.append(
            f"| {label} | {s.get('count', 0):,} | {_ms(s, 'p50_ms')} | {_ms(s, 'p99_ms')} "
            f"| {_ms(s, 'max_ms')} |"
        )
    full = [
        r["server_gc"]["full_ms"] for r in profile["runs"] if r.get("server_gc") and r["server_gc"]["full"]
    ]
    if full:
        lines += [
            "",
            "Server full collections during these calls: " + ", ".join(f"{ms:.0f} ms" for ms in full) + ".",
        ]
    return lines


def report_markdown(results: dict) -> str:
    c, d, m, v = results["connections"], results["delivery"], results["machine"], results["versions"]
    agg = d["aggregate"]
    met = agg.get("p99_ms") is not None and agg["p99_ms"] < TARGET_P99_MS and d["all_received"]
    lines = [
        "# Streaming benchmark",
        "",
        f"{m['cores']} cores ({m['cpu']}), {m['memory_gb']} GiB, load average "
        f"{results['load_average_at_start']:.2f} at the start; {results['date']}; "
        f"`python -m bench.streaming{results['command_args']}`. One uvicorn process "
        "(`--ws-max-size 65536`, DEBUG off), one Celery worker (`-Q default,fanout,notifications -c 1`), "
        f"{c['client_processes']} client processes (asyncio, `websockets`, "
        + ("permessage-deflate, as browsers offer it" if c["compression"] else "no compression")
        + "), PostgreSQL and Redis, all on this machine.",
        "",
        f"Python {v['python']}, Django {v['django']}, Channels {v['channels']}, channels_redis "
        f"{v['channels_redis']} (pub/sub layer), uvicorn {v['uvicorn']}, websockets {v['websockets']}, "
        f"redis-py {v['redis']}, Celery {v['celery']}, Redis {v['redis-server']}, "
        f"PostgreSQL {v['postgresql']}.",
        "",
        f"## {c['target']:,} idle connections on one uvicorn process",
        "",
        *_connections_table(c),
        "",
        f"## One tweet to {d['followers']:,} connected followers",
        "",
        "From the commit of `tweets.services.post_tweet` (in the benchmark process) to the `update` frame "
        "on each follower's socket: on_commit, Celery, the worker, Redis pub/sub, uvicorn, the socket; "
        f"{d['posts']} posts. Task times come from the worker's log, in ms after the commit. "
        f"Target: p99 < {TARGET_P99_MS:,} ms: " + ("**met**." if met else "**missed**."),
        "",
        *_delivery_table(d),
        "",
        *_late_post(d.get("late_post")),
        "Server CPU per post (uvicorn): "
        + ", ".join(f"{r['server_cpu_s']:.2f} s" for r in d["rounds"])
        + "; the client processes': "
        + ", ".join(f"{r['client_cpu_s']:.2f} s" for r in d["rounds"])
        + ".",
    ]
    if d.get("profile"):
        lines += [
            "",
            "### Where the time goes",
            "",
            "`notifications.delivery.tweet_posted` (what the task runs), called again for the last tweet "
            f"in the benchmark process, {len(d['profile']['runs'])} time(s) after a warm-up call, its "
            "stages timed, against the same sockets:",
            "",
            *_profile_tables(d["profile"]),
        ]
    lines += ["", "![latency CDF](streaming.png)", ""]
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = results["delivery"]
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for n, row in enumerate(d["rounds"], start=1):
        values = row["latencies_ms"]
        if values:
            axis.plot(
                values, [(i + 1) / row["expected"] for i in range(len(values))], alpha=0.6, label=f"post {n}"
            )
    every = sorted(v for row in d["rounds"] for v in row["latencies_ms"])
    if every:
        total = sum(r["expected"] for r in d["rounds"])
        axis.plot(every, [(i + 1) / total for i in range(len(every))], color="black", lw=2, label="all posts")
    axis.axvline(TARGET_P99_MS, color="red", ls="--", lw=1, label="target p99")
    axis.axhline(0.99, color="grey", ls=":", lw=1)
    axis.set_xlabel("commit → update frame on the socket (ms)")
    axis.set_ylabel("fraction of followers")
    axis.set_ylim(0, 1.01)
    axis.set_xlim(left=0)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, loc="lower right")
    axis.set_title(
        f"One tweet to {d['followers']:,} connected followers "
        f"({results['connections']['opened']:,} sockets open), {results['machine']['cores']} cores"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
