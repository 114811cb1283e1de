"""The streaming server for real: uvicorn, a Celery worker and Redis, with
a WebSocket client (the `websockets` library), Server-Sent Events and long
polling over HTTP. Actions go through the services, as a request would;
their events travel worker -> Redis -> uvicorn -> client."""

import base64
import contextlib
import json
import os
import socket
import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from oauth2_provider.models import AccessToken
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from accounts import services as account_services
from notifications import streams
from notifications.streams import Event
from tweets import services as tweet_services

pytestmark = pytest.mark.integration

DEADLINE = 1.0  # seconds from the action to the event on the client


@pytest.fixture
def streaming(celery_worker_factory, site_factory):
    celery_worker_factory()
    return site_factory(asgi=True)


def next_event(socket, *, timeout=5.0, skip=()):
    """The next frame of the socket, skipping events named in `skip`."""
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(socket.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        if frame.get("event") not in skip:
            return frame


def open_socket(streaming, token, query="stream=user"):
    return connect(f"{streaming.ws_url}/api/v1/streaming?{query}&access_token={token}", open_timeout=5)


def wait_until_subscribed(socket):
    """The server handles a socket's messages in order: once it has answered
    a bad one, the subscriptions sent before are live. (A stream named in
    the URL is live when the connection opens.) Events before the answer
    are dropped: they come from what the test did before."""
    socket.send("{}")
    while "error" not in (frame := json.loads(socket.recv(timeout=5))):
        assert "event" in frame
    assert "Unknown message type" in frame["error"]


def test_websocket_delivers_a_like_notification_and_a_followed_authors_tweet(
    streaming, ann, bob, carol, token_for, post
):
    account_services.follow(bob, carol)
    tweet = post(bob, "like this")
    with open_socket(streaming, token_for(bob, "read")) as socket:
        wait_until_subscribed(socket)

        started = time.monotonic()
        tweet_services.like(ann, tweet)
        frame = next_event(socket, skip=("update",))  # bob's own tweet may come first
        assert time.monotonic() - started < DEADLINE
        assert frame["stream"] == ["user"]
        assert frame["event"] == "notification"
        notification = json.loads(frame["payload"])
        assert notification["type"] == "favourite"
        assert notification["account"]["username"] == "ann"
        assert notification["status"]["id"] == str(tweet.pk)

        started = time.monotonic()
        news = post(carol, "news from carol")
        frame = next_event(socket, skip=("notification",))
        assert time.monotonic() - started < DEADLINE
        assert frame["event"] == "update"
        assert json.loads(frame["payload"])["id"] == str(news.pk)


def test_server_sent_events_deliver_the_same(streaming, ann, bob, token_for, post):
    tweet = post(bob, "like this")
    token = token_for(bob, "read:notifications")
    with requests.get(
        f"{streaming.url}/api/v1/streaming/user/notification",
        headers={"Authorization": f"Bearer {token}"},
        stream=True,
        timeout=10,
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        lines = response.iter_lines(decode_unicode=True)
        assert next(lines) == ":)"
        started = time.monotonic()
        tweet_services.like(ann, tweet)
        event = {}
        for line in lines:
            if not line:
                if "data" in event:
                    break
                continue
            field, _, value = line.partition(": ")
            event[field] = value
        assert time.monotonic() - started < DEADLINE
    assert event["event"] == "notification"
    assert event["id"]
    assert json.loads(event["data"])["type"] == "favourite"


def test_long_polling_delivers_the_same(streaming, ann, bob, token_for, post):
    tweet = post(bob, "like this")
    headers = {"Authorization": f"Bearer {token_for(bob, 'read')}"}
    start = requests.get(f"{streaming.url}/stream/poll", headers=headers, timeout=10).json()
    assert start["events"] == []
    started = time.monotonic()
    tweet_services.like(ann, tweet)
    cursor, events = start["cursor"], []
    while not any(e["event"] == "notification" for e in events):  # bob's own tweet may come first
        body = requests.get(f"{streaming.url}/stream/poll?since={cursor}", headers=headers, timeout=40).json()
        events, cursor = body["events"], body["cursor"]
    assert time.monotonic() - started < DEADLINE
    [event] = [e for e in events if e["event"] == "notification"]
    assert event["stream"] == ["user"]
    assert json.loads(event["payload"])["type"] == "favourite"
    assert cursor == events[-1]["id"]


def test_a_socket_without_a_valid_token_is_refused(streaming, bob, token_for):
    with pytest.raises(InvalidStatus) as missing:
        connect(f"{streaming.ws_url}/api/v1/streaming?stream=user", open_timeout=5)
    assert missing.value.response.status_code == 401
    assert json.loads(missing.value.response.body)["error"] == "Missing access token"
    with pytest.raises(InvalidStatus) as wrong:
        connect(f"{streaming.ws_url}/api/v1/streaming?access_token=nope", open_timeout=5)
    assert wrong.value.response.status_code == 401
    sse = requests.get(f"{streaming.url}/api/v1/streaming/user", timeout=5)
    assert sse.status_code == 401
    assert sse.json() == {"error": "Missing access token"}
    assert requests.get(f"{streaming.url}/stream/poll", timeout=5).status_code == 401
    expired = token_for(bob, "read")
    AccessToken.objects.filter(token=expired).update(expires=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvalidStatus) as late:
        connect(f"{streaming.ws_url}/api/v1/streaming?access_token={expired}", open_timeout=5)
    assert json.loads(late.value.response.body)["error"] == "The access token expired"
    no_read = token_for(bob, "write")
    with pytest.raises(InvalidStatus) as scopes:
        connect(f"{streaming.ws_url}/api/v1/streaming?access_token={no_read}", open_timeout=5)
    assert scopes.value.response.status_code == 401


def test_bad_requests_over_http_get_a_clear_error(streaming, bob, token_for):
    headers = {"Authorization": f"Bearer {token_for(bob, 'read')}"}
    for path, status, error in [
        ("/api/v1/streaming/nonsense", 404, "Unknown stream type"),
        ("/api/v1/streaming/hashtag", 400, "No tag for stream provided"),
        ("/api/v1/streaming/tweet?id=1", 400, "Unknown stream type"),  # the pages' own
        ("/stream/poll?since=yesterday", 400, "since must be an event id"),
        ("/stream/poll?since=0-0&wait=forever", 400, "wait must be a number of seconds from 0 to 30"),
        ("/stream/poll?stream=public", 400, "Long polling serves user, user:notification and direct"),
    ]:
        answer = requests.get(f"{streaming.url}{path}", headers=headers, timeout=5)
        assert (answer.status_code, answer.json()) == (status, {"error": error}), path
    quick = requests.get(f"{streaming.url}/stream/poll?since=0-0&wait=0", headers=headers, timeout=5)
    assert quick.json() == {"events": [], "cursor": "0-0"}


def test_bad_messages_get_an_error_and_the_socket_lives_on(streaming, ann, bob, token_for, post):
    with open_socket(streaming, token_for(bob, "read"), query="") as socket:
        socket.send("not json")
        assert next_event(socket)["error"] == "Could not parse the message as JSON"
        socket.send(json.dumps({"type": "subscribe", "stream": "nonsense"}))
        assert next_event(socket) == {"error": "Unknown stream type", "status": 400}
        socket.send(json.dumps({"type": "subscribe", "stream": "hashtag"}))
        assert next_event(socket)["error"] == "No tag for stream provided"
        socket.send(json.dumps(["subscribe"]))
        assert "Unknown message type" in next_event(socket)["error"]
        socket.send(json.dumps({"type": "subscribe", "stream": "public", "pad": "x" * 5000}))
        assert next_event(socket) == {"error": "Message too large", "status": 413}
        # Still subscribed and served after all that:
        socket.send(json.dumps({"type": "subscribe", "stream": "user:notification"}))
        wait_until_subscribed(socket)
        tweet_services.like(ann, post(bob, "still here"))
        frame = next_event(socket)
        assert frame["stream"] == ["user:notification"]
        assert frame["event"] == "notification"


def test_a_frame_larger_than_the_server_takes_closes_the_socket(streaming, bob, token_for):
    with open_socket(streaming, token_for(bob, "read"), query="") as socket:
        socket.send("x" * 100_000)
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
    assert closed.value.rcvd.code == 1009  # message too big


def test_public_and_hashtag_streams_skip_blocked_and_muted_authors(
    streaming, ann, bob, carol, token_for, post
):
    account_services.block(bob, carol)
    with open_socket(streaming, token_for(bob, "read"), query="stream=public") as socket:
        socket.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "News"}))
        wait_until_subscribed(socket)
        post(carol, "blocked #news")
        shown = post(ann, "open #news")
        first, second = next_event(socket), next_event(socket)
        assert {tuple(first["stream"]), tuple(second["stream"])} == {("public",), ("hashtag", "news")}
        assert json.loads(first["payload"])["id"] == json.loads(second["payload"])["id"] == str(shown.pk)
        with pytest.raises(TimeoutError):
            next_event(socket, timeout=0.5)


def test_a_protected_accounts_tweet_reaches_followers_only(streaming, ann, bob, make_user, token_for, post):
    pat = make_user("pat", is_protected=True)
    account_services.follow(ann, pat)
    account_services.approve_follow_request(pat, ann)
    with (
        open_socket(streaming, token_for(ann, "read"), query="stream=user") as follower,
        open_socket(streaming, token_for(bob, "read"), query="stream=public") as stranger,
    ):
        wait_until_subscribed(follower)
        wait_until_subscribed(stranger)
        secret = post(pat, "for followers")
        frame = next_event(follower, skip=("notification",))
        assert json.loads(frame["payload"])["id"] == str(secret.pk)
        with pytest.raises(TimeoutError):
            next_event(stranger, timeout=0.5)


def test_a_deleted_tweet_is_deleted_on_the_stream(streaming, ann, bob, token_for, post):
    account_services.follow(bob, ann)
    with open_socket(streaming, token_for(bob, "read")) as socket:
        wait_until_subscribed(socket)
        tweet = post(ann, "oops")
        assert next_event(socket, skip=("notification",))["event"] == "update"
        tweet_services.delete_tweet(ann, tweet)
        frame = next_event(socket, skip=("notification",))
    assert frame == {"stream": ["user"], "event": "delete", "payload": str(tweet.pk)}


def test_the_pages_socket_resumes_from_the_last_event_id(streaming, ann, bob, client, post):
    client.force_login(bob)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    origin = {"Origin": "http://127.0.0.1:8000", "Cookie": cookie}
    url = f"{streaming.ws_url}/stream/socket?stream=user"
    first, second = post(bob, "one"), post(bob, "two")
    with connect(url, additional_headers=origin, open_timeout=5) as socket:
        wait_until_subscribed(socket)
        tweet_services.like(ann, first)
        frame = next_event(socket, skip=("update",))
        assert frame["event"] == "notification"
    seen = frame["id"]
    # Disconnected: this one happens while nobody listens.
    tweet_services.like(ann, second)
    time.sleep(DEADLINE)
    with connect(f"{url}&last_event_id={seen}", additional_headers=origin, open_timeout=5) as socket:
        frame = next_event(socket, skip=("update",))
    assert frame["event"] == "notification"
    assert json.loads(frame["payload"])["status"]["id"] == str(second.pk)
    assert frame["id"] > seen


def test_a_cookie_socket_from_another_site_is_refused(streaming, bob, client):
    client.force_login(bob)
    headers = {"Origin": "https://evil.example", "Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{streaming.ws_url}/stream/socket?stream=user", additional_headers=headers, open_timeout=5)
    assert refused.value.response.status_code == 401


def test_health(streaming):
    answer = requests.get(f"{streaming.url}/api/v1/streaming/health", timeout=5)
    assert (answer.status_code, answer.text) == (200, "OK")


def test_a_client_that_does_not_read_is_disconnected(celery_worker_factory, site_factory, bob, token_for):
    """The server keeps a few events for a slow client, then lets it go
    (close code 4008) instead of buffering without bound. The client here
    opens a socket by hand and reads nothing until the events, published
    straight to the bus and big enough to fill the TCP buffers quickly,
    are all sent."""
    streaming = site_factory(asgi=True, STREAMING_QUEUE_SIZE=5)
    token = token_for(bob, "read")
    client = socket.socket()
    # A small window: the kernel holds little for this client (set before
    # connecting, so the window scale stays small too).
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.settimeout(10)
    client.connect(("127.0.0.1", streaming.port))
    key = base64.b64encode(os.urandom(16)).decode()
    client.sendall(
        (
            f"GET /api/v1/streaming?stream=user&access_token={token} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{streaming.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    handshake = b""
    while b"\r\n\r\n" not in handshake:
        handshake += client.recv(1)
    assert handshake.startswith(b"HTTP/1.1 101")

    big = "x" * 50_000
    for _ in range(20):
        streams.publish([Event(streams.user_group(bob.pk), "update", big, [["user"]]) for _ in range(20)])
    # Now read what was buffered, up to the server's close frame: 0x88, a
    # length, then the code.
    # Give the server the time to try to send it all (it takes well under
    # a second), then read quickly.
    time.sleep(2)
    received = bytearray()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    code = (4008).to_bytes(2, "big")
    while (close := received.rfind(b"\x88")) == -1 or len(received) < close + 4:
        chunk = client.recv(1 << 20)
        assert chunk, "closed without a close frame"
        received += chunk
    assert received[close + 2 : close + 4] == code
    assert len(received) < 20 * 20 * 50_000  # the rest was never queued
    assert len(received) < 20 * 20 * 50_000  # far from all of it was queued


def test_a_socket_closes_when_its_token_expires(celery_worker_factory, site_factory, bob, token_for):
    streaming = site_factory(asgi=True, STREAMING_HEARTBEAT_SECONDS=1)
    token = token_for(bob, "read")
    AccessToken.objects.filter(token=token).update(expires=timezone.now() + timedelta(seconds=2))
    with open_socket(streaming, token) as socket:
        assert closed_with(socket)[0] == 4001
    assert socket.close_reason == "The access token expired"


def test_revoking_a_token_or_suspending_the_account_closes_its_sockets(streaming, bob, moderator, token_for):
    revoked, other = token_for(bob, "read"), token_for(bob, "read")
    with open_socket(streaming, revoked) as first, open_socket(streaming, other) as second:
        AccessToken.objects.get(token=revoked).delete()
        assert closed_with(first) == (4001, "Logged out")
        wait_until_subscribed(second)  # the other token's socket lives on
        account_services.suspend(moderator, bob)
        assert closed_with(second) == (4001, "Logged out")


def test_logging_out_closes_that_sessions_socket(streaming, bob, client):
    client.force_login(bob)
    cookie = {"Origin": "http://127.0.0.1:8000", "Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    with connect(
        f"{streaming.ws_url}/stream/socket?stream=user", additional_headers=cookie, open_timeout=5
    ) as socket:
        client.logout()
        assert closed_with(socket) == (4001, "Logged out")


def test_a_block_takes_effect_on_open_sockets_at_once(streaming, ann, bob, token_for, post):
    with open_socket(streaming, token_for(bob, "read"), query="stream=public") as socket:
        post(ann, "before")
        assert next_event(socket)["event"] == "update"
        account_services.block(bob, ann)
        time.sleep(DEADLINE)  # the block's event reaches the socket
        post(ann, "after the block")
        with pytest.raises(TimeoutError):
            next_event(socket, timeout=1)


def closed_with(socket) -> tuple[int | None, str | None]:
    deadline = time.monotonic() + 10
    while socket.close_code is None and time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError, ConnectionClosed):
            socket.recv(timeout=1)
    return socket.close_code, socket.close_reason
