"""Favourites, reblogs and bookmarks through the Mastodon API, and the lists
of them: favourited_by, reblogged_by, /api/v1/favourites, /api/v1/bookmarks."""

import re

import pytest

from accounts import services as account_services
from tweets import services
from tweets.models import Bookmark, Like, Tweet


def _url(tweet, suffix=""):
    return f"/api/v1/statuses/{tweet.pk}{suffix}"


def _link_ids(response) -> dict:
    """{"next": max_id, "prev": min_id} from a Link header."""
    found = re.findall(r"[?&](max_id|min_id)=(\d+)[^>]*>; rel=\"(\w+)\"", response.get("Link", ""))
    return {rel: int(value) for _, value, rel in found}


# --- favourite, reblog, bookmark --------------------------------------------


def test_favourite_and_unfavourite(as_user, ann, bob, post):
    tweet = post(ann, "like me")
    api = as_user(bob)
    body = api.post(_url(tweet, "/favourite")).json()
    assert (body["favourited"], body["favourites_count"]) == (True, 1)
    assert api.post(_url(tweet, "/favourite")).json()["favourites_count"] == 1  # idempotent
    body = api.post(_url(tweet, "/unfavourite")).json()
    assert (body["favourited"], body["favourites_count"]) == (False, 0)
    assert not Like.objects.exists()


def test_reblog_returns_the_wrapper_and_unreblog_the_original(as_user, ann, bob, post):
    tweet = post(ann, "share me")
    api = as_user(bob)
    body = api.post(_url(tweet, "/reblog")).json()
    retweet = Tweet.objects.get(retweet_of=tweet)
    assert body["id"] == str(retweet.pk)
    assert body["account"]["id"] == str(bob.pk)
    assert (body["reblog"]["id"], body["reblog"]["reblogged"], body["reblog"]["reblogs_count"]) == (
        str(tweet.pk),
        True,
        1,
    )
    assert api.post(_url(tweet, "/reblog")).json()["id"] == str(retweet.pk)  # idempotent
    # Undoing by the reblog's own id answers with the original.
    body = api.post(_url(retweet, "/unreblog")).json()
    assert (body["id"], body["reblogged"], body["reblogs_count"]) == (str(tweet.pk), False, 0)
    assert not Tweet.objects.filter(retweet_of=tweet).exists()


def test_a_followers_only_status_cannot_be_reblogged(as_user, bob, make_user, post):
    locked = make_user("locked", is_protected=True)
    account_services.follow(bob, locked)
    account_services.approve_follow_request(locked, bob)
    tweet = post(locked, "followers only")
    response = as_user(bob).post(_url(tweet, "/reblog"))
    assert response.status_code == 422
    assert "error" in response.json()
    assert Tweet.objects.count() == 1


def test_bookmark_and_unbookmark(as_user, ann, bob, post):
    tweet = post(ann, "keep")
    api = as_user(bob)
    assert api.post(_url(tweet, "/bookmark")).json()["bookmarked"] is True
    assert Bookmark.objects.filter(user=bob, tweet=tweet).exists()
    assert api.post(_url(tweet, "/unbookmark")).json()["bookmarked"] is False
    assert not Bookmark.objects.exists()


@pytest.mark.parametrize(
    ("action", "scope"),
    [
        ("favourite", "write:favourites"),
        ("unfavourite", "write:favourites"),
        ("reblog", "write:statuses"),
        ("unreblog", "write:statuses"),
        ("bookmark", "write:bookmarks"),
        ("unbookmark", "write:bookmarks"),
    ],
)
def test_interactions_need_a_user_and_their_scope(api, as_user, ann, bob, post, action, scope):
    tweet = post(ann, "hi")
    assert api.post(_url(tweet, f"/{action}")).status_code == 401
    assert (
        as_user(bob, "read write:accounts").post(_url(tweet, f"/{action}"), validate=False).status_code == 403
    )
    assert as_user(bob, scope).post(_url(tweet, f"/{action}")).status_code == 200


def test_interactions_with_an_invisible_status_are_404(as_user, ann, bob, carol, make_user, post):
    locked = make_user("locked", is_protected=True)
    hidden = post(locked, "followers only")
    account_services.block(ann, bob)
    blocked = post(ann, "not for bob")
    gone = post(carol, "deleted")
    services.delete_tweet(carol, gone)
    api = as_user(bob)
    for tweet in (hidden, blocked, gone):
        for action in ("favourite", "reblog", "bookmark"):
            response = api.post(_url(tweet, f"/{action}"))
            assert response.status_code == 404, (tweet, action)
    for raw in ("abc", "123"):
        assert api.post(f"/api/v1/statuses/{raw}/favourite").status_code == 404
    assert not Like.objects.exists()
    assert not Bookmark.objects.exists()
    assert Tweet.objects.filter(retweet_of__isnull=False).count() == 0


# --- favourited_by, reblogged_by --------------------------------------------


def test_favourited_by_pages_accounts_by_favourite(
    api, as_user, ann, make_user, post, django_assert_max_num_queries
):
    tweet = post(ann, "popular")
    fans = [make_user(f"fan{i}") for i in range(5)]
    for fan in fans:
        services.like(fan, tweet)
    with django_assert_max_num_queries(6):
        first = api.get(_url(tweet, "/favourited_by"), {"limit": 2})
    assert [a["username"] for a in first.json()] == ["fan4", "fan3"]
    links = _link_ids(first)
    likes = {like.user_id: like.pk for like in Like.objects.all()}
    assert links == {"next": likes[fans[3].pk], "prev": likes[fans[4].pk]}
    rest = api.get(_url(tweet, "/favourited_by"), {"limit": 5, "max_id": links["next"]})
    assert [a["username"] for a in rest.json()] == ["fan2", "fan1", "fan0"]
    assert "next" not in _link_ids(rest)
    # Blocked accounts and suspended ones are left out.
    account_services.block(fans[0], ann)
    root = make_user("root", is_superuser=True, is_staff=True)
    account_services.suspend(root, fans[1])
    names = [a["username"] for a in as_user(ann).get(_url(tweet, "/favourited_by")).json()]
    assert names == ["fan4", "fan3", "fan2"]


def test_reblogged_by_lists_visible_reblogs(api, as_user, ann, bob, carol, make_user, post):
    tweet = post(ann, "share")
    services.retweet(bob, tweet)
    services.retweet(carol, tweet)
    locked = make_user("locked", is_protected=True)
    services.retweet(locked, tweet)  # followers-only reblog: hidden from strangers
    assert [a["username"] for a in api.get(_url(tweet, "/reblogged_by")).json()] == ["carol", "bob"]
    assert [a["username"] for a in as_user(locked).get(_url(tweet, "/reblogged_by")).json()] == [
        "locked",
        "carol",
        "bob",
    ]


def test_account_lists_of_an_invisible_status_are_404(api, make_user, post):
    locked = make_user("locked", is_protected=True)
    tweet = post(locked, "hidden")
    assert api.get(_url(tweet, "/favourited_by")).status_code == 404
    assert api.get(_url(tweet, "/reblogged_by")).status_code == 404


# --- /api/v1/favourites, /api/v1/bookmarks ------------------------------------


@pytest.mark.parametrize(
    ("path", "action", "model"),
    [("favourites", services.like, Like), ("bookmarks", services.bookmark, Bookmark)],
)
def test_own_lists_page_by_row_id(
    as_user, ann, bob, post, path, action, model, django_assert_max_num_queries
):
    tweets = [post(ann, f"tweet {i}") for i in range(4)]
    # Acted on oldest-last, so the list order (by action) differs from tweet order.
    for tweet in reversed(tweets):
        action(bob, tweet)
    api = as_user(bob)
    with django_assert_max_num_queries(8):
        first = api.get(f"/api/v1/{path}", {"limit": 3})
    assert first.status_code == 200
    assert [s["id"] for s in first.json()] == [str(t.pk) for t in tweets[:3]]
    rows = {row.tweet_id: row.pk for row in model.objects.all()}
    links = _link_ids(first)
    assert links == {"next": rows[tweets[2].pk], "prev": rows[tweets[0].pk]}
    rest = api.get(f"/api/v1/{path}", {"max_id": links["next"]})
    assert [s["id"] for s in rest.json()] == [str(tweets[3].pk)]
    newer = api.get(f"/api/v1/{path}", {"min_id": rows[tweets[2].pk]})
    assert [s["id"] for s in newer.json()] == [str(t.pk) for t in tweets[:2]]
    # A status that became invisible drops out.
    services.delete_tweet(ann, tweets[1])
    assert len(api.get(f"/api/v1/{path}").json()) == 3


@pytest.mark.parametrize(
    ("path", "scope"), [("favourites", "read:favourites"), ("bookmarks", "read:bookmarks")]
)
def test_own_lists_need_a_user_and_their_scope(api, as_user, ann, path, scope):
    assert api.get(f"/api/v1/{path}").status_code == 401
    assert as_user(ann, "read:statuses write").get(f"/api/v1/{path}", validate=False).status_code == 403
    assert as_user(ann, scope).get(f"/api/v1/{path}").status_code == 200


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "many"}, {"max_id": "x"}, {"since_id": "-5"}])
def test_bad_paging_parameters_are_422(as_user, ann, params):
    response = as_user(ann).get("/api/v1/favourites", params)
    assert response.status_code == 422
    assert "error" in response.json()


def test_a_limit_over_the_maximum_is_clamped(as_user, ann, bob, post):
    for i in range(3):
        services.like(bob, post(ann, f"t{i}"))
    assert len(as_user(bob).get("/api/v1/favourites", {"limit": "1000"}).json()) == 3
