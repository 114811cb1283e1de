"""Trending posts: the public tweets of the last day that people engage
with most for their age, for the trends page and /api/v1/trends/statuses.

    interactions = likes + 2 x retweets + replies + quotes
    score        = interactions / (hours since posted + 2) ** TRENDS_POSTS_GRAVITY

Hacker News's ranking: a tweet rises as people engage with it and sinks as
it ages, so yesterday's hit gives way to this hour's. Only public
originals of open accounts qualify, not replies (a reply makes no sense
out of its thread) and not tweets behind a content warning; at most one
tweet per author, so that one busy account does not fill the list.

Celery beat computes the list with the hashtag trends, each minute, and
keeps the ids in Redis; readers load them with their own visibility, so a
tweet deleted, or an author suspended or blocked since, is gone at once.
"""

import json
import logging
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.db.models import DurationField, ExpressionWrapper, F, FloatField, Value
from django.db.models.functions import Cast, Extract, Power
from django.utils import timezone

from accounts.models import User
from accounts.selectors import audience_of
from accounts.stores import redis_client
from tweets.models import Tweet, Visibility
from tweets.selectors import attach_viewer_state, can_see, load_tweets, visible_tweets
from tweets.snowflake import id_floor

logger = logging.getLogger(__name__)

KEY = "trends:posts"
# Candidates read before keeping one per author: enough for a list of
# TRENDS_POSTS_LIMIT even when the busiest accounts hold many places.
CANDIDATES_PER_PLACE = 5
# The beat job replaces the list each minute; should it stop, the list
# expires and the next reader computes a fresh one instead of showing
# yesterday's posts for good.
STORED_SECONDS = 600


def _interactions():
    return F("likes_count") + 2 * F("retweets_count") + F("replies_count") + F("quotes_count")


def compute(now: datetime | None = None) -> list[int]:
    """Rank the last TRENDS_POSTS_HOURS of public tweets as of `now` (default:
    the present), store the best TRENDS_POSTS_LIMIT ids in Redis and return
    them, best first. Safe to run again or concurrently: the last list
    written stands."""
    now = now or timezone.now()
    ids = _ranked(now)
    try:
        redis_client().set(KEY, json.dumps({"computed_at": now.isoformat(), "ids": ids}), ex=STORED_SECONDS)
    except redis.RedisError:
        logger.warning("Redis unavailable; trending posts not stored")
    return ids


def _ranked(now: datetime) -> list[int]:
    since = now - timedelta(hours=settings.TRENDS_POSTS_HOURS)
    age = ExpressionWrapper(Value(now) - F("created_at"), output_field=DurationField())
    hours = Cast(Extract(age, "epoch"), FloatField()) / 3600
    rows = (
        visible_tweets(None)
        # Ids are time-ordered: the day is a range of the primary key (and
        # created_at says the same, for a row whose time was set by hand).
        .filter(
            id__gte=id_floor(since),
            created_at__gte=since,
            visibility=Visibility.PUBLIC,
            retweet_of__isnull=True,
            in_reply_to__isnull=True,
            sensitive=False,
        )
        .alias(interactions=_interactions())
        .filter(interactions__gte=settings.TRENDS_POSTS_MIN_INTERACTIONS)
        .annotate(
            score=Cast("interactions", FloatField()) / Power(hours + 2, Value(settings.TRENDS_POSTS_GRAVITY))
        )
        .order_by("-score", "-id")
        .values_list("id", "author_id")[: settings.TRENDS_POSTS_LIMIT * CANDIDATES_PER_PLACE]
    )
    kept, authors = [], set()
    for tweet_id, author_id in rows:
        if author_id not in authors:
            authors.add(author_id)
            kept.append(tweet_id)
    return kept[: settings.TRENDS_POSTS_LIMIT]


def _current_ids() -> list[int]:
    """The stored list; computed now when Redis lost it, and without storing
    when Redis is unreachable. Reading trending posts is never an error."""
    try:
        stored = redis_client().get(KEY)
    except redis.RedisError:
        logger.warning("Redis unavailable; trending posts computed for this request")
        return _ranked(timezone.now())
    if stored is None:
        return compute()
    return json.loads(stored)["ids"]


def trending_tweets(viewer: User | None, *, limit: int, offset: int = 0) -> list[Tweet]:
    """The trending posts `viewer` may see, best first, without accounts the
    viewer muted, from `offset`: rows ready for a page or the API."""
    audience = audience_of(viewer)
    ids = _current_ids()
    by_id = {row.pk: row for row in load_tweets(ids)}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    shown = [row for row in rows if can_see(audience, row) and row.author_id not in audience.muted]
    return attach_viewer_state(shown[offset : offset + limit], audience)
