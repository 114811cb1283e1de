"""Hashtag use counters in Redis, and the current trend list.

Periods are whole numbers of seconds since the epoch divided by their
length (UTC): a 5-minute bucket, an hour, a day. Tag ids are Hashtag
primary keys. The keys (see docs/trends.md for why each exists):

    trends:b:{bucket}            hash tag -> uses in the bucket (its fields are the bucket's tags)
    trends:b:{bucket}:{tag}      HyperLogLog of the authors who used the tag in the bucket
    trends:h:{hour}              hash tag -> uses in the hour (posts in the last 24 hours)
    trends:d:{day}               hash tag -> uses in the day (Mastodon's history "uses")
    trends:d:{day}:{tag}         HyperLogLog of the day's authors (history "accounts")
    trends:r:{day}               hash tag -> the day's hourly distinct authors, summed over its
                                 rolled-up hours; field "hours": how many hours were rolled up
    trends:rolled:{hour}         the hour has been added to trends:r (once)
    trends:counted:{tweet}       the tweet has been counted (once)
    trends:current               the current trend list, JSON
    trends:blocks                bumped by every moderator block (see `publish`)

Every counter expires by itself; like the timelines, the keys live in the
site's own Redis database, so they need no site prefix. Redis being
flushed loses counts, never correctness: the list falls back to PostgreSQL
(trends.selectors) and the counters refill as people post.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import redis
from django.conf import settings

from accounts.stores import redis_client

BUCKET_SECONDS = 300
HOUR = 3600
DAY = 86400
# Mastodon's Tag.history covers a week.
HISTORY_DAYS = 7
CURRENT_KEY = "trends:current"
BLOCKS_KEY = "trends:blocks"
HOURS_FIELD = "hours"
# An hour's roll-up is tried for two hours, so its marker outlives that.
ROLLED_TTL = DAY
# Pipelined commands per round trip when counting many tweets.
CHUNK = 1000

# KEYS: the tweet's marker, the bucket, hour and day hashes, then per tag
# its bucket and day HyperLogLogs. ARGV: marker, bucket, hour and day TTLs,
# the author id, then the tag ids. Atomic, so a tweet counts exactly once
# however often its task runs.
_COUNT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local author = ARGV[5]
for i = 6, #ARGV do
  local tag, k = ARGV[i], 5 + (i - 6) * 2
  redis.call('HINCRBY', KEYS[2], tag, 1)
  redis.call('HINCRBY', KEYS[3], tag, 1)
  redis.call('HINCRBY', KEYS[4], tag, 1)
  redis.call('PFADD', KEYS[k], author)
  redis.call('EXPIRE', KEYS[k], ARGV[2])
  redis.call('PFADD', KEYS[k + 1], author)
  redis.call('EXPIRE', KEYS[k + 1], ARGV[4])
end
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[4], ARGV[4])
return 1
"""

# KEYS: the hour's marker, the day's roll-up hash. ARGV: marker TTL, hash
# TTL, the hours field, then tag, authors pairs. Adds an hour to its day once.
_ROLL_UP = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 4, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
"""


def client() -> redis.Redis:
    return redis_client()


@cache
def _script(url: str, source: str):  # one per REDIS_URL, as clients are
    return client().register_script(source)


def bucket_of(when: datetime) -> int:
    return int(when.timestamp()) // BUCKET_SECONDS


def hour_of(when: datetime) -> int:
    return int(when.timestamp()) // HOUR


def day_of(when: datetime) -> int:
    return int(when.timestamp()) // DAY


def bucket_key(bucket: int) -> str:
    return f"trends:b:{bucket}"


def bucket_authors_key(bucket: int, tag_id: int) -> str:
    return f"trends:b:{bucket}:{tag_id}"


def hour_key(hour: int) -> str:
    return f"trends:h:{hour}"


def day_key(day: int) -> str:
    return f"trends:d:{day}"


def day_authors_key(day: int, tag_id: int) -> str:
    return f"trends:d:{day}:{tag_id}"


def rollup_key(day: int) -> str:
    return f"trends:r:{day}"


def _counted_ttl() -> int:
    # A task runs again when its worker died, once the broker's visibility
    # timeout has passed; a marker per tweet is the counters' biggest cost
    # in memory, so it lives twice that (at least an hour), not longer.
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", HOUR)
    return max(HOUR, 2 * timeout)


def _bucket_ttl() -> int:
    # The window, plus two hours in which an hour's buckets are rolled up.
    return settings.TRENDS_WINDOW_MINUTES * 60 + 2 * HOUR


def _rollup_ttl() -> int:
    return (settings.TRENDS_BASELINE_DAYS + 2) * DAY


def window_buckets(now: datetime) -> list[int]:
    """The buckets of the last TRENDS_WINDOW_MINUTES: the current one and those before it."""
    count = -(-settings.TRENDS_WINDOW_MINUTES * 60 // BUCKET_SECONDS)
    last = bucket_of(now)
    return list(range(last - count + 1, last + 1))


# --- counting ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaggedTweet:
    """A tweet to count: who posted it when, with which hashtags."""

    tweet_id: int
    author_id: int
    tag_ids: tuple[int, ...]
    created_at: datetime


def _count_call(tweet: TaggedTweet) -> tuple[list[str], list]:
    seconds = int(tweet.created_at.timestamp())
    bucket, hour, day = seconds // BUCKET_SECONDS, seconds // HOUR, seconds // DAY
    keys = [f"trends:counted:{tweet.tweet_id}", bucket_key(bucket), hour_key(hour), day_key(day)]
    for tag in tweet.tag_ids:
        keys += [bucket_authors_key(bucket, tag), day_authors_key(day, tag)]
    ttls = [_counted_ttl(), _bucket_ttl(), 25 * HOUR, (HISTORY_DAYS + 1) * DAY]
    return keys, [*ttls, tweet.author_id, *tweet.tag_ids]


def count(tweets: Iterable[TaggedTweet]) -> int:
    """Count each tweet's hashtag uses, once per tweet however often it is
    passed while its marker lives (a task run again after its worker died).
    Returns how many tweets were counted now."""
    script = _script(settings.REDIS_URL, _COUNT)
    counted = 0
    pipe = client().pipeline(transaction=False)
    for tweet in tweets:
        if tweet.tag_ids:
            keys, args = _count_call(tweet)
            script(keys=keys, args=args, client=pipe)
        if len(pipe) >= CHUNK:
            counted += sum(pipe.execute())
    return counted + sum(pipe.execute())


# --- reading the counters ---------------------------------------------------------------


def _uses(buckets: list[int]) -> dict[int, dict[int, int]]:
    """tag -> {bucket: uses} for the buckets where each tag was used."""
    pipe = client().pipeline(transaction=False)
    for bucket in buckets:
        pipe.hgetall(bucket_key(bucket))
    uses: dict[int, dict[int, int]] = {}
    for bucket, fields in zip(buckets, pipe.execute(), strict=True):
        for tag, n in fields.items():
            uses.setdefault(int(tag), {})[bucket] = int(n)
    return uses


def distinct_authors(buckets: list[int], *, min_uses: int = 1) -> dict[int, int]:
    """Distinct authors per tag over these buckets, for the tags used at
    least `min_uses` times there (fewer uses cannot make more authors)."""
    uses = _uses(buckets)
    tags = [tag for tag, per_bucket in uses.items() if sum(per_bucket.values()) >= min_uses]
    pipe = client().pipeline(transaction=False)
    for tag in tags:
        # Only the buckets that hold the tag: most tags are in a few, and
        # a single-key PFCOUNT answers from the HyperLogLog's cached count.
        pipe.pfcount(*(bucket_authors_key(bucket, tag) for bucket in uses[tag]))
    return dict(zip(tags, pipe.execute(), strict=True))


def roll_up_hour(hour: int) -> bool:
    """Add the hour's distinct authors per tag to its day's roll-up, once.

    Called by each computation for the hours just completed; an hour whose
    buckets expired before anyone rolled it up is simply missing from the
    baseline (the `hours` field counts only the hours present).
    """
    if client().exists(f"trends:rolled:{hour}"):
        return False
    first = hour * HOUR // BUCKET_SECONDS
    authors = distinct_authors(list(range(first, first + HOUR // BUCKET_SECONDS)))
    pairs = [value for tag, n in authors.items() for value in (tag, n)]
    script = _script(settings.REDIS_URL, _ROLL_UP)
    keys = [f"trends:rolled:{hour}", rollup_key(hour * HOUR // DAY)]
    return bool(script(keys=keys, args=[ROLLED_TTL, _rollup_ttl(), HOURS_FIELD, *pairs]))


def hourly_baseline(tag_ids: list[int], now: datetime) -> dict[int, float]:
    """Each tag's mean distinct authors per hour over the rolled-up hours of
    the TRENDS_BASELINE_DAYS days before today (0 when none are known)."""
    today = day_of(now)
    pipe = client().pipeline(transaction=False)
    for day in range(today - settings.TRENDS_BASELINE_DAYS, today):
        pipe.hmget(rollup_key(day), [HOURS_FIELD, *tag_ids])
    hours = 0
    sums = [0] * len(tag_ids)
    for hours_of_day, *values in pipe.execute():
        hours += int(hours_of_day or 0)
        sums = [total + int(value or 0) for total, value in zip(sums, values, strict=True)]
    return {tag: (total / hours if hours else 0.0) for tag, total in zip(tag_ids, sums, strict=True)}


def posts_24h(tag_ids: list[int], now: datetime) -> dict[int, int]:
    """Uses of each tag in the current hour and the 23 before it."""
    if not tag_ids:
        return {}
    last = hour_of(now)
    pipe = client().pipeline(transaction=False)
    for hour in range(last - 23, last + 1):
        pipe.hmget(hour_key(hour), tag_ids)
    totals = dict.fromkeys(tag_ids, 0)
    for values in pipe.execute():
        for tag, value in zip(tag_ids, values, strict=True):
            totals[tag] += int(value or 0)
    return totals


def history(tag_ids: list[int], now: datetime) -> dict[int, list[tuple[int, int, int]]]:
    """Mastodon's Tag.history per tag: (day's midnight in epoch seconds,
    uses, distinct authors) for today and the six days before, newest first."""
    if not tag_ids:
        return {}
    today = day_of(now)
    days = list(range(today, today - HISTORY_DAYS, -1))
    pipe = client().pipeline(transaction=False)
    for day in days:
        pipe.hmget(day_key(day), tag_ids)
        for tag in tag_ids:
            pipe.pfcount(day_authors_key(day, tag))
    replies = iter(pipe.execute())
    result: dict[int, list[tuple[int, int, int]]] = {tag: [] for tag in tag_ids}
    for day in days:
        uses = next(replies)
        for i, tag in enumerate(tag_ids):
            result[tag].append((day * DAY, int(uses[i] or 0), next(replies)))
    return result


# --- the current list ------------------------------------------------------------


def current() -> dict | None:
    """The stored trend list ({"computed_at": ..., "trends": [...]}), None if there is none."""
    raw = client().get(CURRENT_KEY)
    return json.loads(raw) if raw else None


def publish(build, *, overwrite: bool = True) -> dict:
    """Store the list `build()` returns, unless a block happened meanwhile;
    with `overwrite` False, only where there is no list (a restore must
    not replace a newer computation). Returns the list built.

    `build` reads the blocked tags from PostgreSQL; a moderator's block
    bumps BLOCKS_KEY (in `withdraw`) after it commits, so a list built
    before the block is refused here and built again: a blocked tag never
    comes back with a computation that was running when it was blocked.
    """

    def attempt(pipe):
        payload = build()
        pipe.multi()
        pipe.set(CURRENT_KEY, json.dumps(payload), nx=not overwrite)
        return payload

    return client().transaction(attempt, BLOCKS_KEY, value_from_callable=True)


def withdraw(tag_id: int) -> None:
    """Take a tag out of the current list at once (a moderator blocked it)."""

    def attempt(pipe):
        payload = json.loads(pipe.get(CURRENT_KEY) or "null")
        pipe.multi()
        pipe.incr(BLOCKS_KEY)
        if payload:
            payload["trends"] = [trend for trend in payload["trends"] if trend["id"] != tag_id]
            pipe.set(CURRENT_KEY, json.dumps(payload))

    client().transaction(attempt, CURRENT_KEY)
