"""Mastodon 4.3's notification requests, which here are message requests:
conversations started by someone the reader does not follow.

Every response is checked against Mastodon's OpenAPI description by the
`api` client.
"""

import pytest

from accounts.models import Block
from accounts.services import follow
from accounts.tests.conftest import error_of, link
from messaging import crypto, services
from messaging.models import Participant

BASE = "/api/v1/notifications/requests"


@pytest.fixture(autouse=True)
def _master_key(settings):
    settings.MESSAGING_MASTER_KEYS = [crypto.generate_master_key("test1")]


@pytest.fixture
def request_from_bob(ann, bob):
    """Bob, whom Ann does not follow, writes to her: a message request."""
    conversation = services.start_conversation(bob, [ann])
    services.send_message(bob, conversation.pk, "hello ann")
    services.send_message(bob, conversation.pk, "are you there?")
    return conversation


def state_of(user, conversation) -> str:
    return Participant.objects.get(user=user, conversation=conversation).state


def test_a_message_request_is_a_notification_request(as_, ann, bob, request_from_bob):
    response = as_(ann).get(BASE)
    assert response.status_code == 200
    [entity] = response.json()
    assert entity["id"] == str(request_from_bob.pk)
    assert entity["account"]["username"] == "bob"
    assert entity["notifications_count"] == "2"
    assert entity["last_status"]["content"] == "<p>are you there?</p>"
    assert entity["last_status"]["visibility"] == "direct"
    assert entity["updated_at"] >= entity["created_at"]
    assert as_(ann).get(f"{BASE}/{request_from_bob.pk}").json() == entity
    assert as_(ann).get(f"{BASE}/merged").json() == {"merged": True}
    # Accepted conversations are not requests.
    assert as_(bob).get(BASE).json() == []


def test_a_group_request_is_from_whoever_wrote_last(as_, ann, bob, carol):
    group = services.start_conversation(bob, [ann, carol])
    [entity] = as_(ann).get(BASE).json()
    assert entity["account"]["username"] == "bob"  # nothing written yet: who is first in it
    assert entity["last_status"] is None
    assert entity["notifications_count"] == "0"
    services.send_message(carol, group.pk, "hi all")
    [entity] = as_(ann).get(BASE).json()
    assert entity["account"]["username"] == "carol"


def test_requests_page_with_link_headers(as_, ann, make_user):
    for _ in range(3):
        stranger = make_user()
        services.send_message(stranger, services.start_conversation(stranger, [ann]).pk, "hi")
    client = as_(ann)
    first = client.get(BASE, {"limit": 2})
    assert len(first.json()) == 2
    path, query = link(first, "next")
    second = client.get(path, query).json()
    assert len(second) == 1
    ids = [entity["id"] for entity in first.json() + second]
    assert ids == sorted(ids, reverse=True)  # most recently active first
    assert link(client.get(path, query), "next") is None


def test_accept_one(as_, ann, bob, request_from_bob):
    response = as_(ann).post(f"{BASE}/{request_from_bob.pk}/accept")
    assert response.status_code == 200
    assert response.json() == {}
    assert state_of(ann, request_from_bob) == Participant.State.ACCEPTED
    assert as_(ann).get(BASE).json() == []
    [conversation] = as_(ann).get("/api/v1/conversations").json()
    assert conversation["id"] == str(request_from_bob.pk)
    # Not a request any more.
    assert error_of(as_(ann).post(f"{BASE}/{request_from_bob.pk}/accept"), 404)


def test_dismiss_one_deletes_it_and_blocks_nobody(as_, ann, bob, request_from_bob):
    response = as_(ann).post(f"{BASE}/{request_from_bob.pk}/dismiss")
    assert response.status_code == 200
    assert as_(ann).get(BASE).json() == []
    assert as_(ann).get("/api/v1/conversations").json() == []
    assert not Block.objects.exists()
    assert error_of(as_(ann).get(f"{BASE}/{request_from_bob.pk}"), 404)
    # Bob writes again: the request is back, with only the new message.
    services.send_message(bob, request_from_bob.pk, "one more try")
    [entity] = as_(ann).get(BASE).json()
    assert entity["notifications_count"] == "1"


def test_dismissing_a_group_request_leaves_the_group(as_, ann, bob, carol):
    group = services.start_conversation(bob, [ann, carol])
    assert as_(ann).post(f"{BASE}/{group.pk}/dismiss").status_code == 200
    assert Participant.objects.get(user=ann, conversation=group).left_at is not None


def test_bulk_accept_and_dismiss_skip_what_is_not_the_readers(as_, ann, bob, carol, make_user):
    requests = []
    for _ in range(4):
        stranger = make_user()
        conversation = services.start_conversation(stranger, [ann])
        services.send_message(stranger, conversation.pk, "hi")
        requests.append(conversation)
    follow(bob, carol)
    others = services.start_conversation(carol, [bob])  # Bob's, not Ann's
    client = as_(ann)
    ids = [str(requests[0].pk), str(requests[1].pk), str(others.pk), "999", "nope"]
    assert client.post(f"{BASE}/accept", {"id[]": ids}).status_code == 200
    assert [state_of(ann, c) for c in requests[:2]] == [Participant.State.ACCEPTED] * 2
    assert client.post(f"{BASE}/dismiss", {"id[]": [str(requests[2].pk), str(others.pk)]}).status_code == 200
    assert [entity["id"] for entity in client.get(BASE).json()] == [str(requests[3].pk)]
    assert state_of(bob, others) == Participant.State.ACCEPTED
    assert Participant.objects.get(user=bob, conversation=others).cleared_id == 0


@pytest.mark.parametrize("who", ["sender", "stranger", "staff"])
def test_only_the_recipient_sees_and_answers_a_request(
    as_, ann, bob, carol, moderator, request_from_bob, who
):
    user = {"sender": bob, "stranger": carol, "staff": moderator}[who]
    client = as_(user)
    pk = request_from_bob.pk
    assert error_of(client.get(f"{BASE}/{pk}"), 404)
    assert error_of(client.post(f"{BASE}/{pk}/accept"), 404)
    assert error_of(client.post(f"{BASE}/{pk}/dismiss"), 404)
    assert client.post(f"{BASE}/accept", {"id[]": [str(pk)]}).status_code == 200
    assert client.post(f"{BASE}/dismiss", {"id[]": [str(pk)]}).status_code == 200
    assert client.get(BASE).json() == []
    assert state_of(ann, request_from_bob) == Participant.State.PENDING
    assert Participant.objects.get(user=ann, conversation=request_from_bob).cleared_id == 0


def test_anonymous_and_scopes(api, as_, ann, request_from_bob):
    pk = request_from_bob.pk
    for method, path in [
        ("get", BASE),
        ("get", f"{BASE}/{pk}"),
        ("get", f"{BASE}/merged"),
        ("post", f"{BASE}/{pk}/accept"),
        ("post", f"{BASE}/{pk}/dismiss"),
        ("post", f"{BASE}/accept"),
        ("post", f"{BASE}/dismiss"),
    ]:
        assert getattr(api, method)(path).status_code == 401, path
    assert as_(ann, "read").post(f"{BASE}/{pk}/accept", validate=False).status_code == 403
    assert as_(ann, "write").get(BASE, validate=False).status_code == 403
    assert state_of(ann, request_from_bob) == Participant.State.PENDING


def test_a_request_from_someone_since_suspended_is_gone(as_, ann, bob, request_from_bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert as_(ann).get(BASE).json() == []
    assert error_of(as_(ann).get(f"{BASE}/{request_from_bob.pk}"), 404)
