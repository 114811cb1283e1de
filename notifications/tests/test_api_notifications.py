"""GET /api/v1/notifications and friends, /api/v2/notifications (grouped).

Every response is checked against Mastodon's OpenAPI description by the
`api` client.
"""

import pytest

from accounts import services as accounts
from accounts.tests.conftest import error_of, link
from notifications import services
from tweets import services as tweets


@pytest.fixture
def busy(events, ann, bob, carol, pat, post):
    """bob's tweet liked by ann and carol, retweeted by ann, a mention by
    carol, a follow by ann; pat's request to... pat is protected: ann asks."""
    tweet = post(bob, "a tweet worth liking")
    with events():
        tweets.like(ann, tweet)
        tweets.like(carol, tweet)
        tweets.retweet(ann, tweet)
        post(carol, "@bob look")
        accounts.follow(ann, bob)
    return tweet


def types(response):
    return [(n["type"], n["account"]["username"]) for n in response.json()]


def test_list_newest_first_with_statuses(as_, busy, bob):
    response = as_(bob).get("/api/v1/notifications")
    assert response.status_code == 200
    assert types(response) == [
        ("follow", "ann"),
        ("mention", "carol"),
        ("reblog", "ann"),
        ("favourite", "carol"),
        ("favourite", "ann"),
    ]
    favourite = response.json()[-1]
    assert favourite["status"]["id"] == str(busy.pk)
    assert favourite["group_key"].startswith("like-")
    assert "status" not in response.json()[0]  # a follow is about no status


def test_types_exclude_types_and_account_id(as_, busy, bob, ann):
    client = as_(bob)
    assert types(client.get("/api/v1/notifications", {"types[]": ["favourite", "follow"]})) == [
        ("follow", "ann"),
        ("favourite", "carol"),
        ("favourite", "ann"),
    ]
    assert types(client.get("/api/v1/notifications", {"exclude_types[]": ["favourite", "reblog"]})) == [
        ("follow", "ann"),
        ("mention", "carol"),
    ]
    assert [t for t, who in types(client.get("/api/v1/notifications", {"account_id": ann.pk}))] == [
        "follow",
        "reblog",
        "favourite",
    ]
    assert client.get("/api/v1/notifications", {"types[]": ["poll"]}).json() == []


def test_pages_with_link_headers(as_, busy, bob):
    client = as_(bob)
    first = client.get("/api/v1/notifications", {"limit": 2})
    assert len(first.json()) == 2
    path, query = link(first, "next")
    assert path == "/api/v1/notifications"
    second = client.get(path, query)
    assert [n["id"] for n in second.json()] < [n["id"] for n in first.json()]
    _, newer = link(second, "prev")
    assert [n["id"] for n in client.get(path, newer).json()] == [n["id"] for n in first.json()]
    assert error_of(client.get("/api/v1/notifications", {"limit": "x"}), 422)


def test_follow_accepted_is_for_the_pages_only(as_, events, ann, pat):
    with events():
        accounts.follow(ann, pat)
        accounts.approve_follow_request(pat, ann)
    assert as_(ann).get("/api/v1/notifications").json() == []
    assert as_(pat).get("/api/v1/notifications").json() == []


def test_one_notification_and_dismiss(as_, busy, bob, ann):
    client = as_(bob)
    newest = client.get("/api/v1/notifications").json()[0]
    assert client.get(f"/api/v1/notifications/{newest['id']}").json() == newest
    # Someone else's is not found, for reading or dismissing.
    assert error_of(as_(ann).get(f"/api/v1/notifications/{newest['id']}"), 404) == "Record not found"
    assert error_of(as_(ann).post(f"/api/v1/notifications/{newest['id']}/dismiss"), 404)
    assert error_of(client.get("/api/v1/notifications/nope"), 404)
    assert client.post(f"/api/v1/notifications/{newest['id']}/dismiss").json() == {}
    assert error_of(client.get(f"/api/v1/notifications/{newest['id']}"), 404)


def test_clear(as_, busy, bob, ann):
    assert as_(bob).post("/api/v1/notifications/clear").json() == {}
    assert as_(bob).get("/api/v1/notifications").json() == []


def test_unread_count_follows_the_notifications_marker(as_, busy, bob):
    client = as_(bob)
    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 5}
    assert client.get("/api/v1/notifications/unread_count", {"limit": 2}).json() == {"count": 2}
    third = client.get("/api/v1/notifications").json()[2]["id"]
    client.post("/api/v1/markers", {"notifications[last_read_id]": third})
    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 2}
    assert client.get("/api/v2/notifications/unread_count").json() == {"count": 2}
    client.post("/api/v1/markers", {"notifications[last_read_id]": 1})
    # Five notifications in four groups: ann's and carol's likes are one.
    assert client.get("/api/v2/notifications/unread_count").json() == {"count": 4}
    assert client.get("/api/v2/notifications/unread_count", {"limit": 3}).json() == {"count": 3}


def test_grouped(as_, busy, bob):
    body = as_(bob).get("/api/v2/notifications").json()
    groups = [(g["type"], g["notifications_count"]) for g in body["notification_groups"]]
    assert groups == [("follow", 1), ("mention", 1), ("reblog", 1), ("favourite", 2)]
    favourites = body["notification_groups"][-1]
    assert favourites["status_id"] == str(busy.pk)
    likers = {u["id"] for u in body["accounts"] if u["username"] in ("ann", "carol")}
    assert set(favourites["sample_account_ids"]) == likers
    # Each status once, however many groups are about it.
    ids = [s["id"] for s in body["statuses"]]
    assert str(busy.pk) in ids
    assert len(ids) == len(set(ids)) == 2


def test_blocked_and_muted_accounts_are_hidden(as_, busy, bob, ann, carol):
    accounts.mute(bob, carol)
    accounts.block(bob, ann)
    assert as_(bob).get("/api/v1/notifications").json() == []


def test_a_staff_notice_is_a_moderation_warning(as_, bob, moderator):
    services.send_notice(moderator, bob, "Mind the rules.")
    [warning] = as_(bob).get("/api/v1/notifications").json()
    assert warning["type"] == "moderation_warning"
    assert warning["account"]["username"] == "bob"
    assert warning["moderation_warning"]["text"] == "Mind the rules."
    assert warning["moderation_warning"]["action"] == "none"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/notifications"),
        ("get", "/api/v2/notifications"),
        ("get", "/api/v1/notifications/unread_count"),
        ("post", "/api/v1/notifications/clear"),
        ("get", "/api/v1/notifications/requests"),
    ],
)
def test_permissions(api, as_, token_for, moderator, bob, method, path):
    assert error_of(getattr(api, method)(path), 401)
    assert error_of(getattr(as_(bob, "read:statuses write:statuses"), method)(path), 403)
    suspended = token_for(bob, "read write")
    accounts.suspend(moderator, bob)
    assert error_of(getattr(api.as_(suspended), method)(path), 403) == "Your login is currently disabled"


def test_reading_needs_read_and_clearing_needs_write(as_, busy, bob):
    assert as_(bob, "read:notifications").get("/api/v1/notifications").status_code == 200
    assert error_of(as_(bob, "read:notifications").post("/api/v1/notifications/clear"), 403)
    assert as_(bob, "write:notifications").post("/api/v1/notifications/clear").status_code == 200
