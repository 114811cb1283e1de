"""A smoke run of the search benchmark (bench/search/): every part runs end
to end, against real servers, and the report renders.

The full run (`python -m bench.search`) takes many minutes on the 1M-tweet
world; this one uses the small world with a few repetitions of one query
per class. It has its own database, `<DATABASE_URL name>_bench_search_smoke`,
so a full world loaded in `<name>_bench` survives the test suite.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


@pytest.mark.skipif(
    not shutil.which("wrk") and not os.environ.get("CI"),
    reason="wrk is not installed (apt-get install wrk); CI installs it",
)
def test_search_benchmark_smoke_run(tmp_path):
    import dj_database_url

    url = os.environ["DATABASE_URL"]
    database_url = url.rsplit("/", 1)[0] + f"/{dj_database_url.parse(url)['NAME']}_bench_search_smoke"
    command = [
        sys.executable, "-m", "bench.search", "--small", "--reps", "5", "--pool", "1", "--duration", "1",
        "--trend-uses", "3000", "--trend-tags", "500", "--trend-runs", "2",
        "--database-url", database_url, "--results", str(tmp_path),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]

    results = json.loads((tmp_path / "search.json").read_text())
    classes = {c["key"] for c in results["queries"]}
    assert {
        "word_common",
        "word_rare",
        "two_common_mid",
        "from_popular",
        "from_ordinary",
        "tag_popular",
    } <= classes
    assert all(sum(c["matches"].values()) > 0 for c in results["queries"] if c["key"] != "two_mid_rare")
    cells = {(r["class"], r["order"], r["viewer"]) for r in results["in_process"]}
    assert cells == {
        (c, o, v) for c in classes for o in ("top", "latest") for v in ("anonymous", "signed in")
    }
    assert all(r["count"] >= 5 for r in results["in_process"])
    assert all(r["p99_ms"] > 0 for r in results["in_process"])
    # The common word finds a full page for both viewers.
    common = [r for r in results["in_process"] if r["class"] == "word_common"]
    assert all(q["returned"] == 20 for r in common for q in r["per_query"].values())
    assert all(r["count"] >= 5 for r in results["http"])
    assert all(r["non_2xx"] == 0 for r in results["http"])
    assert {r["surface"] for r in results["http"]} == {"api", "page"}
    # One second of 16 connections on two sync workers: a slow class may finish none.
    concurrent = results["concurrent"] + results["complete"]["concurrent"]
    assert sum(r["requests"] for r in concurrent) > 0
    assert all(r["non_2xx"] + r["socket_errors"] == 0 for r in concurrent)
    complete = results["complete"]
    assert complete["prefixes"]["@u1"] > 0
    assert complete["prefixes"]["#t"] > 0
    assert all(r["non_2xx"] == 0 for r in complete["http"])
    assert all(r["returned"] > 0 for r in complete["in_process"])
    trends = results["trends"]
    assert trends["uses"] == 3000
    assert len(trends["runs_ms"]) == 2
    assert trends["listed_bursting"] > 0
    assert results["machine"]["cores"] == os.cpu_count()
    assert (tmp_path / "search.md").read_text().startswith("# Search benchmark")
    assert (tmp_path / "search.png").stat().st_size > 0
    # The benchmark's own hashtags are gone again.
    assert "benchtrend" not in (tmp_path / "search.md").read_text().split("## Trends")[0]
