"""The streaming benchmark's small preset (bench/streaming/), in this
process against the test database, with a real uvicorn and Celery worker:
every connected follower's socket gets each tweet, and the report renders.
The full run is `python -m bench.streaming`."""

import json

import pytest

from bench.streaming.common import PRESETS
from bench.streaming.measure import measure
from bench.streaming.report import describe, write_report

pytestmark = pytest.mark.integration


def test_the_small_preset_reaches_every_follower(celery_worker_factory, site_factory, tmp_path):
    celery_worker_factory()
    server = site_factory(asgi=True)
    small = PRESETS["small"]

    results = measure(server.ws_url, server.process.pid, **small)

    opened = results["connections"]
    assert opened["opened"] == opened["still_open"] == opened["open_at_end"] == small["connections"]
    assert opened["open_errors"] == {}
    assert opened["ping_answered"] == opened["ping_sample"] > 0
    assert opened["rss_after_open_mb"] > 0
    delivery = results["delivery"]
    assert delivery["followers_unsubscribed"] == 0
    assert [r["received"] for r in delivery["rounds"]] == [small["followers"]] * small["posts"]
    assert delivery["all_received"]
    assert delivery["aggregate"]["count"] == small["followers"] * small["posts"]
    assert 0 < delivery["aggregate"]["max_ms"] < 15_000
    profile = delivery["profile"]
    assert profile["call_to_socket"]["count"] == small["followers"] * small["profile_runs"]
    assert "publish (logs + channel layer)" in profile["median_stages_ms"]

    describe(results, ["--small"], small)
    write_report(results, tmp_path)
    assert (tmp_path / "streaming.md").read_text().startswith("# Streaming benchmark")
    assert json.loads((tmp_path / "streaming.json").read_text())["delivery"]["all_received"]
    assert (tmp_path / "streaming.png").stat().st_size > 0
