"""Home timelines in Redis: one sorted set of tweet ids per user.

Members are tweet ids zero-padded to 20 digits, all with score 0, so the
set sorts lexicographically, which is numerically: cursors are exact
(Snowflake ids are beyond a double's 53 bits, so scores would round). The
smallest member is a sentinel ("000...0") that keeps the key alive when a
timeline is empty, so "no key" always means "not built, or expired".

    tl:{user_id}      the timeline, capped at TIMELINE_CAP entries
    tl:{user_id}:rt   original tweet id -> timeline entry, for retweets,
                      so a tweet appears once however many retweet it

Both keys expire TIMELINE_INACTIVE_DAYS after the last read: fanout skips
a missing key (an inactive reader costs nothing) and the next read rebuilds
it from PostgreSQL. Redis being flushed or down is never an error: callers
rebuild, or fall back to the database (timelines.selectors).
"""

from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings

from accounts.stores import redis_client

SENTINEL = "0" * 20

# KEYS: timeline, retweet map. ARGV: entry id, original id ("" unless the
# entry is a retweet), cap. Adds only to a timeline that exists. A tweet has
# one entry, its oldest row (as the database timeline shows it): an original
# or an older retweet replaces a newer retweet of it; a newer one is skipped.
_ADD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local entry, original, cap = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('ZCARD', KEYS[1]) > cap and entry < redis.call('ZRANGE', KEYS[1], 1, 1)[1] then
  return 0  -- older than a full timeline: it would be trimmed at once
end
local target = original ~= '' and original or entry
if original ~= '' and redis.call('ZSCORE', KEYS[1], original) then return 0 end
local seen = redis.call('HGET', KEYS[2], target)
if seen and seen ~= entry and redis.call('ZSCORE', KEYS[1], seen) then
  if original ~= '' and seen < entry then return 0 end
  redis.call('ZREM', KEYS[1], seen)
end
if original == '' then
  if seen then redis.call('HDEL', KEYS[2], target) end
else
  redis.call('HSET', KEYS[2], original, entry)
  redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
  if redis.call('HLEN', KEYS[2]) > 2 * cap then
    -- Forget retweets that have been trimmed out of the timeline.
    local pairs = redis.call('HGETALL', KEYS[2])
    for i = 1, #pairs, 2 do
      -- (not the entry being added: it isn't in the timeline yet)
      if pairs[i + 1] ~= entry and not redis.call('ZSCORE', KEYS[1], pairs[i + 1]) then
        redis.call('HDEL', KEYS[2], pairs[i])
      end
    end
  end
end
local added = redis.call('ZADD', KEYS[1], 0, entry)
local size = redis.call('ZCARD', KEYS[1])
if size > cap + 1 then redis.call('ZREMRANGEBYRANK', KEYS[1], 1, size - cap - 1) end
return added
"""


def client() -> redis.Redis:
    return redis_client()


@cache
def _add_script(url: str):  # one per REDIS_URL, as clients are
    return client().register_script(_ADD)


# Braces: a Redis Cluster hash tag, so a reader's two keys share a slot and
# the Lua script may touch both.
def key(user_id: int) -> str:
    return f"tl:{{{user_id}}}"


def retweets_key(user_id: int) -> str:
    return f"tl:{{{user_id}}}:rt"


def pad(tweet_id: int) -> str:
    return f"{tweet_id:020d}"


def _ttl_seconds() -> int:
    return settings.TIMELINE_INACTIVE_DAYS * 86400


@dataclass(frozen=True, slots=True)
class Entry:
    """One timeline item to add: a tweet row id and, for a retweet, its original."""

    tweet_id: int
    original_id: int | None = None


def add(user_ids, entry: Entry, *, pipeline=None) -> None:
    """Add `entry` to each existing timeline of `user_ids` (missing ones are skipped)."""
    script = _add_script(settings.REDIS_URL)
    own_pipeline = pipeline is None
    pipe = pipeline if pipeline is not None else client().pipeline(transaction=False)
    original = pad(entry.original_id) if entry.original_id else ""
    for user_id in user_ids:
        script(
            keys=[key(user_id), retweets_key(user_id)],
            args=[pad(entry.tweet_id), original, settings.TIMELINE_CAP],
            client=pipe,
        )
    if own_pipeline:
        pipe.execute()


def add_many(user_id: int, entries: list[Entry]) -> None:
    """Add several entries to one user's timeline (if it exists), oldest first."""
    pipe = client().pipeline(transaction=False)
    for entry in sorted(entries, key=lambda e: e.tweet_id):
        add([user_id], entry, pipeline=pipe)
    pipe.execute()


def remove(user_ids, tweet_ids) -> None:
    """Remove tweet ids from the timelines of `user_ids`."""
    members = [pad(tweet_id) for tweet_id in tweet_ids]
    if not members:
        return
    pipe = client().pipeline(transaction=False)
    for user_id in user_ids:
        pipe.zrem(key(user_id), *members)
    pipe.execute()


def entries(user_id: int) -> list[int] | None:
    """Every tweet id in the timeline, newest first; None if it isn't built."""
    pipe = client().pipeline(transaction=False)
    pipe.exists(key(user_id))
    pipe.zrange(key(user_id), "+", f"({SENTINEL}", desc=True, bylex=True)
    exists, members = pipe.execute()
    return [int(m) for m in members] if exists else None


def read(
    user_id: int,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    count: int,
) -> list[int] | None:
    """Up to `count` ids, newest first, within the cursors; None if not built.

    A read keeps the timeline alive for another TIMELINE_INACTIVE_DAYS.
    """
    upper = f"({pad(max_id)}" if max_id is not None else "+"
    lower_id = max(min_id or 0, since_id or 0)
    lower = f"({pad(lower_id)}" if lower_id else f"({SENTINEL}"
    timeline = key(user_id)
    pipe = client().pipeline(transaction=False)
    pipe.expire(timeline, _ttl_seconds())
    pipe.expire(retweets_key(user_id), _ttl_seconds())
    if min_id is not None:
        # Walking forward from min_id: the oldest ids above it come first.
        pipe.zrange(timeline, lower, upper, bylex=True, offset=0, num=count)
    else:
        pipe.zrange(timeline, upper, lower, desc=True, bylex=True, offset=0, num=count)
    exists, _, members = pipe.execute()
    if not exists:
        return None
    ids = [int(m) for m in members]
    return sorted(ids, reverse=True)


def is_built(user_id: int) -> bool:
    return bool(client().exists(key(user_id)))


def retweet_entries(user_ids, original_id: int) -> dict[int, int]:
    """The retweet that stands for `original_id` in each of these timelines, where one does."""
    pipe = client().pipeline(transaction=False)
    for user_id in user_ids:
        pipe.hget(retweets_key(user_id), pad(original_id))
    return {user_id: int(value) for user_id, value in zip(user_ids, pipe.execute(), strict=True) if value}


def standing_entries(user_id: int, original_ids) -> dict[int, int]:
    """For each original tweet, the entry that stands for it in the timeline:
    the original itself, or the retweet recorded for it; absent if none."""
    originals = sorted(original_ids)
    pipe = client().pipeline(transaction=False)
    for original in originals:
        pipe.zscore(key(user_id), pad(original))
        pipe.hget(retweets_key(user_id), pad(original))
    replies = pipe.execute()
    recorded = {}
    for original, in_timeline, retweet in zip(originals, replies[::2], replies[1::2], strict=True):
        if in_timeline is not None:
            recorded[original] = original
        elif retweet is not None:
            recorded[original] = int(retweet)
    if recorded:
        # A recorded retweet may since have been trimmed from the timeline.
        pipe = client().pipeline(transaction=False)
        for entry in recorded.values():
            pipe.zscore(key(user_id), pad(entry))
        present = pipe.execute()
        recorded = {
            o: e for (o, e), score in zip(recorded.items(), present, strict=True) if score is not None
        }
    return recorded


def replace(user_id: int, entries_newest_first: list[Entry]) -> None:
    """Write a freshly built timeline in one step (MULTI/EXEC)."""
    timeline, building = key(user_id), f"{key(user_id)}:building"
    capped = entries_newest_first[: settings.TIMELINE_CAP]
    pipe = client().pipeline(transaction=True)
    pipe.delete(building, retweets_key(user_id))
    pipe.zadd(building, {SENTINEL: 0, **{pad(e.tweet_id): 0 for e in capped}})
    retweets = {pad(e.original_id): pad(e.tweet_id) for e in reversed(capped) if e.original_id}
    if retweets:
        pipe.hset(retweets_key(user_id), mapping=retweets)
        pipe.expire(retweets_key(user_id), _ttl_seconds())
    pipe.rename(building, timeline)
    pipe.expire(timeline, _ttl_seconds())
    pipe.execute()


def drop(user_id: int) -> None:
    client().delete(key(user_id), retweets_key(user_id))
