"""Impressions and profile visits, counted in Redis as pages are served.

A page view must stay cheap, so nothing is written to PostgreSQL here: one
round trip, a script that runs HINCRBY for each tweet shown (or the profile
visited) in a hash per UTC day, which the hourly roll-up
(trends.analytics.services.roll_up) copies into TweetDay and AccountDay.

    analytics:impressions:{YYYY-MM-DD}  tweet id -> impressions that day
    analytics:visits:{YYYY-MM-DD}       user id  -> profile visits that day

Each key expires KEEP_DAYS after its last write: long enough for the
roll-up of a day to run again the next day (and for a missed hour to be
caught up), short enough that the hashes never pile up. Counting is best
effort: the receivers (trends.analytics.receivers) log a Redis failure and
let the page go on; the roll-up never lowers a figure it already copied,
so a flushed Redis loses at most the views since the last roll-up.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from functools import cache

import redis
from django.conf import settings

from accounts.stores import redis_client

KEEP_DAYS = 3
# HSCAN batch: large enough for few round trips, small enough that Redis
# never blocks on one call.
SCAN_COUNT = 10_000


def client() -> redis.Redis:
    # Short timeouts: a page waits on this, and a lost count is acceptable
    # where a slow page is not.
    return redis_client(timeout=1, connect_timeout=0.25)


def impressions_key(day: date) -> str:
    return f"analytics:impressions:{day.isoformat()}"


def visits_key(day: date) -> str:
    return f"analytics:visits:{day.isoformat()}"


def today() -> date:
    return datetime.now(UTC).date()


# KEYS: the day's hash. ARGV: the ids, then the key's lifetime in seconds.
# One command for a page's 20 tweets: queueing 21 in a redis-py pipeline
# cost a page more than Redis took to run them.
_INCREMENT = """
for i = 1, #ARGV - 1 do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
redis.call('EXPIRE', KEYS[1], ARGV[#ARGV])
"""


@cache
def _increment_script(url: str):  # one per REDIS_URL, as clients are
    return client().register_script(_INCREMENT)


def _increment(key: str, ids: Iterable[int]) -> None:
    _increment_script(settings.REDIS_URL)(keys=[key], args=[*ids, KEEP_DAYS * 86400])


def count_impressions(tweet_ids: Iterable[int]) -> None:
    """One impression for each tweet id (distinct ids; the caller has left out
    the viewer's own tweets). Raises redis.RedisError."""
    ids = set(tweet_ids)
    if ids:
        _increment(impressions_key(today()), sorted(ids))


def count_profile_visit(user_id: int) -> None:
    """One visit to `user_id`'s profile. Raises redis.RedisError."""
    _increment(visits_key(today()), [user_id])


def _scan(key: str) -> Iterator[tuple[int, int]]:
    for field, value in client().hscan_iter(key, count=SCAN_COUNT):
        yield int(field), int(value)


def impressions_on(day: date) -> Iterator[tuple[int, int]]:
    """(tweet id, impressions) pairs counted on `day`, in no order, streamed."""
    return _scan(impressions_key(day))


def visits_on(day: date) -> Iterator[tuple[int, int]]:
    """(user id, profile visits) pairs counted on `day`, in no order, streamed."""
    return _scan(visits_key(day))
