"""Home timelines in Redis: one sorted set of tweet ids per user.

Members are tweet ids zero-padded to 20 digits, all with score 0, so the
set sorts lexicographically, which is numerically: cursors are exact
(Snowflake ids are beyond a double's 53 bits, so scores would round). The
smallest member is a sentinel ("000...0") that keeps the key alive when a
timeline is empty, so "no key" always means "not built, or expired".

    tl:{user_id}      the timeline, capped at TIMELINE_CAP entries
    tl:{user_id}:rt   original tweet id -> timeline entry, for retweets,
                      so a tweet appears once however many retweet it

    out:{author_id}   an author's own newest tweets, capped alike, for the
                      authors merged at read time (outboxes, below)

The timeline keys expire TIMELINE_INACTIVE_DAYS after the last read:
fanout skips a missing key (an inactive reader costs nothing) and the next
read rebuilds it from PostgreSQL. Redis being flushed or down is never an
error: callers rebuild, or fall back to the database (timelines.selectors).
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
    timeline, _ = read_window(user_id, (), max_id=max_id, since_id=since_id, min_id=min_id, count=count)
    return timeline


@dataclass(frozen=True, slots=True)
class OutboxWindow:
    """What one author's outbox holds in a window: (tweet id, id of the
    account it replies to or None), nearest the cursor first; and whether
    the author's tweets past these were trimmed from the outbox."""

    entries: list[tuple[int, int | None]]
    trimmed: bool


def _zrange(pipe, name: str, *, max_id, since_id, min_id, count) -> None:
    # Bounds of ids, for members that are ids or ids followed by ":...":
    # "(<max_id>" sorts before any "<max_id>:..." and "[<lower + 1>" before
    # "<lower + 1>:...", so both work for both kinds of member.
    upper = f"({pad(max_id)}" if max_id is not None else "+"
    lower_id = max(min_id or 0, since_id or 0)
    lower = f"[{pad(lower_id + 1)}" if lower_id else f"({SENTINEL}"
    if min_id is not None:
        # Walking forward from min_id: the oldest ids above it come first.
        pipe.zrange(name, lower, upper, bylex=True, offset=0, num=count)
    else:
        pipe.zrange(name, upper, lower, desc=True, bylex=True, offset=0, num=count)


def read_window(
    user_id: int,
    authors,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    count: int,
    outbox_count: int | None = None,
) -> tuple[list[int] | None, dict[int, OutboxWindow | None]]:
    """In one round trip: `read` of the user's timeline, and up to
    `outbox_count` (else `count`) entries of each author's outbox in the same
    window (None for an outbox not built)."""
    authors = list(authors)
    timeline = key(user_id)
    cursors = {"max_id": max_id, "since_id": since_id, "min_id": min_id, "count": count}
    pipe = client().pipeline(transaction=False)
    pipe.expire(timeline, _ttl_seconds())
    pipe.expire(retweets_key(user_id), _ttl_seconds())
    _zrange(pipe, timeline, **cursors)
    _queue_outboxes(pipe, authors, {**cursors, "count": outbox_count or count})
    exists, _, members, *outboxes = pipe.execute()
    ids = sorted((int(m) for m in members), reverse=True) if exists else None
    return ids, _outbox_windows(authors, outboxes)


def read_outboxes(authors, **cursors) -> dict[int, OutboxWindow | None]:
    """`read_window`'s outboxes alone."""
    return _read_outboxes(dict.fromkeys(authors, cursors))


def read_outboxes_from(lasts: dict[int, int], *, forward: bool, **cursors) -> dict[int, OutboxWindow | None]:
    """`read_outboxes` of each author past the id its last read stopped at
    ({author: last id}), in one round trip."""
    step = "min_id" if forward else "max_id"
    return _read_outboxes({author: {**cursors, step: last} for author, last in lasts.items()})


def _read_outboxes(cursors_by_author: dict[int, dict]) -> dict[int, OutboxWindow | None]:
    pipe = client().pipeline(transaction=False)
    for author, cursors in cursors_by_author.items():
        _queue_outboxes(pipe, [author], cursors)
    return _outbox_windows(list(cursors_by_author), pipe.execute())


def _queue_outboxes(pipe, authors, cursors) -> None:
    for author in authors:
        pipe.zcard(outbox_key(author))
        _zrange(pipe, outbox_key(author), **cursors)


def _outbox_windows(authors, replies) -> dict[int, OutboxWindow | None]:
    windows = {}
    for author, size, members in zip(authors, replies[::2], replies[1::2], strict=True):
        windows[author] = (
            OutboxWindow(
                entries=_outbox_entries(members),
                trimmed=size > settings.TIMELINE_CAP,
            )
            if size
            else None
        )
    return windows


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


# --- Outboxes -------------------------------------------------------------------
#
# The newest tweets of each author whose tweets are merged at read time
# (TIMELINE_FANOUT_THRESHOLD), so that a read asks Redis, in the pipeline
# that reads the timeline, instead of PostgreSQL. Members are
# "<tweet id>:<id of the account replied to>" (empty for a non-reply: the
# read leaves out replies to accounts the reader doesn't follow), ids
# padded as in timelines, with the same sentinel. Fanout adds to an outbox
# that exists (timelines.services.fan_out); a read that finds none builds
# it (timelines.selectors). They expire TIMELINE_INACTIVE_DAYS after the
# last tweet added.


def outbox_key(author_id: int) -> str:
    return f"out:{{{author_id}}}"


def _outbox_member(tweet_id: int, replied_to: int | None) -> str:
    return f"{pad(tweet_id)}:{pad(replied_to) if replied_to else ''}"


def _outbox_entries(members: list[bytes]) -> list[tuple[int, int | None]]:
    # A read parses a few hundred members: the fixed layout, not a split.
    width = len(SENTINEL)
    return [(int(m[:width]), int(m[width + 1 :]) if len(m) > width + 1 else None) for m in members]


# KEYS: outbox. ARGV: member, cap, ttl. Adds only to an outbox that exists.
_OUTBOX_ADD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local added = redis.call('ZADD', KEYS[1], 0, ARGV[1])
local size, cap = redis.call('ZCARD', KEYS[1]), tonumber(ARGV[2])
if size > cap + 1 then redis.call('ZREMRANGEBYRANK', KEYS[1], 1, size - cap - 1) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return added
"""


@cache
def _outbox_add_script(url: str):
    return client().register_script(_OUTBOX_ADD)


def add_to_outbox(author_id: int, tweets) -> None:
    """Add (tweet id, id replied to or None) pairs to the author's outbox, if it exists."""
    script = _outbox_add_script(settings.REDIS_URL)
    pipe = client().pipeline(transaction=False)
    for tweet_id, replied_to in tweets:
        script(
            keys=[outbox_key(author_id)],
            args=[_outbox_member(tweet_id, replied_to), settings.TIMELINE_CAP, _ttl_seconds()],
            client=pipe,
        )
    pipe.execute()


def remove_from_outbox(author_id: int, tweet_ids) -> None:
    pipe = client().pipeline(transaction=False)
    for tweet_id in tweet_ids:
        # Every member of that id, whatever follows its ":" (";" sorts next).
        pipe.zremrangebylex(outbox_key(author_id), f"[{pad(tweet_id)}:", f"({pad(tweet_id)};")
    pipe.execute()


def replace_outbox(author_id: int, tweets_newest_first) -> None:
    """Write a freshly built outbox in one step (MULTI/EXEC)."""
    outbox, building = outbox_key(author_id), f"{outbox_key(author_id)}:building"
    capped = list(tweets_newest_first)[: settings.TIMELINE_CAP]
    pipe = client().pipeline(transaction=True)
    pipe.delete(building)
    pipe.zadd(building, {SENTINEL: 0, **{_outbox_member(pk, replied_to): 0 for pk, replied_to in capped}})
    pipe.rename(building, outbox)
    pipe.expire(outbox, _ttl_seconds())
    pipe.execute()
