"""Trending hashtags: counting uses, computing the list, moderators' blocks.

A tag trends when more distinct accounts use it in the last hour than it
usually has: the score is how far the window's distinct authors exceed
the tag's own hourly baseline of the previous days, in units of that
baseline's expected spread (a Poisson count's square root):

    expected = baseline per hour * window / 1 hour
    score    = (authors in the window - expected) / sqrt(expected + 1)

so a tag that is always busy scores about 0 and a new burst scores about
its author count. docs/trends.md explains the choices.
"""

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from tweets.models import Hashtag, Tweet
from tweets.selectors import visible_tweets

from . import counters
from .models import TrendBlock, TrendSnapshot

logger = logging.getLogger(__name__)


def count_tweet(tweet_id: int) -> bool:
    """Count the hashtags of a new tweet, once, if anyone may see it: an
    original (not a retweet) that is public or unlisted, by an open, active
    account. Returns whether it was counted now (False: not countable, or
    already counted by an earlier run of the same task)."""
    tweet = (
        visible_tweets(None)
        .filter(pk=tweet_id, retweet_of__isnull=True)
        .values("author_id", "created_at")
        .first()
    )
    if tweet is None:
        return False
    tag_ids = Tweet.hashtags.through.objects.filter(tweet_id=tweet_id).values_list("hashtag_id", flat=True)
    counted = counters.TaggedTweet(tweet_id, tweet["author_id"], tuple(tag_ids), tweet["created_at"])
    return counters.count([counted]) == 1


@dataclass(frozen=True, slots=True)
class Scored:
    tag_id: int
    authors: int
    baseline: float
    score: float


def score(authors: int, baseline: float) -> float:
    expected = baseline * settings.TRENDS_WINDOW_MINUTES / 60
    return (authors - expected) / math.sqrt(expected + 1)


def _ranked(now: datetime) -> list[Scored]:
    """Every tag of the window with enough authors and a positive score, best first."""
    minimum = settings.TRENDS_MIN_AUTHORS
    window = counters.distinct_authors(counters.window_buckets(now), min_uses=minimum)
    authors = {tag: n for tag, n in window.items() if n >= minimum}
    baselines = counters.hourly_baseline(list(authors), now)
    scored = [Scored(tag, n, baselines[tag], score(n, baselines[tag])) for tag, n in authors.items()]
    scored = [s for s in scored if s.score > 0]
    return sorted(scored, key=lambda s: (-s.score, -s.authors, s.tag_id))


def _entries(ranked: list[Scored], now: datetime) -> dict:
    """The stored list: the best TRENDS_LIMIT tags that no moderator blocked,
    with their 24-hour post counts and week of history."""
    blocked = set(TrendBlock.objects.values_list("hashtag_id", flat=True))
    top = [s for s in ranked if s.tag_id not in blocked][: settings.TRENDS_LIMIT]
    ids = [s.tag_id for s in top]
    names = dict(Hashtag.objects.filter(pk__in=ids).values_list("pk", "name"))
    posts = counters.posts_24h(ids, now)
    history = counters.history(ids, now)
    trends = [
        {
            "id": s.tag_id,
            "name": names[s.tag_id],
            "score": round(s.score, 3),
            "authors": s.authors,
            "baseline": round(s.baseline, 3),
            "posts_24h": posts[s.tag_id],
            "history": [list(day) for day in history[s.tag_id]],
        }
        for s in top
        if s.tag_id in names
    ]
    return {"computed_at": now.isoformat(), "trends": trends}


def _record(payload: dict, now: datetime) -> None:
    """Keep the list in PostgreSQL; computing the same instant again replaces its rows."""
    rows = [
        TrendSnapshot(
            computed_at=now,
            rank=rank,
            hashtag_id=trend["id"],
            score=trend["score"],
            authors_last_hour=trend["authors"],
            baseline=trend["baseline"],
            posts_24h=trend["posts_24h"],
        )
        for rank, trend in enumerate(payload["trends"], start=1)
    ]
    with transaction.atomic():
        TrendSnapshot.objects.filter(computed_at=now).delete()
        TrendSnapshot.objects.bulk_create(rows)


def compute_trends(now: datetime | None = None) -> list[dict]:
    """Compute the trend list as of `now` (default: the present), store it in
    Redis and in the PostgreSQL history, and return its entries, best first.

    Run each minute by Celery beat. Safe to run again or concurrently:
    hours are rolled up once, and the stored list is the last one written.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    this_hour = counters.hour_of(now)
    for hour in (this_hour - 2, this_hour - 1):
        counters.roll_up_hour(hour)
    ranked = _ranked(now)
    payload = counters.publish(lambda: _entries(ranked, now))
    _record(payload, now)
    logger.info(
        "Trends computed in %.0f ms: %d candidates, %d listed",
        (time.perf_counter() - started) * 1000,
        len(ranked),
        len(payload["trends"]),
    )
    return payload["trends"]


def prune_history(now: datetime | None = None) -> int:
    """Delete trend snapshots older than TRENDS_HISTORY_DAYS; returns how many rows went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRENDS_HISTORY_DAYS)
    deleted, _ = TrendSnapshot.objects.filter(computed_at__lt=cutoff).delete()
    return deleted


def block_hashtag(moderator: User, hashtag: Hashtag, reason: str = "") -> TrendBlock:
    """Keep `hashtag` out of the trends (it still works as a hashtag).

    Takes it out of the current list as soon as the block commits. For
    staff with the trends.add_trendblock permission (moderators and
    administrators); raises PermissionDenied for anyone else. Blocking a
    blocked tag returns the existing block.
    """
    if not moderator.has_perm("trends.add_trendblock"):
        raise PermissionDenied("Only moderators can keep hashtags out of the trends.")
    block, _ = TrendBlock.objects.get_or_create(
        hashtag=hashtag, defaults={"blocked_by": moderator, "reason": reason}
    )
    transaction.on_commit(lambda: counters.withdraw(hashtag.pk))
    return block


def unblock_hashtag(moderator: User, hashtag: Hashtag) -> None:
    """Let `hashtag` trend again, from the next computation (within a minute).

    For staff with trends.delete_trendblock; raises PermissionDenied otherwise.
    """
    if not moderator.has_perm("trends.delete_trendblock"):
        raise PermissionDenied("Only moderators can let hashtags trend again.")
    TrendBlock.objects.filter(hashtag=hashtag).delete()
