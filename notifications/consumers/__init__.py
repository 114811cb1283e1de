"""The streaming server: Mastodon's streaming API and the pages' live updates
(`base`: what every transport shares; `auth`; `websocket`; `http`: SSE, long
polling, health).

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
