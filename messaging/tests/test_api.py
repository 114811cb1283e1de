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
        ({"status": "@bob look", "visibility": "direct", "media_ids[]": ["1"]}, 422, "media"),
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
