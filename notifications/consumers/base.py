"""What every transport of the streaming server shares: the streams a
connection may subscribe to, filtering, the bounded queue to the client,
and the process's ticker (presence, token expiry, heartbeats)."""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

import redis
from channels.db import database_sync_to_async
from django.conf import settings

from accounts.selectors import audience_of
from api.scopes import grants
from tweets.selectors import get_tweet

from .. import streams

logger = logging.getLogger(__name__)

# WebSocket close codes (4000-4999 are the application's own).
CLOSE_UNAUTHORIZED = 4001
CLOSE_TOO_SLOW = 4008

SHARED_STREAMS = {"public", "public:local", "hashtag", "hashtag:local"}
STREAM_SCOPES = {**streams.PERSONAL_STREAMS, **dict.fromkeys(SHARED_STREAMS, "read:statuses")}


class StreamError(Exception):
    """A request the stream refuses; `status` as Mastodon's streaming server says it."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Login:
    user: object
    scopes: frozenset[str] | None  # None: a session, which may read everything
    expires_at: float | None
    subprotocol: str | None = None
    # The token's (or the session's) checksum: its revocation ends this connection.
    token_checksum: str | None = None


HEARTBEAT = object()  # in a connection's queue: time for a heartbeat


class OpenConnections:
    """This process's open connections and one ticker for all of them: it
    keeps their users present with one ZADD, and ticks each connection
    (token expiry, SSE heartbeats), instead of a task per connection."""

    def __init__(self):
        self.connections: set = set()
        self.ticker: asyncio.Task | None = None

    def add(self, connection) -> None:
        self.connections.add(connection)
        if self.ticker is None or self.ticker.done():
            self.ticker = asyncio.ensure_future(self._tick_while_open())

    def discard(self, connection) -> None:
        self.connections.discard(connection)

    async def _tick_while_open(self) -> None:
        while self.connections:
            await asyncio.sleep(settings.STREAMING_HEARTBEAT_SECONDS)
            try:
                await streams.refresh_presence({c.user.pk for c in self.connections})
            except redis.RedisError:
                logger.warning("Could not refresh presence", exc_info=True)
            now = time.time()
            for connection in list(self.connections):
                try:
                    connection.tick(now)
                except Exception:
                    # One broken connection must not stop the ticker for all.
                    logger.exception("Could not tick a streaming connection")


_by_loop: dict = {}


def _open_connections() -> OpenConnections:
    loop = asyncio.get_running_loop()
    if loop not in _by_loop:
        _by_loop[loop] = OpenConnections()
    return _by_loop[loop]


def _event_key(event_id: str) -> tuple[int, int]:
    left, _, right = event_id.partition("-")
    return int(left), int(right)


class Stream:
    """What every transport shares: subscriptions, filtering, the bounded
    queue to the client, presence and the token's expiry."""

    pages = False

    def _setup(self, login: Login, resume_from: str | None) -> None:
        self.login = login
        self.user = login.user
        self.subscriptions: set[tuple[str, ...]] = set()
        self.groups: set[str] = set()
        self.hidden: frozenset[int] = frozenset()
        self.resume_from = resume_from
        self.last_id: str | None = resume_from
        self.outbox: asyncio.Queue = asyncio.Queue(maxsize=settings.STREAMING_QUEUE_SIZE)
        self.writer: asyncio.Task | None = None
        self.closing = False

    async def _prepare(self) -> None:
        """Before the first subscription: whom to hide, present from now on,
        and in the user's group whatever the streams, to hear of a block,
        a mute or a revoked token."""
        await self._load_audience()
        await streams.refresh_presence([self.user.pk])
        await self._join(streams.user_group(self.user.pk))

    def _run(self) -> None:
        """Once the client may be written to: its writer, and the process's ticker."""
        self.writer = asyncio.ensure_future(self._write_loop())
        _open_connections().add(self)

    async def _stop(self) -> None:
        self.closing = True
        _open_connections().discard(self)
        if self.writer is not None:
            self.writer.cancel()
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups.clear()

    async def _load_audience(self) -> None:
        audience = await database_sync_to_async(audience_of)(self.user)
        self.hidden = audience.blocked | audience.muted

    async def _join(self, group: str) -> None:
        if group not in self.groups:
            self.groups.add(group)
            await self.channel_layer.group_add(group, self.channel_name)

    async def subscribe(self, name: str, params: dict) -> None:
        """Subscribe to a stream by Mastodon's name (`tag` for hashtags)."""
        if not isinstance(name, str) or (name not in STREAM_SCOPES and not (self.pages and name == "tweet")):
            raise StreamError("Unknown stream type")
        needed = STREAM_SCOPES.get(name, "read:statuses")
        if self.login.scopes is not None and not grants(self.login.scopes, needed):
            raise StreamError("Access token does not have the required scopes", 401)
        if name.startswith("hashtag"):
            tag = params.get("tag")
            if not isinstance(tag, str) or not tag.strip().lstrip("#"):
                raise StreamError("No tag for stream provided")
            tag = tag.strip().lstrip("#").lower()[:100]
            key = (name, tag)
            await self._join(streams.hashtag_group(tag))
            await self._join(streams.DELETES_GROUP)
        elif name == "tweet":
            key = ("tweet", await self._visible_tweet(params.get("id")))
            await self._join(streams.tweet_group(int(key[1])))
        elif name in SHARED_STREAMS:
            key = (name,)
            await self._join("public")
            await self._join(streams.DELETES_GROUP)
        else:
            key = (name,)
            await self._join(streams.user_group(self.user.pk))
        if key in self.subscriptions:
            return
        self.subscriptions.add(key)
        if name in streams.PERSONAL_STREAMS and self.resume_from:
            for message in await streams.replay(self.user.pk, self.resume_from):
                await self.stream_event(message)

    async def _visible_tweet(self, raw) -> str:
        if not isinstance(raw, str | int) or not str(raw).isdigit() or len(str(raw)) > 19:
            raise StreamError("No tweet id for stream provided")
        tweet = await database_sync_to_async(get_tweet)(self.user, int(raw))
        if tweet is None:
            raise StreamError("Tweet not found", 404)
        return str(tweet.pk)

    def unsubscribe(self, name: str, params: dict) -> None:
        # Groups are kept until the connection ends: another subscription
        # may share one, and unsubscribed streams are filtered out below.
        tag = str(params.get("tag") or "").strip().lstrip("#").lower()
        self.subscriptions.discard((name, tag) if name.startswith("hashtag") else (name,))
        if name == "tweet":
            self.subscriptions.discard(("tweet", str(params.get("id"))))

    async def stream_event(self, message: dict) -> None:
        """From the channel layer (or the log, when resuming): filter, then queue."""
        if message["event"] == "audience.changed":
            await self._load_audience()
            return
        if message["event"] == "logged_out":
            # A suspension ends every connection; a revoked token, its own.
            if message["payload"] == "" or message["payload"] == self.login.token_checksum:
                self._close_with(self._logged_out())
            return
        if message.get("pages_only") and not self.pages:
            return
        if self.hidden and self.hidden.intersection(message["hide"]):
            return
        event_id = message.get("id")
        if event_id:
            if self.last_id and _event_key(event_id) <= _event_key(self.last_id):
                return  # already sent (a live event the replay also found)
            self.last_id = event_id
        targets = [tuple(stream) for stream in message["streams"]]
        if not targets and message["event"] == "delete":
            targets = [key for key in self.subscriptions if key[0] in SHARED_STREAMS]
        for stream in targets:
            if stream in self.subscriptions:
                self._offer(list(stream), message["event"], message["payload"], event_id)

    def _offer(self, stream: list[str], event: str, payload: str, event_id: str | None) -> None:
        if self.closing:
            return
        try:
            self.outbox.put_nowait((stream, event, payload, event_id))
        except asyncio.QueueFull:
            self._close_with(self._overflowed())

    def _close_with(self, closing) -> None:
        self.closing = True
        # Not the writer: stopping the connection must not cancel its own closing.
        self.closer = asyncio.ensure_future(closing)

    async def _write_loop(self) -> None:
        while True:
            item = await self.outbox.get()
            if item is HEARTBEAT:
                await self._heartbeat()
            else:
                await self._write(*item)

    def tick(self, now: float) -> None:
        """From the process's ticker: the token's expiry, and a heartbeat
        queued behind what the client has not read yet."""
        if self.closing:
            return
        expires_at = self.login.expires_at
        if expires_at is not None and now >= expires_at:
            self._close_with(self._expired())
        elif self.needs_heartbeat:
            with contextlib.suppress(asyncio.QueueFull):  # a full queue is data enough
                self.outbox.put_nowait(HEARTBEAT)

    needs_heartbeat = False

    async def _heartbeat(self) -> None:
        """Transports that need one (SSE) send it here."""

    # Transports implement these.
    async def _write(self, stream, event, payload, event_id) -> None:
        raise NotImplementedError

    async def _overflowed(self) -> None:
        raise NotImplementedError

    async def _expired(self) -> None:
        raise NotImplementedError

    async def _logged_out(self) -> None:
        raise NotImplementedError
