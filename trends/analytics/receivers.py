"""Counting impressions and profile visits as they happen.

Unlike the other apps' receivers these run in the request, synchronously:
counting in Redis (impressions added up in the worker first, see
trends.analytics.counters) costs less than enqueuing a Celery task per
page view. Counting must never break a page, so a Redis failure is logged
and the page goes on without the count.
"""

import logging

import redis
from django.dispatch import receiver

from accounts import signals as account_signals
from tweets import signals as tweet_signals

# Imported for Celery: its autodiscovery imports only `<app>.tasks`, and
# TrendsConfig.ready() imports this module in every process, the worker's
# and beat's included, so the analytics tasks are registered by name.
from . import counters, tasks  # noqa: F401

logger = logging.getLogger(__name__)


@receiver(tweet_signals.tweets_shown, dispatch_uid="trends.analytics.tweets_shown")
def on_tweets_shown(tweet_ids, viewer_id=None, **kwargs):
    # send_tweets_shown has already left out the viewer's own tweets.
    try:
        counters.count_impressions(tweet_ids)
    except redis.RedisError:
        logger.warning("Impressions not counted: Redis failed", exc_info=True)


@receiver(account_signals.profile_viewed, dispatch_uid="trends.analytics.profile_viewed")
def on_profile_viewed(user_id, viewer_id=None, **kwargs):
    if viewer_id == user_id:
        return  # looking at one's own profile is no visit
    try:
        counters.count_profile_visit(user_id)
    except redis.RedisError:
        logger.warning("Profile visit not counted: Redis failed", exc_info=True)
