"""One WebSocket, any number of streams: Mastodon's `/api/v1/streaming`
for apps, `/stream/socket` for the pages."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from .. import streams
from .auth import authenticate, query_of
from .base import CLOSE_TOO_SLOW, CLOSE_UNAUTHORIZED, Stream, StreamError


class StreamingSocket(Stream, AsyncWebsocketConsumer):
    """One WebSocket, any number of streams: {"type": "subscribe", "stream": "user"}."""

    async def connect(self):
        self.pages = self.scope["path"].startswith("/stream/")
        query = query_of(self.scope)
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
