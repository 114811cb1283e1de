"""The periodic jobs: registered under the names the beat schedule uses,
and doing their work when run (eagerly here)."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from trends.analytics import counters, tasks
from trends.analytics.export import partition_path
from trends.models import AccountDay, TweetDay

ROOT = Path(__file__).resolve().parents[3]
NAMES = {
    "roll-up-analytics": "trends.analytics.tasks.roll_up",
    "export-analytics": "trends.analytics.tasks.export",
}


def test_beat_entries_name_registered_tasks():
    # In a fresh process, as a worker or beat starts: the Celery app loads
    # Django and autodiscovers (which imports only `<app>.tasks` modules).
    script = (
        "import json; from twitter.celery import app; app.loader.import_default_modules();"
        f"print(json.dumps(sorted(set({sorted(NAMES.values())!r}) & set(app.tasks))))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert json.loads(found.stdout.splitlines()[-1]) == sorted(NAMES.values())
    for entry, name in NAMES.items():
        assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] == name


def test_roll_up_task_rolls_up_today(ann, bob, post, today):
    tweet = post(ann, "seen")
    counters.count_impressions([tweet.pk])

    tasks.roll_up.delay()

    assert list(TweetDay.objects.values_list("tweet_id", "day", "impressions")) == [(tweet.pk, today, 1)]


def test_export_task_rolls_up_and_exports_yesterday(settings, tmp_path, ann, today):
    settings.ANALYTICS_EXPORT_DIR = tmp_path
    yesterday = today - timedelta(days=1)
    counters.client().hincrby(counters.visits_key(yesterday), str(ann.pk), 3)

    tasks.export.delay()

    assert AccountDay.objects.get(user=ann, day=yesterday).profile_visits == 3
    assert partition_path(tmp_path, "account_days", yesterday).exists()
    assert partition_path(tmp_path, "tweet_days", yesterday).exists()
