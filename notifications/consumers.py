"""The streaming server: Mastodon's streaming API and the pages' live updates.

Three transports carry the same events (notifications.streams):

- WebSocket: `/api/v1/streaming` for apps (Mastodon's protocol exactly),
  `/stream/socket` for the pages (the same, plus event ids, so a socket
  that reconnects resumes, and the pages' own `tweet` stream).
- Server-Sent Events: `/api/v1/streaming/<stream>`, with `id:` lines on
  a person's events so that EventSource resumes by itself (Last-Event-ID).
- Long polling: `/stream/poll?since=<event id>`, held up to
  STREAMING_LONG_POLL_SECONDS, for clients that can do neither.

Apps authenticate with their access token (the `access_token` query
parameter, `Authorization: Bearer`, or `Sec-WebSocket-Protocol`, echoed
back), pages with their session cookie. Each connection keeps at most
STREAMING_QUEUE_SIZE events waiting for a slow client, then disconnects
it: a client that does not read cannot grow the server's memory.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import redis
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http.request import validate_host
from oauth2_provider.models import get_access_token_model

from accounts.selectors import audience_of
from api.scopes import grants, parse
from tweets.selectors import get_tweet

from . import streams

logger = logging.getLogger(__name__)

# WebSocket close codes (4000-4999 are the application's own).
CLOSE_UNAUTHORIZED = 4001
CLOSE_TOO_SLOW = 4008

SHARED_STREAMS = {"public", "public:local", "hashtag", "hashtag:local"}
STREAM_SCOPES = {**streams.PERSONAL_STREAMS, **dict.fromkeys(SHARED_STREAMS, "read:statuses")}
# SSE paths name their stream: /api/v1/streaming/user/notification...
SSE_STREAMS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "direct": "direct",
    "tweet": "tweet",  # the pages' own, for a session only
}


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


def _headers(scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])
    }


def _query(scope) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return {key: values[-1] for key, values in parse_qs(raw).items()}


@database_sync_to_async
def _token_login(raw: str) -> Login:
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    token = get_access_token_model().objects.select_related("user").filter(token_checksum=checksum).first()
    if token is None:
        raise StreamError("Invalid access token", 401)
    if token.is_expired():
        raise StreamError("The access token expired", 401)
    if token.user is None:
        raise StreamError("This stream needs a user's access token", 401)
    if not token.user.is_active:
        raise StreamError("Your login is currently disabled", 401)
    scopes = frozenset(parse(token.scope))
    if not any(grants(scopes, needed) for needed in STREAM_SCOPES.values()):
        raise StreamError("Access token does not have the required scopes", 401)
    return Login(token.user, scopes, token.expires.timestamp(), token_checksum=checksum)


async def authenticate(scope, *, websocket: bool) -> Login:
    """The connection's user: by access token, else by the session (pages)."""
    headers, query = _headers(scope), _query(scope)
    subprotocol = None
    raw = query.get("access_token")
    if not raw and headers.get("authorization", "").lower().startswith("bearer "):
        raw = headers["authorization"][7:].strip()
    if not raw and websocket and headers.get("sec-websocket-protocol"):
        raw = subprotocol = headers["sec-websocket-protocol"].split(",")[0].strip()
    if raw:
        login = await _token_login(raw)
        return Login(login.user, login.scopes, login.expires_at, subprotocol, login.token_checksum)
    user = scope.get("user")
    if user is not None and user.is_authenticated and user.is_active:
        # Browsers send cookies to sockets opened by any site: only this
        # site's pages may use them (reading SSE is guarded by CORS).
        if websocket and not _from_this_site(headers):
            raise StreamError("Log in with an access token from another site", 401)
        return Login(user, None, None, token_checksum=streams.session_checksum(scope["session"].session_key))
    raise StreamError("Missing access token", 401)


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


class StreamingSocket(Stream, AsyncWebsocketConsumer):
    """One WebSocket, any number of streams: {"type": "subscribe", "stream": "user"}."""

    async def connect(self):
        self.pages = self.scope["path"].startswith("/stream/")
        query = _query(self.scope)
        resume = query.get("last_event_id") if self.pages else None
        try:
            login = await authenticate(self.scope, websocket=True)
        except StreamError as error:
            await self._refuse(error)
            return
        self._setup(login, resume if resume and streams.is_event_id(resume) else None)
        await self._prepare()
        # A stream named in the URL is joined before the handshake completes:
        # a client that has connected misses nothing from then on.
        refused = None
        if "stream" in query:
            try:
                await self.subscribe(query["stream"], query)
            except StreamError as error:
                refused = error
        await self.accept(subprotocol=login.subprotocol)
        self._run()
        if refused:
            await self._error(refused)

    async def _refuse(self, error: StreamError) -> None:
        """Mastodon answers the upgrade with an HTTP error where the server can."""
        if "websocket.http.response" in self.scope.get("extensions", {}):
            body = json.dumps({"error": error.message}).encode()
            await self.base_send(
                {
                    "type": "websocket.http.response.start",
                    "status": error.status,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await self.base_send({"type": "websocket.http.response.body", "body": body})
        else:
            await self.close(code=CLOSE_UNAUTHORIZED)

    async def disconnect(self, code):
        if hasattr(self, "outbox"):
            await self._stop()

    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode()) > settings.STREAMING_MAX_MESSAGE_BYTES:
            await self._error(StreamError("Message too large", 413))
            return
        try:
            message = json.loads(raw)
        except ValueError:
            await self._error(StreamError("Could not parse the message as JSON"))
            return
        await self._handle(message)

    async def _handle(self, message) -> None:
        try:
            if not isinstance(message, dict) or message.get("type") not in ("subscribe", "unsubscribe"):
                raise StreamError("Unknown message type: use subscribe or unsubscribe")
            name = message.get("stream")
            if message["type"] == "subscribe":
                await self.subscribe(name, message)
            else:
                self.unsubscribe(name, message)
        except StreamError as error:
            await self._error(error)

    async def _error(self, error: StreamError) -> None:
        await self.send(text_data=json.dumps({"error": error.message, "status": error.status}))

    async def _write(self, stream, event, payload, event_id) -> None:
        frame = {"stream": stream, "event": event, "payload": payload}
        if self.pages and event_id:
            frame["id"] = event_id
        await self.send(text_data=json.dumps(frame))

    async def _overflowed(self) -> None:
        await self.close(code=CLOSE_TOO_SLOW, reason="Too many events waiting: read faster")

    async def _expired(self) -> None:
        await self.close(code=CLOSE_UNAUTHORIZED, reason="The access token expired")

    async def _logged_out(self) -> None:
        await self.close(code=CLOSE_UNAUTHORIZED, reason="Logged out")


def _from_this_site(headers: dict[str, str]) -> bool:
    host = urlsplit(headers.get("origin", "")).hostname
    return bool(host) and validate_host(host, settings.ALLOWED_HOSTS)


def _cors_headers(scope) -> list[tuple[bytes, bytes]]:
    """Pages of this site (on another port of the host, in development) may
    read the streams with their cookies; any other origin gets `*`, which
    browsers never combine with cookies."""
    headers = _headers(scope)
    if _from_this_site(headers):
        origin = headers["origin"]
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"vary", b"Origin"),
        ]
    return [(b"access-control-allow-origin", b"*")]


class _HttpStream(Stream, AsyncHttpConsumer):
    # Set by a handle() that leaves the response open (SSE).
    keep_open = False

    async def http_request(self, message):
        """AsyncHttpConsumer's, except that an open stream outlives handle():
        the consumer must stay to hear the channel layer."""
        self.body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        await self.handle(b"".join(self.body))
        if not self.keep_open:
            raise StopConsumer()

    async def stream_stop(self, message):
        await self._stop()
        raise StopConsumer()

    async def _fail(self, error: StreamError) -> None:
        body = json.dumps({"error": error.message}).encode()
        headers = [(b"content-type", b"application/json"), *_cors_headers(self.scope)]
        await self.send_response(error.status, body, headers=headers)

    async def http_disconnect(self, message):
        if hasattr(self, "outbox"):
            await self._stop()
        raise StopConsumer()


class EventStream(_HttpStream):
    """Server-Sent Events on one stream: GET /api/v1/streaming/user ..."""

    async def handle(self, body):
        name = SSE_STREAMS.get(self.scope["url_route"]["kwargs"]["stream"].strip("/"))
        query = _query(self.scope)
        resume = _headers(self.scope).get("last-event-id") or query.get("last_event_id")
        try:
            if name is None:
                raise StreamError("Unknown stream type", 404)
            login = await authenticate(self.scope, websocket=False)
            self.pages = login.scopes is None
            self._setup(login, resume if resume and streams.is_event_id(resume) else None)
            await self._prepare()
            await self.subscribe(name, query)
        except StreamError as error:
            await self._fail(error)
            return
        headers = [
            (b"content-type", b"text/event-stream"),
            (b"cache-control", b"no-store"),
            (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
            *_cors_headers(self.scope),
        ]
        await self.send_headers(status=200, headers=headers)
        await self.send_body(b":)\n\n", more_body=True)
        self.keep_open = True
        self._run()

    async def _write(self, stream, event, payload, event_id) -> None:
        lines = [f"event: {event}"]
        if event_id:
            lines.append(f"id: {event_id}")
        lines += [f"data: {line}" for line in payload.split("\n")]
        await self.send_body(("\n".join(lines) + "\n\n").encode(), more_body=True)

    needs_heartbeat = True

    async def _heartbeat(self) -> None:
        await self.send_body(b":thump\n\n", more_body=True)

    async def _overflowed(self) -> None:
        await self._end()

    async def _expired(self) -> None:
        await self._end()

    async def _logged_out(self) -> None:
        await self._end()

    async def _end(self) -> None:
        """Finish the response, then the consumer (from its own dispatch loop)."""
        await self.send_body(b"", more_body=False)
        await self.channel_layer.send(self.channel_name, {"type": "stream.stop"})


class LongPoll(_HttpStream):
    """GET /stream/poll?since=<event id>[&stream=user][&wait=<seconds>]: the
    events after `since`, or the first ones to come within `wait` seconds
    (at most, and by default, STREAMING_LONG_POLL_SECONDS), as JSON:
    {"events": [{"id", "stream", "event", "payload"}...], "cursor": "<id>"}.
    Without `since`, it answers at once with the cursor to start from;
    `wait=0` answers at once with what is already there."""

    async def handle(self, body):
        query = _query(self.scope)
        try:
            login = await authenticate(self.scope, websocket=False)
            names = [name for name in query.get("stream", "user").split(",") if name]
            for name in names:
                if name not in streams.PERSONAL_STREAMS:
                    raise StreamError("Long polling serves user, user:notification and direct")
                if login.scopes is not None and not grants(login.scopes, streams.PERSONAL_STREAMS[name]):
                    raise StreamError("Access token does not have the required scopes", 401)
            since = query.get("since")
            if since is not None and not streams.is_event_id(since):
                raise StreamError("since must be an event id")
            longest = settings.STREAMING_LONG_POLL_SECONDS
            wait = query.get("wait", str(longest))
            if not (wait.isascii() and wait.isdigit()) or int(wait) > longest:
                raise StreamError(f"wait must be a number of seconds from 0 to {longest}")
        except StreamError as error:
            await self._fail(error)
            return
        user_id = login.user.pk
        await streams.refresh_presence([user_id])
        events, cursor = [], since
        if since is None:
            cursor = await sync_to_async(streams.cursor)(user_id)
        else:
            wanted = set(names)
            deadline = time.monotonic() + int(wait)
            # Events of streams not asked for move the cursor on and the wait continues.
            while not events:
                left = deadline - time.monotonic()
                found = await (
                    streams.wait(user_id, cursor, left) if left > 0 else streams.replay(user_id, cursor)
                )
                if not found:
                    break
                cursor = found[-1]["id"]
                events = [
                    {"id": m["id"], "stream": s, "event": m["event"], "payload": m["payload"]}
                    for m in found
                    for s in m["streams"]
                    if s[0] in wanted and not (m["pages_only"] and login.scopes is not None)
                ]
        body = json.dumps({"events": events, "cursor": cursor}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"cache-control", b"no-store"),
            *_cors_headers(self.scope),
        ]
        await self.send_response(200, body, headers=headers)


class Health(AsyncHttpConsumer):
    async def handle(self, body):
        await self.send_response(
            200, b"OK", headers=[(b"content-type", b"text/plain"), (b"access-control-allow-origin", b"*")]
        )
