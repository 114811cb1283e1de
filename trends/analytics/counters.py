"""Impressions and profile visits, counted in Redis as pages are served.

A page view must stay cheap, so nothing is written to PostgreSQL here: a
script runs HINCRBY for each tweet shown (or the profile visited) in a
hash per UTC day, which the hourly roll-up
(trends.analytics.services.roll_up) copies into TweetDay and AccountDay.
Impressions (some 20 a page) are added up in the worker first and written
every IMPRESSIONS_FLUSH_SECONDS by a background thread, one script call
for all the pages served meanwhile: the call per page cost a home
timeline read 0.35 ms of its 5.5, and was the costliest command Redis ran
for it. A worker killed without a clean exit loses that last second.

    analytics:impressions:{YYYY-MM-DD}  tweet id -> impressions that day
    analytics:visits:{YYYY-MM-DD}       user id  -> profile visits that day

Each key expires KEEP_DAYS after its last write: long enough for the
roll-up of a day to run again the next day (and for a missed hour to be
caught up), short enough that the hashes never pile up. Counting is best
effort: the receivers (trends.analytics.receivers) log a Redis failure and
let the page go on; the roll-up never lowers a figure it already copied,
so a flushed Redis loses at most the views since the last roll-up.
"""

import atexit
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from functools import cache

import redis
from django.conf import settings

from accounts.stores import redis_client

logger = logging.getLogger(__name__)

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


# KEYS: the day's hash. ARGV: id, count, id, count..., then the key's
# lifetime in seconds. One command for many ids: queueing one command per
# id in a redis-py pipeline cost a page more than Redis took to run them.
_INCREMENT = """
for i = 1, #ARGV - 1, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[#ARGV])
"""


@cache
def _increment_script(url: str):  # one per REDIS_URL, as clients are
    return client().register_script(_INCREMENT)


def _increment(key: str, counts: dict[int, int]) -> None:
    args = [value for pk in sorted(counts) for value in (pk, counts[pk])]
    _increment_script(settings.REDIS_URL)(keys=[key], args=[*args, KEEP_DAYS * 86400])


class _Pending:
    """The impressions a worker has counted and not yet written, by day,
    and the timer that writes them (none while nothing waits)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.days: dict[date, Counter] = {}
        self.timer: threading.Timer | None = None
        self.owner = None  # the process the pending counts belong to

    def add(self, ids: set[int]) -> None:
        with self.lock:
            if self.owner != os.getpid():
                # A forked child: what was pending is the parent's to write.
                self.days, self.timer, self.owner = {}, None, os.getpid()
            self.days.setdefault(today(), Counter()).update(ids)
            if self.timer is None:
                self.timer = threading.Timer(settings.IMPRESSIONS_FLUSH_SECONDS, _flush_logged)
                self.timer.daemon = True
                self.timer.start()

    def take(self) -> dict[date, Counter]:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()  # written now: the next count starts a new one
            days, self.days, self.timer = self.days, {}, None
        return days


_pending = _Pending()


def count_impressions(tweet_ids: Iterable[int]) -> None:
    """One impression for each tweet id (distinct ids; the caller has left out
    the viewer's own tweets), written within IMPRESSIONS_FLUSH_SECONDS (at
    once when it is 0). Raises redis.RedisError when writing at once."""
    ids = set(tweet_ids)
    if not ids:
        return
    if settings.IMPRESSIONS_FLUSH_SECONDS > 0:
        _pending.add(ids)
    else:
        _increment(impressions_key(today()), dict.fromkeys(ids, 1))


def flush() -> None:
    """Write the impressions this worker has counted. Raises redis.RedisError
    (and those impressions are lost: counting is best effort)."""
    for day, counts in _pending.take().items():
        _increment(impressions_key(day), counts)


@atexit.register
def _flush_logged() -> None:
    if _pending.owner != os.getpid():
        return  # a forked child's exit: the parent's counts are not its own
    try:
        flush()
    except redis.RedisError:
        logger.warning("Impressions not counted: Redis failed", exc_info=True)


def count_profile_visit(user_id: int) -> None:
    """One visit to `user_id`'s profile. Raises redis.RedisError."""
    _increment(visits_key(today()), {user_id: 1})


def _scan(key: str) -> Iterator[tuple[int, int]]:
    for field, value in client().hscan_iter(key, count=SCAN_COUNT):
        yield int(field), int(value)


def impressions_on(day: date) -> Iterator[tuple[int, int]]:
    """(tweet id, impressions) pairs counted on `day`, in no order, streamed."""
    return _scan(impressions_key(day))


def visits_on(day: date) -> Iterator[tuple[int, int]]:
    """(user id, profile visits) pairs counted on `day`, in no order, streamed."""
    return _scan(visits_key(day))
