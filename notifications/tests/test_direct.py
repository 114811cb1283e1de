"""Direct messages on the real-time layer: the events' shapes and audience,
the notification and its push. Events are read from the real channel
layer's Redis pub/sub channels and the users' resume logs."""

import json

import pytest
from channels.layers import get_channel_layer

from accounts.services import block, follow, mute
from messaging import crypto
from messaging import services as messaging
from notifications import push, streams
from notifications.models import Kind, Notification, PushSubscription


@pytest.fixture(autouse=True)
def _master_key(settings):
    settings.MESSAGING_MASTER_KEYS = [crypto.generate_master_key("test1")]


@pytest.fixture
def listen():
    """listen(*users) -> a function returning the events published to their
    groups so far: [(user id, event, payload)]."""
    pubsub = streams.client().pubsub()
    channels = {}

    def start(*users):
        for user in users:
            channel = streams._group_channel(streams.user_group(user.pk))
            channels[channel.encode()] = user.pk
            pubsub.subscribe(channel)
            pubsub.get_message(timeout=1)  # the subscribe confirmation

        def heard():
            layer = get_channel_layer()
            found = []
            while (item := pubsub.get_message(timeout=0.2)) is not None:
                message = layer.deserialize(item["data"])
                payload = message["payload"]
                found.append((channels[item["channel"]], message["event"], payload, message))
            return found

        return heard

    yield start
    pubsub.close()


@pytest.fixture
def pair(ann, bob):
    follow(ann, bob)
    follow(bob, ann)
    return messaging.start_conversation(ann, [bob])


def test_a_message_reaches_both_pages_and_apps(pair, ann, bob, listen, events):
    heard = listen(ann, bob)
    with events():
        message = messaging.send_message(ann, pair.pk, "hello bob")
    by_event = {}
    for user_id, event, payload, raw in heard():
        by_event.setdefault(event, {})[user_id] = (payload, raw)
    page = {"conversation_id": str(pair.pk), "id": str(message.pk), "sender_id": str(ann.pk)}
    for user in (ann, bob):
        payload, raw = by_event["direct.message"][user.pk]
        assert json.loads(payload) == page
        assert raw["pages_only"] is True
        assert raw["streams"] == [["user"]]
        assert "hello" not in payload  # the pages fetch the text from their views
    payload, raw = by_event["conversation"][bob.pk]
    assert raw["streams"] == [["direct"]]
    assert raw["pages_only"] is False
    conversation = json.loads(payload)
    assert conversation["id"] == str(pair.pk)
    assert conversation["unread"] is True
    assert [a["id"] for a in conversation["accounts"]] == [str(ann.pk)]
    status = conversation["last_status"]
    assert status["id"] == str(message.pk)
    assert status["visibility"] == "direct"
    assert status["content"] == "<p>hello bob</p>"
    assert status["account"]["id"] == str(ann.pk)
    assert [m["id"] for m in status["mentions"]] == [str(bob.pk)]
    assert json.loads(by_event["conversation"][ann.pk][0])["unread"] is False
    assert by_event["notification"][bob.pk]
    assert ann.pk not in by_event.get("notification", {})


def test_events_are_logged_for_resuming(pair, ann, bob, events):
    streams.mark_present(bob.pk)
    with events():
        messaging.send_message(ann, pair.pk, "hi")
        messaging.typing(ann, pair.pk)
    logged = [fields[b"event"].decode() for _id, fields in streams.client().xrange(streams.log_key(bob.pk))]
    assert "direct.message" in logged
    assert "conversation" in logged
    assert "direct.typing" not in logged  # stale after a reconnect


def test_one_notification_per_sender_and_a_push_without_the_text(pair, ann, bob, events, vapid):
    PushSubscription.objects.create(
        user=bob, endpoint="https://push.example/1", key_p256dh="k", key_auth="a", standard=True
    )
    with events():
        messaging.send_message(ann, pair.pk, "one")
    with events():
        messaging.send_message(ann, pair.pk, "two secret")
    notification = Notification.objects.get(recipient=bob)
    assert notification.kind == Kind.MESSAGE
    assert notification.actor == ann
    subscription = PushSubscription.objects.get(user=bob)
    data = push.payload(subscription, notification)
    assert data["title"] == "Ann sent you a message"
    assert "secret" not in json.dumps(data)
    assert data["url"].endswith("/messages/")


def test_a_muted_sender_still_messages_without_a_notification(pair, ann, bob, events, listen):
    mute(bob, ann)
    heard = listen(bob)
    with events():
        messaging.send_message(ann, pair.pk, "hi")
    assert "direct.message" in [event for _u, event, _p, _r in heard()]
    assert not Notification.objects.filter(recipient=bob).exists()


def test_read_receipts_and_typing(pair, ann, bob, listen, events):
    with events():
        message = messaging.send_message(ann, pair.pk, "hi")
    heard = listen(ann, bob)
    with events():
        messaging.mark_read(bob, pair.pk)
        messaging.typing(bob, pair.pk)
    found = [(user_id, event, json.loads(payload)) for user_id, event, payload, _ in heard()]
    read = {"conversation_id": str(pair.pk), "user_id": str(bob.pk), "id": str(message.pk)}
    assert (ann.pk, "direct.read", read) in found
    assert (bob.pk, "direct.read", read) in found
    typing = {"conversation_id": str(pair.pk), "user_id": str(bob.pk), "username": "bob"}
    assert (ann.pk, "direct.typing", typing) in found
    assert not [f for f in found if f[1] == "direct.typing" and f[0] == bob.pk]


def test_a_request_is_read_unseen(ann, bob, listen, events):
    conversation = messaging.start_conversation(ann, [bob])
    with events():
        messaging.send_message(ann, conversation.pk, "hi")
    heard = listen(ann, bob)
    with events():
        messaging.mark_read(bob, conversation.pk)
    assert [(user_id, event) for user_id, event, _p, _r in heard()] == [(bob.pk, "direct.read")]


def test_requests_are_not_in_apps_lists(ann, bob, listen, events):
    conversation = messaging.start_conversation(ann, [bob])
    heard = listen(bob)
    with events():
        messaging.send_message(ann, conversation.pk, "hi")
    assert "conversation" not in [event for _u, event, _p, _r in heard()]


def test_blocked_group_members_hear_nothing_of_each_other(ann, bob, carol, listen, events):
    group = messaging.start_conversation(ann, [bob, carol])
    block(carol, bob)
    heard = listen(ann, carol)
    with events():
        messaging.send_message(bob, group.pk, "hi")
        messaging.typing(bob, group.pk)
    assert {user_id for user_id, *_ in heard()} == {ann.pk}


def test_the_conversation_event_carries_a_messages_media(pair, ann, bob, listen, events, settings, tmp_path):
    """Mastodon's `conversation` event shows a message's media as the API
    does (messaging.api.serializers); the pages' event stays ids only."""
    from media import services as media_services
    from media.tests.conftest import image_bytes, upload_file

    settings.MEDIA_ROOT = tmp_path / "media"
    item = media_services.upload(ann, upload_file(image_bytes()), description="A cat")
    heard = listen(bob)
    with events():
        message = messaging.send_message(ann, pair.pk, "", media=[str(item.pk)])
    by_event = {event: payload for _user, event, payload, _raw in heard()}
    status = json.loads(by_event["conversation"])["last_status"]
    assert status["id"] == str(message.pk)
    assert [(m["id"], m["type"], m["description"]) for m in status["media_attachments"]] == [
        (str(item.pk), "image", "A cat")
    ]
    assert json.loads(by_event["direct.message"]) == {
        "conversation_id": str(pair.pk),
        "id": str(message.pk),
        "sender_id": str(ann.pk),
    }
