"""Direct messages in Mastodon's API: conversations, direct statuses, and
that a message never leaks through another path (timelines, search,
statuses of someone else)."""

import pytest

from accounts.services import block
from messaging import services
from messaging.models import Conversation, Message
from tweets.models import Tweet


@pytest.fixture
def as_(api, token_for):
    def make(user, scopes="read write follow"):
        return api.as_(token_for(user, scopes))

    return make


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_anonymous_and_wrong_scopes(api, as_, pair, ann):
    assert api.get("/api/v1/conversations").status_code == 401
    assert api.post(f"/api/v1/conversations/{pair.pk}/read").status_code == 401
    assert api.delete(f"/api/v1/conversations/{pair.pk}").status_code == 401
    write_only = as_(ann, "write")
    assert write_only.get("/api/v1/conversations", validate=False).status_code == 403
    read_only = as_(ann, "read")
    assert read_only.post(f"/api/v1/conversations/{pair.pk}/read", validate=False).status_code == 403


def test_list_conversations(as_, pair, ann, bob):
    message = services.send_message(ann, pair.pk, "hello *bob*")
    [conversation] = as_(bob).get("/api/v1/conversations").json()
    assert conversation["id"] == str(pair.pk)
    assert conversation["unread"] is True
    assert [a["username"] for a in conversation["accounts"]] == ["ann"]
    status = conversation["last_status"]
    assert status["id"] == str(message.pk)
    assert status["visibility"] == "direct"
    assert status["content"] == "<p>hello *bob*</p>"
    assert [m["username"] for m in status["mentions"]] == ["bob"]
    assert as_(ann).get("/api/v1/conversations").json()[0]["unread"] is False


def test_conversations_page_with_link_headers(as_, ann, make_user, follow):
    for _ in range(3):
        other = make_user()
        follow(other, ann)
        services.send_message(ann, services.start_conversation(ann, [other]).pk, "hi")
    client = as_(ann)
    first = client.get("/api/v1/conversations", {"limit": 2})
    assert len(first.json()) == 2
    assert 'rel="next"' in first["Link"]
    next_max = first["Link"].split("max_id=")[1].split(">")[0]
    second = client.get("/api/v1/conversations", {"limit": 2, "max_id": next_max}).json()
    assert len(second) == 1
    assert {c["id"] for c in first.json()}.isdisjoint({c["id"] for c in second})
    newer = client.get("/api/v1/conversations", {"min_id": next_max}).json()
    # Newer than the first page's last one: the first page's first one.
    assert [c["id"] for c in newer] == [first.json()[0]["id"]]


def test_read_and_delete(as_, pair, ann, bob):
    services.send_message(ann, pair.pk, "hi")
    client = as_(bob)
    read = client.post(f"/api/v1/conversations/{pair.pk}/read")
    assert read.status_code == 200
    assert read.json()["unread"] is False
    assert client.delete(f"/api/v1/conversations/{pair.pk}").json() == {}
    assert client.get("/api/v1/conversations").json() == []


@pytest.mark.parametrize("who", ["outsider", "left", "staff"])
def test_nobody_else_reaches_a_conversation(as_, ann, bob, carol, make_user, who):
    group = services.start_conversation(ann, [bob, carol])
    message = services.send_message(ann, group.pk, "group secret")
    reader = {
        "outsider": lambda: make_user("eve"),
        "left": lambda: (services.leave_group(carol, group.pk), carol)[1],
        "staff": lambda: make_user("boss", is_staff=True, is_superuser=True),
    }[who]()
    client = as_(reader)
    assert "group secret" not in client.get("/api/v1/conversations").content.decode()
    assert error_of(client.post(f"/api/v1/conversations/{group.pk}/read"), 404)
    assert error_of(client.delete(f"/api/v1/conversations/{group.pk}"), 404)
    assert error_of(client.get(f"/api/v1/statuses/{message.pk}"), 404)
    assert client.get("/api/v1/statuses", {"id[]": [message.pk]}).json() == []
    reply = client.post(
        "/api/v1/statuses",
        {"status": "@ann sneaking in", "visibility": "direct", "in_reply_to_id": message.pk},
    )
    # Not into their group: a new conversation with Ann (a request), if anything.
    if reply.status_code == 200:
        assert Message.objects.get(pk=reply.json()["id"]).conversation_id != group.pk


def test_a_participant_reads_a_message_as_a_status(api, as_, pair, ann, bob):
    message = services.send_message(ann, pair.pk, "hi")
    status = as_(bob).get(f"/api/v1/statuses/{message.pk}").json()
    assert status["id"] == str(message.pk)
    assert status["visibility"] == "direct"
    assert error_of(api.get(f"/api/v1/statuses/{message.pk}"), 404)


def test_a_direct_status_becomes_a_message(as_, ann, bob, follow):
    follow(bob, ann)
    response = as_(ann).post("/api/v1/statuses", {"status": "@bob lunch?", "visibility": "direct"})
    assert response.status_code == 200, response.content
    status = response.json()
    assert status["visibility"] == "direct"
    message = Message.objects.get(pk=status["id"])
    assert not Tweet.objects.exists()
    # Bob's app answers in the same conversation with in_reply_to_id.
    reply = as_(bob).post(
        "/api/v1/statuses", {"status": "@ann yes", "visibility": "direct", "in_reply_to_id": status["id"]}
    )
    assert Message.objects.get(pk=reply.json()["id"]).conversation_id == message.conversation_id
    assert Conversation.objects.count() == 1


def test_a_direct_status_to_several_is_a_group(as_, ann, bob, carol):
    response = as_(ann).post("/api/v1/statuses", {"status": "@bob @carol hi both", "visibility": "direct"})
    assert response.status_code == 200
    assert Conversation.objects.get().is_group
    assert {m["username"] for m in response.json()["mentions"]} == {"bob", "carol"}


def test_direct_messages_stay_out_of_timelines_and_search(as_, ann, bob, follow):
    follow(bob, ann)
    as_(ann).post("/api/v1/statuses", {"status": "@bob zanzibar plans", "visibility": "direct"})
    client = as_(bob)
    for path, query in [
        ("/api/v1/timelines/home", {}),
        ("/api/v1/timelines/public", {}),
        (f"/api/v1/accounts/{ann.pk}/statuses", {}),
        ("/api/v2/search", {"q": "zanzibar", "type": "statuses"}),
    ]:
        response = client.get(path, query)
        assert response.status_code == 200, path
        assert "zanzibar" not in response.content.decode(), path


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"status": "hello nobody", "visibility": "direct"}, 422, "@username"),
        ({"status": "@ghost hi", "visibility": "direct"}, 422, "No account @ghost"),
        ({"status": "@ann talking to myself", "visibility": "direct"}, 422, "@username"),
        ({"status": "@bob " + "x" * 10_001, "visibility": "direct"}, 422, "at most 10,000"),
        ({"status": "@bob look", "visibility": "direct", "media_ids[]": ["1"]}, 422, "Media 1 not found"),
    ],
)
def test_bad_direct_statuses(as_, ann, bob, data, status, error):
    response = as_(ann).post("/api/v1/statuses", data, validate=False)
    assert error in error_of(response, status)
    assert not Message.objects.exists()
    assert not Conversation.objects.exists()


def test_messaging_someone_who_blocked_you(as_, ann, bob):
    block(bob, ann)
    response = as_(ann).post(
        "/api/v1/statuses", {"status": "@bob hi", "visibility": "direct"}, validate=False
    )
    assert "can't message @bob" in error_of(response, 403)
    assert not Conversation.objects.exists()


def test_other_visibilities_still_post_tweets(as_, ann):
    response = as_(ann).post("/api/v1/statuses", {"status": "a public tweet"})
    assert response.status_code == 200
    assert Tweet.objects.get().text == "a public tweet"


def test_an_idempotency_key_sends_a_direct_status_once(as_, ann, bob, carol, follow):
    follow(bob, ann)
    client = as_(ann)
    data = {"status": "@bob once only", "visibility": "direct"}
    first = client.post("/api/v1/statuses", data, headers={"Idempotency-Key": "abc"})
    again = client.post("/api/v1/statuses", data, headers={"Idempotency-Key": "abc"})
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["content"] == first.json()["content"]
    assert Message.objects.count() == 1
    # Another key, another message; the key is the poster's own.
    client.post("/api/v1/statuses", data, headers={"Idempotency-Key": "other"})
    assert Message.objects.count() == 2
    follow(ann, carol)
    as_(carol).post(
        "/api/v1/statuses", {"status": "@ann hi", "visibility": "direct"}, headers={"Idempotency-Key": "abc"}
    )
    assert Message.objects.count() == 3


def test_a_refused_direct_status_frees_its_idempotency_key(as_, ann, bob, follow):
    follow(bob, ann)
    client = as_(ann)
    headers = {"Idempotency-Key": "retry-me"}
    refused = client.post(
        "/api/v1/statuses",
        {"status": "@bob " + "x" * 10_001, "visibility": "direct"},
        headers=headers,
        validate=False,
    )
    assert refused.status_code == 422
    sent = client.post(
        "/api/v1/statuses", {"status": "@bob shorter", "visibility": "direct"}, headers=headers
    )
    assert sent.status_code == 200
    assert Message.objects.count() == 1


def test_a_message_deleted_for_its_sender_frees_its_idempotency_key(as_, ann, bob, follow):
    follow(bob, ann)
    client = as_(ann)
    headers = {"Idempotency-Key": "k"}
    data = {"status": "@bob hi", "visibility": "direct"}
    first = client.post("/api/v1/statuses", data, headers=headers).json()
    message = Message.objects.get()
    services.delete_for_me(ann, message.conversation_id, message.pk)
    second = client.post("/api/v1/statuses", data, headers=headers).json()
    assert second["id"] != first["id"]
    assert Message.objects.count() == 2


def test_without_master_keys_the_api_answers_503(as_, api, pair, ann, bob, carol, settings):
    message = services.send_message(ann, pair.pk, "hello")
    settings.MESSAGING_MASTER_KEYS = []
    client = as_(bob)
    for method, path, data in [
        ("get", "/api/v1/conversations", None),
        ("post", f"/api/v1/conversations/{pair.pk}/read", None),
        ("delete", f"/api/v1/conversations/{pair.pk}", None),
        ("post", "/api/v1/statuses", {"status": "@ann hi", "visibility": "direct"}),
        ("get", f"/api/v1/statuses/{message.pk}", None),
        ("get", "/api/v1/notifications/requests/1", None),
    ]:
        send = getattr(client, method)
        response = send(path, data, validate=False) if data else send(path, validate=False)
        assert "administrator must set MESSAGING_MASTER_KEYS" in error_of(response, 503), path
    assert Message.objects.count() == 1
    # Apps poll the requests beside the notifications: there are none, not an error.
    assert client.get("/api/v1/notifications/requests").json() == []
    assert client.get("/api/v1/notifications/requests/merged").json() == {"merged": True}
    # Tweets go on; anonymous requests are still refused as such.
    assert client.post("/api/v1/statuses", {"status": "a tweet"}).status_code == 200
    assert api.get("/api/v1/conversations").status_code == 401
    # Whoever is not in the conversation learns nothing of the message.
    assert error_of(as_(carol).get(f"/api/v1/statuses/{message.pk}", validate=False), 404)


def test_a_malformed_master_key_is_a_503_too(as_, ann, settings):
    settings.MESSAGING_MASTER_KEYS = ["k1:not-base64"]
    assert "MESSAGING_MASTER_KEYS" in error_of(as_(ann).get("/api/v1/conversations", validate=False), 503)
