"""The streaming server over plain HTTP: Server-Sent Events, long
polling, and the health check."""

import json
import time

from asgiref.sync import sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from django.conf import settings

from api.scopes import grants

from .. import streams
from .auth import authenticate, cors_headers, headers_of, query_of
from .base import Stream, StreamError

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
        headers = [(b"content-type", b"application/json"), *cors_headers(self.scope)]
        await self.send_response(error.status, body, headers=headers)

    async def http_disconnect(self, message):
        if hasattr(self, "outbox"):
            await self._stop()
        raise StopConsumer()


class EventStream(_HttpStream):
    """Server-Sent Events on one stream: GET /api/v1/streaming/user ..."""

    async def handle(self, body):
        name = SSE_STREAMS.get(self.scope["url_route"]["kwargs"]["stream"].strip("/"))
        query = query_of(self.scope)
        resume = headers_of(self.scope).get("last-event-id") or query.get("last_event_id")
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
            *cors_headers(self.scope),
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
        query = query_of(self.scope)
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
            *cors_headers(self.scope),
        ]
        await self.send_response(200, body, headers=headers)


class Health(AsyncHttpConsumer):
    async def handle(self, body):
        await self.send_response(
            200, b"OK", headers=[(b"content-type", b"text/plain"), (b"access-control-allow-origin", b"*")]
        )
