"""Reads of the trend list, for the pages, the panel and the API.

The list comes from Redis (one GET: names, counts and history are stored
with it). When Redis lost it, the latest PostgreSQL snapshot stands in and
is stored again; when Redis is unreachable, the snapshot alone. Reading
trends is never an error.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from django.db.models import Exists, Max, OuterRef

from tweets.models import Hashtag

from . import counters
from .models import TrendBlock, TrendSnapshot

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HistoryDay:
    """One day of Mastodon's Tag.history: its midnight (UTC), tweets, distinct authors."""

    day: datetime
    uses: int
    accounts: int


@dataclass(frozen=True, slots=True)
class Trend:
    rank: int
    hashtag: Hashtag
    posts_24h: int
    history: list[HistoryDay]


@dataclass(frozen=True, slots=True)
class TrendList:
    """The trends, best first; `computed_at` is None when none were ever computed."""

    computed_at: datetime | None
    trends: list[Trend]


def _history(days) -> list[HistoryDay]:
    return [HistoryDay(datetime.fromtimestamp(day, tz=UTC), uses, accounts) for day, uses, accounts in days]


def _from_payload(payload: dict) -> TrendList:
    computed_at = payload["computed_at"]
    trends = [
        Trend(
            rank=rank,
            # Built from the stored id and name: the panel on every page costs no query.
            hashtag=Hashtag(pk=trend["id"], name=trend["name"]),
            posts_24h=trend["posts_24h"],
            history=_history(trend["history"]),
        )
        for rank, trend in enumerate(payload["trends"], start=1)
    ]
    return TrendList(datetime.fromisoformat(computed_at) if computed_at else None, trends)


def _latest_snapshot() -> dict:
    """The last computed list from PostgreSQL, without tags blocked since, as a payload."""
    latest = TrendSnapshot.objects.aggregate(at=Max("computed_at"))["at"]
    rows = (
        TrendSnapshot.objects.filter(computed_at=latest)
        .exclude(Exists(TrendBlock.objects.filter(hashtag_id=OuterRef("hashtag_id"))))
        .select_related("hashtag")
        .order_by("rank")
    )
    trends = [
        {"id": row.hashtag_id, "name": row.hashtag.name, "posts_24h": row.posts_24h, "history": []}
        for row in rows
    ]
    return {"computed_at": latest.isoformat() if latest else None, "trends": trends}


def _with_history(payload: dict) -> dict:
    """The counters' week of history for a list restored from PostgreSQL."""
    if payload["computed_at"]:
        ids = [trend["id"] for trend in payload["trends"]]
        weeks = counters.history(ids, datetime.fromisoformat(payload["computed_at"]))
        for trend in payload["trends"]:
            trend["history"] = weeks[trend["id"]]
    return payload


def current_trends() -> TrendList:
    """The current trends, best first (at most TRENDS_LIMIT); anyone may read them."""
    try:
        payload = counters.current()
        if payload is None:
            # Redis lost the list (flushed, or never computed): restore the
            # last one, through `publish` so that a block racing it still
            # wins, and unless a computation stored a list meanwhile.
            payload = counters.publish(lambda: _with_history(_latest_snapshot()), overwrite=False)
    except redis.RedisError:
        logger.warning("Redis unavailable; trends read from PostgreSQL")
        payload = _latest_snapshot()
    return _from_payload(payload)
