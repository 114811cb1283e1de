"""Mastodon.py's streaming against ours: it finds the streaming server
through the instance (`urls.streaming_api`), opens /api/v1/streaming/user
(Server-Sent Events) there, and hears a followed account's new status and
a notification."""

import time

import pytest
from mastodon import StreamListener

from .test_mastodon_py import client_for

pytestmark = pytest.mark.integration


class Recorder(StreamListener):
    def __init__(self):
        self.updates, self.notifications = [], []

    def on_update(self, status):
        self.updates.append(status)

    def on_notification(self, notification):
        self.notifications.append(notification)


def until(found, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not found():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_stream_user_hears_an_update_and_a_notification(
    celery_worker_factory,
    site_factory,
    server_hashers,
    make_user,
):
    celery_worker_factory()
    streaming = site_factory(asgi=True)
    site = site_factory(STREAMING_URL=streaming.ws_url)
    make_user("ann", display_name="Ann")
    make_user("bob", display_name="Bob")
    ann = client_for(site, "ann", "pw-ann-123")
    bob = client_for(site, "bob", "pw-bob-123")
    bob.account_follow(ann.account_verify_credentials().id)
    mine = bob.status_post("Bob's own")

    assert bob.stream_healthy()
    recorder = Recorder()
    handle = bob.stream_user(recorder, run_async=True, timeout=30)
    try:
        assert handle.is_alive()
        # The handle returns before the server has joined the stream's group:
        # post until one is heard.
        for attempt in range(5):
            posted = ann.status_post(f"Ann, live ({attempt})")
            if until(lambda: any(s.id == posted.id for s in recorder.updates), 3):  # noqa: B023
                break
        assert any(s.id == posted.id for s in recorder.updates)
        ann.status_favourite(mine.id)
        assert until(lambda: recorder.notifications, 10)
    finally:
        handle.close()
    [notification] = recorder.notifications
    assert notification.type == "favourite"
    assert notification.account.username == "ann"
    assert notification.status.id == mine.id
