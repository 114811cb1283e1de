"""Direct messages on the real streaming server: a worker turns a message
into events, uvicorn sends them to a Mastodon app's `direct` stream and to
the pages' socket and long polling."""

import json
import time

import pytest
import requests
from websockets.sync.client import connect

from accounts import services as account_services
from messaging import crypto
from messaging import services as messaging

from .test_streaming import DEADLINE, next_event, open_socket, wait_until_subscribed

pytestmark = pytest.mark.integration


@pytest.fixture
def streaming(celery_worker_factory, site_factory, settings):
    key = crypto.generate_master_key("it1")
    settings.MESSAGING_MASTER_KEYS = [key]
    celery_worker_factory(MESSAGING_MASTER_KEYS=key)
    return site_factory(asgi=True, MESSAGING_MASTER_KEYS=key)


@pytest.fixture
def pair(ann, bob):
    account_services.follow(ann, bob)
    account_services.follow(bob, ann)
    return messaging.start_conversation(ann, [bob])


def test_an_app_gets_the_conversation_on_the_direct_stream(streaming, pair, ann, bob, token_for):
    with open_socket(streaming, token_for(bob, "read"), "stream=direct") as socket:
        wait_until_subscribed(socket)
        started = time.monotonic()
        message = messaging.send_message(ann, pair.pk, "hello over the wire")
        frame = next_event(socket)
        assert time.monotonic() - started < DEADLINE
    assert frame["stream"] == ["direct"]
    assert frame["event"] == "conversation"
    conversation = json.loads(frame["payload"])
    assert conversation["id"] == str(pair.pk)
    assert conversation["unread"] is True
    assert conversation["last_status"]["id"] == str(message.pk)
    assert conversation["last_status"]["content"] == "<p>hello over the wire</p>"


def test_the_pages_socket_and_long_polling_get_ids_only(streaming, pair, ann, bob, client):
    client.force_login(bob)
    headers = {"Origin": "http://127.0.0.1:8000", "Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    start = requests.get(f"{streaming.url}/stream/poll", headers=headers, timeout=10).json()
    with connect(
        f"{streaming.ws_url}/stream/socket?stream=user", additional_headers=headers, open_timeout=5
    ) as s:
        wait_until_subscribed(s)
        message = messaging.send_message(ann, pair.pk, "for the page")
        frame = next_event(s, skip=("notification",))
    assert frame["event"] == "direct.message"
    assert json.loads(frame["payload"]) == {
        "conversation_id": str(pair.pk),
        "id": str(message.pk),
        "sender_id": str(ann.pk),
    }
    body = requests.get(
        f"{streaming.url}/stream/poll?since={start['cursor']}&wait=5", headers=headers, timeout=10
    ).json()
    assert "direct.message" in [event["event"] for event in body["events"]]
    assert "for the page" not in json.dumps([e for e in body["events"] if e["event"] != "conversation"])


def test_a_blocked_participant_hears_nothing(streaming, ann, bob, carol, token_for):
    account_services.follow(carol, ann)
    group = messaging.start_conversation(ann, [bob, carol])
    account_services.block(carol, bob)
    with open_socket(streaming, token_for(carol, "read"), "stream=direct") as socket:
        wait_until_subscribed(socket)
        messaging.send_message(bob, group.pk, "carol won't see this")
        messaging.send_message(ann, group.pk, "from ann")
        frame = next_event(socket)
    # Carol's first event is Ann's message: Bob's never came.
    assert frame["event"] == "conversation"
    assert json.loads(frame["payload"])["last_status"]["content"] == "<p>from ann</p>"
