"""A smoke run of the timeline benchmark: every stage runs end to end.

The full run (`./dev bench`) takes many minutes; this one loads the small
world and measures each row for a second, to keep the runner working.
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
def test_benchmark_smoke_run(tmp_path):
    command = [
        sys.executable, "-m", "bench.run", "--small", "--duration", "1", "--connections", "1,4",
        "--readers", "20", "--samples", "2", "--results", str(tmp_path),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]

    results = json.loads((tmp_path / "timeline.json").read_text())
    rows = {(r["stack"], r["source"], r["page"], r["connections"]) for r in results["reads"]}
    for stack, source in (("gunicorn", "redis"), ("gunicorn", "database"), ("uvicorn", "redis")):
        for page in ("first", "deep"):
            assert (stack, source, page, 4) in rows
    assert all(r["requests"] > 0 and r["non_2xx"] == 0 for r in results["reads"])
    assert {r["mode"] for r in results["fanout"]} >= {"on write"}
    assert results["posting"]["posts"]["requests"] > 0
    assert results["posting"]["posts"]["non_2xx"] == 0
    assert (tmp_path / "timeline.md").read_text().startswith("# Timeline benchmark")
    assert (tmp_path / "timeline.png").stat().st_size > 0
