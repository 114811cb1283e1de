"""The real-time bus: how an event reaches the connections that may see it.

Publishers (notifications.delivery, in Celery tasks) and the streaming
server (notifications.consumers) share the names and keys defined here.

- Live: every event goes to a Channels group, on channels_redis' pub/sub
  layer: "user.<id>" carries one person's streams (`user`,
  `user:notification`, `direct`), "public", "hashtag.<digest>" and the
  pages' "tweet.<id>" carry shared ones. A group nobody listens to costs
  one PUBLISH.
- Resume: an event for a person is also appended to their log, a capped
  Redis stream, while they are present (connected in the last
  STREAMING_PRESENCE_SECONDS). A connection that drops resumes from the
  last event id it saw (SSE's Last-Event-ID, long polling's `since`, the
  pages' socket) without a gap. Shared streams are live only, as in
  Mastodon.
- Presence: one sorted set, user id -> until when they count as connected;
  the streaming server refreshes it while a connection is open.
"""

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass, field

import redis
import redis.asyncio
from channels.layers import get_channel_layer
from django.conf import settings

from accounts.stores import redis_client

PRESENCE_KEY = "rt:present"
# Every connection watching a shared stream (public, hashtags) hears deletes
# here: a deleted tweet's hashtags are gone with its text.
DELETES_GROUP = "deletes"
# Streams a person's group carries, and which scope each needs.
PERSONAL_STREAMS = {
    "user": "read:statuses|read:notifications",
    "user:notification": "read:notifications",
    "direct": "read:statuses",
}


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def hashtag_group(tag: str) -> str:
    # Group names are ASCII; tags need not be.
    return "hashtag." + hashlib.sha1(tag.lower().encode(), usedforsecurity=False).hexdigest()[:24]


def tweet_group(tweet_id: int) -> str:
    return f"tweet.{tweet_id}"


def session_checksum(session_key: str) -> str:
    """Names one browser session's connections, for its logout to end them."""
    return "session:" + hashlib.sha256(session_key.encode()).hexdigest()


def log_key(user_id: int) -> str:
    return f"rt:log:{user_id}"


@dataclass
class Event:
    """One event for one group. `streams` are the stream names it belongs to
    (a notification is on both `user` and `user:notification`); `hide`, the
    accounts whose blockers and muters must not get it."""

    group: str
    event: str
    payload: str
    streams: list[list[str]]
    hide: list[int] = field(default_factory=list)
    user_id: int | None = None  # a person's event: logged for resuming
    pages_only: bool = False  # not part of Mastodon's streaming API

    def message(self, event_id: str | None) -> dict:
        return {
            "type": "stream.event",
            "id": event_id,
            "event": self.event,
            "payload": self.payload,
            "streams": self.streams,
            "hide": self.hide,
            "pages_only": self.pages_only,
        }


def client() -> redis.Redis:
    return redis_client()


def present_users() -> list[int]:
    """Everyone connected now (or within the presence window)."""
    now = time.time()
    pipe = client().pipeline()
    pipe.zremrangebyscore(PRESENCE_KEY, "-inf", now)
    pipe.zrangebyscore(PRESENCE_KEY, now, "+inf")
    return [int(user_id) for user_id in pipe.execute()[1]]


def mark_present(user_id: int, *, pipeline=None) -> None:
    target = pipeline if pipeline is not None else client()
    target.zadd(PRESENCE_KEY, {user_id: time.time() + settings.STREAMING_PRESENCE_SECONDS})


def cursor(user_id: int) -> str:
    """The id of the newest event in the user's log ("0-0": none yet), and
    from now on they count as present. A page renders it, so the
    connection it opens next misses nothing that happened in between."""
    # Present first, in the same round trip: an event logged after the
    # read is then kept for the connection (see _append).
    pipe = client().pipeline(transaction=False)
    mark_present(user_id, pipeline=pipe)
    pipe.xrevrange(log_key(user_id), count=1)
    newest = pipe.execute()[1]
    return newest[0][0].decode() if newest else "0-0"


def _append(events: list[Event]) -> list[str | None]:
    """Log the personal events of present users; their ids, None for the rest."""
    personal = [e for e in events if e.user_id is not None]
    if not personal:
        return [None] * len(events)
    user_ids = [e.user_id for e in personal]
    scores = dict(zip(user_ids, client().zmscore(PRESENCE_KEY, user_ids), strict=True))
    now = time.time()
    pipe = client().pipeline(transaction=False)
    logged = []
    for event in events:
        score = scores.get(event.user_id)
        if event.user_id is None or score is None or score < now:
            logged.append(False)
            continue
        key = log_key(event.user_id)
        pipe.xadd(
            key,
            {
                "event": event.event,
                "payload": event.payload,
                "streams": json.dumps(event.streams),
                "pages_only": int(event.pages_only),
            },
            maxlen=settings.STREAMING_RESUME_EVENTS,
            approximate=True,
        )
        pipe.expire(key, settings.STREAMING_PRESENCE_SECONDS * 10)
        logged.append(True)
    results = iter(pipe.execute())
    ids = []
    for was_logged in logged:
        if was_logged:
            ids.append(next(results).decode())
            next(results)  # the expire
        else:
            ids.append(None)
    return ids


def _group_channel(group: str) -> str:
    # channels_redis' pub/sub layer subscribes a group's members to this
    # Redis channel (RedisPubSubLoopLayer._get_group_channel_name); the
    # streaming tests, whose consumers join groups through the layer, fail
    # if that ever changes.
    return f"{settings.CHANNEL_LAYERS['default']['CONFIG']['prefix']}__group__{group}"


def publish(events: list[Event]) -> None:
    """Send events to their groups (and the logs of present users), in order.

    What the layer's group_send does, one PUBLISH per group, but pipelined:
    a tweet for 1,000 connected readers took 100 ms awaiting group_send
    one by one, and takes one round trip this way.
    """
    if not events:
        return
    ids = _append(events)
    layer = get_channel_layer()
    pipe = client().pipeline(transaction=False)
    for event, event_id in zip(events, ids, strict=True):
        pipe.publish(_group_channel(event.group), layer.serialize(event.message(event_id)))
    pipe.execute()


# --- the streaming server's side ----------------------------------------------------


_async_clients: dict = {}


def async_client() -> redis.asyncio.Redis:
    """One client per event loop (the streaming server has one)."""
    loop = asyncio.get_running_loop()
    found = _async_clients.get(loop)
    if found is None:
        # Thousands of connections share a few Redis connections: a burst
        # waits for one instead of failing.
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=20, timeout=10
        )
        found = _async_clients[loop] = redis.asyncio.Redis(connection_pool=pool)
    return found


def _from_log(entry_id: bytes, fields: dict) -> dict:
    return {
        "type": "stream.event",
        "id": entry_id.decode(),
        "event": fields[b"event"].decode(),
        "payload": fields[b"payload"].decode(),
        "streams": json.loads(fields[b"streams"]),
        "hide": [],
        "pages_only": fields.get(b"pages_only") == b"1",
    }


async def refresh_presence(user_ids) -> None:
    user_ids = list(user_ids)
    until = time.time() + settings.STREAMING_PRESENCE_SECONDS
    for start in range(0, len(user_ids), 5000):
        await async_client().zadd(PRESENCE_KEY, dict.fromkeys(user_ids[start : start + 5000], until))


async def replay(user_id: int, after: str) -> list[dict]:
    """The user's logged events after `after`, oldest first."""
    entries = await async_client().xrange(
        log_key(user_id), min=f"({after}", count=settings.STREAMING_RESUME_EVENTS
    )
    return [_from_log(entry_id, fields) for entry_id, fields in entries]


async def wait(user_id: int, after: str, timeout: float) -> list[dict]:
    """`replay`, or when there is nothing yet, the first events within `timeout` seconds."""
    found = await replay(user_id, after)
    if found:
        return found
    # A connection of its own: a blocking read would hold a shared one.
    reader = redis.asyncio.Redis.from_url(settings.REDIS_URL)
    try:
        result = await reader.xread({log_key(user_id): after}, block=int(timeout * 1000))
    finally:
        await reader.aclose()
    return [_from_log(entry_id, fields) for _key, entries in result for entry_id, fields in entries]


def is_event_id(value: str) -> bool:
    """A log id as Redis writes them: "<milliseconds>-<sequence>"."""
    left, _, right = value.partition("-")
    return left.isdigit() and right.isdigit() and len(value) <= 41
