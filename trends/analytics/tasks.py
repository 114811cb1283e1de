"""Periodic analytics jobs (CELERY_BEAT_SCHEDULE in twitter/settings.py).

Thin and idempotent: a run repeated or redelivered after its worker died
(acks_late) writes the same rows and files again.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import counters, services
from .export import export_day

logger = logging.getLogger(__name__)


@shared_task
def roll_up() -> None:
    """Hourly: today, so the analytics page is at most an hour behind, and
    yesterday, so its last hour is counted once the day is over."""
    today = counters.today()
    for day in (today - timedelta(days=1), today):
        result = services.roll_up(day)
        logger.info("Rolled up %s: %s tweets, %s accounts", day, result.tweet_days, result.account_days)


@shared_task
def export() -> None:
    """Daily, after midnight (UTC): yesterday's aggregates to Parquet files in
    ANALYTICS_EXPORT_DIR. Rolls the day up first, so the files are final
    even when the last hourly roll-up of the day failed."""
    day = counters.today() - timedelta(days=1)
    services.roll_up(day)
    for path in export_day(day, settings.ANALYTICS_EXPORT_DIR):
        logger.info("Exported %s", path)
