"""The Mastodon statuses API: posting, showing, editing and deleting a status.
Every JSON response is checked against Mastodon's OpenAPI description by the
`api` fixture (source, history, context: test_api_status_thread.py)."""

import json
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from accounts import services as account_services
from api import idempotency
from tweets import services
from tweets.models import Tweet, TweetVersion

# The test client sends a bodiless DELETE as "{}" typed application/octet-stream;
# typed JSON, it is what clients send.
JSON = "application/json"


def _url(tweet, suffix=""):
    return f"/api/v1/statuses/{tweet.pk}{suffix}"


# --- POST /api/v1/statuses -------------------------------------------------


def test_posting_a_status_by_form_returns_it(as_user, ann):
    response = as_user(ann).post(
        "/api/v1/statuses", {"status": "hello #chirp", "spoiler_text": "cw", "language": "en"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    tweet = Tweet.objects.get()
    assert body["id"] == str(tweet.pk)
    assert body["account"]["id"] == str(ann.pk)
    assert "hello" in body["content"]
    assert body["tags"][0]["name"] == "chirp"
    assert (body["spoiler_text"], body["sensitive"], body["language"]) == ("cw", True, "en")
    assert body["visibility"] == "public"
    assert body["favourited"] is False


def test_posting_by_json_and_multipart(as_user, ann, client):
    api = as_user(ann)
    response = api.post(
        "/api/v1/statuses", json_body={"status": "by json", "visibility": "unlisted", "sensitive": True}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["visibility"], response.json()["sensitive"]) == ("unlisted", True)
    # Django's test client sends multipart/form-data for a dict body.
    response = api.post("/api/v1/statuses/", {"status": "by multipart"})
    assert response.status_code == 200, response.content
    assert Tweet.objects.count() == 2


def test_reply_and_quote(as_user, ann, bob, post):
    original = post(bob, "original")
    api = as_user(ann)
    reply = api.post("/api/v1/statuses", {"status": "@bob a reply", "in_reply_to_id": str(original.pk)})
    assert reply.status_code == 200, reply.content
    assert reply.json()["in_reply_to_id"] == str(original.pk)
    assert reply.json()["in_reply_to_account_id"] == str(bob.pk)
    assert reply.json()["mentions"][0]["id"] == str(bob.pk)
    for name in ("quote_id", "quoted_status_id"):
        # Not validated: Mastodon's description makes Status.quote a oneOf of
        # Quote and ShallowQuote, which every quote object matches both of.
        quote = api.post("/api/v1/statuses", {"status": "a quote", name: str(original.pk)}, validate=False)
        assert quote.status_code == 200, quote.content
        assert quote.json()["quote"]["quoted_status"]["id"] == str(original.pk)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "x" * 281}, "too long"),
        ({"status": "   "}, "empty"),
        ({"status": "hi", "visibility": "everyone"}, "Unknown visibility"),
        # A direct status is a message (messaging.api.views), never a tweet.
        ({"status": "hi", "visibility": "direct"}, "A direct message needs the @username"),
        ({"status": "hi", "media_ids[]": ["123"]}, "Media 123 not found"),
        ({"status": "hi", "in_reply_to_id": "123456"}, "does not exist"),
        ({"status": "hi", "in_reply_to_id": "abc"}, "does not exist"),
        ({"status": "hi", "quote_id": "99"}, "does not exist"),
        ({"status": "hi", "spoiler_text": "w" * 101}, "Content warnings"),
        ({"status": "hi", "sensitive": "maybe"}, "sensitive"),
    ],
)
def test_bad_posts_are_422_and_write_nothing(as_user, ann, data, message):
    response = as_user(ann).post("/api/v1/statuses", data)
    assert response.status_code == 422, response.content
    assert message in response.json()["error"]
    assert not Tweet.objects.exists()


def test_a_reply_to_an_invisible_status_is_refused(as_user, ann, bob, make_user, post):
    locked = make_user("locked", is_protected=True)
    hidden = post(locked, "followers only")
    account_services.block(bob, ann)
    blocked = post(bob, "not for ann")
    for target in (hidden, blocked):
        response = as_user(ann).post("/api/v1/statuses", {"status": "hi", "in_reply_to_id": str(target.pk)})
        assert response.status_code == 422
    assert Tweet.objects.filter(author=ann).count() == 0


def test_malformed_json_is_400_and_a_json_list_too(as_user, ann):
    api = as_user(ann)
    for raw in ("{not json", "[1, 2]"):
        response = api.client.post(
            "/api/v1/statuses",
            raw,
            content_type="application/json",
            headers={"Authorization": f"Bearer {api.token}"},
        )
        assert response.status_code == 400
        assert "error" in response.json()
    assert not Tweet.objects.exists()


def test_posting_needs_a_token_and_the_scope(api, as_user, ann):
    assert api.post("/api/v1/statuses", {"status": "hi"}).status_code == 401
    response = as_user(ann, "read").post("/api/v1/statuses", {"status": "hi"}, validate=False)
    assert response.status_code == 403
    assert "error" in response.json()
    assert as_user(ann, "write:statuses").post("/api/v1/statuses", {"status": "hi"}).status_code == 200
    assert Tweet.objects.count() == 1


def test_idempotency_key_returns_the_same_status(as_user, ann, bob):
    api = as_user(ann)
    headers = {"Idempotency-Key": "abc-123"}
    first = api.post("/api/v1/statuses", {"status": "once"}, headers=headers)
    second = api.post("/api/v1/statuses", {"status": "once"}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Tweet.objects.count() == 1
    # Keys are per account, and another key is another post.
    assert as_user(bob).post("/api/v1/statuses", {"status": "b"}, headers=headers).status_code == 200
    assert (
        api.post("/api/v1/statuses", {"status": "twice"}, headers={"Idempotency-Key": "x"}).json()["id"]
        != first.json()["id"]
    )
    assert Tweet.objects.count() == 3


def test_idempotency_key_of_a_failed_post_can_be_retried(as_user, ann):
    api = as_user(ann)
    headers = {"Idempotency-Key": "retry"}
    assert api.post("/api/v1/statuses", {"status": ""}, headers=headers).status_code == 422
    assert api.post("/api/v1/statuses", {"status": "now"}, headers=headers).status_code == 200
    assert Tweet.objects.count() == 1


def test_idempotency_key_in_progress_is_refused(as_user, ann, monkeypatch):
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.01)
    key = idempotency.cache_key("tweets", ann.pk, "busy")
    cache.set(key, "pending", 60)
    response = as_user(ann).post("/api/v1/statuses", {"status": "hi"}, headers={"Idempotency-Key": "busy"})
    assert response.status_code == 422
    assert "in progress" in response.json()["error"]
    assert not Tweet.objects.exists()


def test_posting_is_rate_limited_as_mastodon(as_user, ann, settings):
    settings.API_RATE_LIMITS_ENABLED = True
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "statuses": "2/1800"}
    api = as_user(ann)
    codes = [api.post("/api/v1/statuses", {"status": f"n{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert Tweet.objects.count() == 2
    # Reads are not counted in the statuses bucket.
    assert api.get(f"/api/v1/statuses/{Tweet.objects.first().pk}").status_code == 200


def test_status_json_body_sent_as_text(as_user, ann):
    # Some clients send JSON with a charset parameter.
    api = as_user(ann)
    response = api.client.post(
        "/api/v1/statuses",
        json.dumps({"status": "charset"}),
        content_type="application/json; charset=utf-8",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 200, response.content


# --- GET /api/v1/statuses/:id ------------------------------------------------


def test_showing_a_status_anonymously_and_with_state(api, as_user, ann, bob, post):
    tweet = post(ann, "hello")
    services.like(bob, tweet)
    anonymous = api.get(_url(tweet))
    assert anonymous.status_code == 200
    assert anonymous.json()["favourites_count"] == 1
    assert "favourited" not in anonymous.json()
    assert as_user(bob).get(_url(tweet)).json()["favourited"] is True


def test_a_retweet_shows_as_a_reblog_wrapper(api, ann, bob, post):
    tweet = post(ann, "hello")
    retweet = services.retweet(bob, tweet)
    body = api.get(_url(retweet)).json()
    assert body["id"] == str(retweet.pk)
    assert body["account"]["id"] == str(bob.pk)
    assert body["reblog"]["id"] == str(tweet.pk)


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "99999999999999999999", "123456"])
def test_unknown_ids_are_404(api, db, raw):
    response = api.get(f"/api/v1/statuses/{raw}")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_who_may_see_a_status(api, as_user, ann, bob, carol, make_user, moderator, post):
    locked = make_user("locked", is_protected=True)
    private = post(locked, "followers only")
    account_services.follow(bob, locked)
    account_services.approve_follow_request(locked, bob)
    assert as_user(locked).get(_url(private)).status_code == 200  # the owner
    assert as_user(bob).get(_url(private)).status_code == 200  # an approved follower
    assert as_user(carol).get(_url(private)).status_code == 404  # not a follower
    assert api.get(_url(private)).status_code == 404  # anonymous

    tweet = post(ann, "public")
    account_services.block(ann, carol)
    assert as_user(carol).get(_url(tweet)).status_code == 404  # blocked by the author
    theirs = post(carol, "carol's")
    assert as_user(ann).get(_url(theirs)).status_code == 404  # the author is blocked

    root = type(ann).objects.get(username="root")
    account_services.suspend(root, ann)
    assert api.get(_url(tweet)).status_code == 404  # a suspended author
    assert as_user(moderator).get(_url(tweet)).status_code == 404


def test_a_deleted_status_is_404(api, ann, post):
    tweet = post(ann, "gone")
    services.delete_tweet(ann, tweet)
    assert api.get(_url(tweet)).status_code == 404


def test_a_revoked_token_is_401_even_on_an_anonymous_read(api, ann, post):
    tweet = post(ann, "hi")
    response = api.as_("not-a-token").get(_url(tweet))
    assert response.status_code == 401
    assert "error" in response.json()


# --- PUT /api/v1/statuses/:id -----------------------------------------------


def test_editing_text_warning_and_flag(as_user, ann, post):
    tweet = post(ann, "first")
    response = as_user(ann).put(
        _url(tweet), json_body={"status": "second #new", "spoiler_text": "cw", "language": "fr"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert "second" in body["content"]
    assert body["edited_at"]
    assert (body["spoiler_text"], body["sensitive"], body["language"]) == ("cw", True, "fr")
    version = TweetVersion.objects.get()
    assert (version.text, version.spoiler_text, version.sensitive) == ("first", "", False)


def test_editing_by_form(as_user, ann, post):
    tweet = post(ann, "first")
    response = as_user(ann).put(
        _url(tweet),
        urlencode({"status": "by form", "sensitive": "true"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["content"], response.json()["sensitive"]) == ("<p>by form</p>", True)


def test_editing_only_the_warning_keeps_the_text(as_user, ann, post):
    tweet = post(ann, "same text")
    response = as_user(ann).put(_url(tweet), json_body={"spoiler_text": "spoilers"})
    assert response.status_code == 200, response.content
    tweet.refresh_from_db()
    assert (tweet.text, tweet.spoiler_text, tweet.sensitive) == ("same text", "spoilers", True)


def test_an_unchanged_edit_changes_nothing(as_user, ann, post):
    tweet = post(ann, "same")
    response = as_user(ann).put(_url(tweet), json_body={"status": "same"})
    assert response.status_code == 200
    assert response.json()["edited_at"] is None
    assert not TweetVersion.objects.exists()


@pytest.mark.parametrize(("text", "message"), [("x" * 281, "too long"), ("", "empty")])
def test_bad_edits_are_422_and_keep_the_tweet(as_user, ann, post, text, message):
    tweet = post(ann, "keep me")
    response = as_user(ann).put(_url(tweet), json_body={"status": text})
    assert response.status_code == 422
    assert message in response.json()["error"]
    tweet.refresh_from_db()
    assert tweet.text == "keep me"
    assert not TweetVersion.objects.exists()


def test_editing_another_accounts_status_or_a_retweet_is_404(as_user, ann, bob, moderator, post):
    tweet = post(ann, "mine")
    for other in (bob, moderator):
        assert as_user(other).put(_url(tweet), json_body={"status": "yours"}).status_code == 404
    retweet = services.retweet(bob, tweet)
    assert as_user(bob).put(_url(retweet), json_body={"status": "text"}).status_code == 404
    tweet.refresh_from_db()
    assert tweet.text == "mine"


# --- DELETE /api/v1/statuses/:id --------------------------------------------


def test_deleting_returns_the_source_for_redrafting(as_user, ann, post):
    tweet = post(ann, "hello #redraft")
    response = as_user(ann).delete(_url(tweet), content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "hello #redraft"
    assert response.json()["id"] == str(tweet.pk)
    tweet.refresh_from_db()
    assert tweet.deleted_at is not None
    assert as_user(ann).delete(_url(tweet), content_type=JSON).status_code == 404


def test_deleting_another_accounts_status_is_404_but_moderators_may(as_user, ann, bob, moderator, post):
    tweet = post(ann, "mine")
    assert as_user(bob).delete(_url(tweet), content_type=JSON).status_code == 404
    assert as_user(ann, "read").delete(_url(tweet), content_type=JSON, validate=False).status_code == 403
    tweet.refresh_from_db()
    assert tweet.deleted_at is None
    assert as_user(moderator).delete(_url(tweet), content_type=JSON).status_code == 200
    tweet.refresh_from_db()
    assert tweet.removed_by == moderator


def test_deleting_ones_retweet_unretweets(as_user, ann, bob, post):
    tweet = post(ann, "hello")
    retweet = services.retweet(bob, tweet)
    assert as_user(bob).delete(_url(retweet), content_type=JSON).status_code == 200
    assert not Tweet.objects.filter(pk=retweet.pk).exists()
    tweet.refresh_from_db()
    assert tweet.retweets_count == 0
