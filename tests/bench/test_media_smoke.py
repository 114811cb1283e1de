"""A smoke run of the media benchmark (bench/media/): uploads through
gunicorn, processing by a real worker, and the report, end to end. It has
its own database, `<DATABASE_URL name>_media_smoke_bench`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_media_benchmark_smoke_run(tmp_path):
    url = os.environ["DATABASE_URL"]
    env = {**os.environ, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_media_smoke"}
    command = [
        sys.executable,
        "-m",
        "bench.media",
        "--preset",
        "small",
        "--uploads",
        "4",
        "--results",
        str(tmp_path),
    ]
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]

    results = json.loads((tmp_path / "media.json").read_text())
    assert results["worker"]["ready"] == 4
    assert results["worker"]["images_per_second"] > 0
    assert results["uploads"]["p99_ms"] > 0
    assert (tmp_path / "media.md").read_text().startswith("# Media benchmark")
    assert (tmp_path / "media.png").stat().st_size > 0
