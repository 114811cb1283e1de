"""GET /api/v1/accounts/:id/statuses: an account's statuses as the viewer may see them."""

import pytest

from accounts import services as account_services
from tweets import services


def _url(user):
    return f"/api/v1/accounts/{user.pk}/statuses"


def _ids(response):
    assert response.status_code == 200, response.content
    return [status["id"] for status in response.json()]


def test_statuses_newest_first_with_filters(api, ann, bob, post):
    own = post(ann, "first #topic")
    reply_to_self = post(ann, "thread", in_reply_to=own)
    reply_to_other = post(ann, "@bob hi", in_reply_to=post(bob, "bob's"))
    retweet = services.retweet(ann, post(bob, "share"))
    everything = [retweet, reply_to_other, reply_to_self, own]
    assert _ids(api.get(_url(ann))) == [str(t.pk) for t in everything]
    # exclude_replies keeps replies to oneself, as Mastodon does.
    assert _ids(api.get(_url(ann), {"exclude_replies": "true"})) == [
        str(t.pk) for t in (retweet, reply_to_self, own)
    ]
    assert _ids(api.get(_url(ann), {"exclude_reblogs": "1"})) == [str(t.pk) for t in everything[1:]]
    assert _ids(api.get(_url(ann), {"tagged": "Topic"})) == [str(own.pk)]
    assert _ids(api.get(_url(ann), {"only_media": "true"})) == []
    assert _ids(api.get(_url(ann), {"pinned": "true"})) == []


def test_statuses_page_with_link_headers(api, ann, post, django_assert_max_num_queries):
    tweets = [post(ann, f"t{i}") for i in range(5)]
    with django_assert_max_num_queries(6):
        first = api.get(_url(ann), {"limit": 2})
    assert _ids(first) == [str(tweets[4].pk), str(tweets[3].pk)]
    assert f"max_id={tweets[3].pk}" in first["Link"]
    assert f"min_id={tweets[4].pk}" in first["Link"]
    assert _ids(api.get(_url(ann), {"max_id": tweets[3].pk, "limit": 2})) == [
        str(tweets[2].pk),
        str(tweets[1].pk),
    ]
    assert _ids(api.get(_url(ann), {"since_id": tweets[2].pk})) == [str(tweets[4].pk), str(tweets[3].pk)]
    assert _ids(api.get(_url(ann), {"min_id": tweets[0].pk, "limit": 2})) == [
        str(tweets[2].pk),
        str(tweets[1].pk),
    ]


def test_a_page_of_statuses_takes_a_fixed_number_of_queries(
    as_user, ann, bob, carol, post, django_assert_max_num_queries
):
    original = post(bob, "quoted")
    for i in range(10):
        tweet = post(ann, f"t{i}", quote_of=original if i % 2 else None)
        services.like(carol, tweet)
        services.retweet(ann, post(carol, f"c{i}"))
    with django_assert_max_num_queries(8):
        response = as_user(carol).get(
            _url(ann), {"limit": 40}, validate=False
        )  # quotes: see test_api_statuses
    assert len(response.json()) == 20


def test_a_protected_account_shows_statuses_to_approved_followers_only(
    api, as_user, bob, carol, make_user, post
):
    locked = make_user("locked", is_protected=True)
    tweet = post(locked, "followers only")
    account_services.follow(bob, locked)
    account_services.follow(carol, locked)
    account_services.approve_follow_request(locked, bob)  # carol's request stays pending
    assert _ids(as_user(bob).get(_url(locked))) == [str(tweet.pk)]
    assert _ids(as_user(locked).get(_url(locked))) == [str(tweet.pk)]
    assert _ids(as_user(carol).get(_url(locked))) == []
    assert _ids(api.get(_url(locked))) == []


def test_blocks_either_way_empty_the_list(as_user, ann, bob, carol, post):
    post(ann, "hi")
    account_services.block(ann, bob)
    account_services.block(carol, ann)
    assert _ids(as_user(bob).get(_url(ann))) == []
    assert _ids(as_user(carol).get(_url(ann))) == []
    assert _ids(as_user(ann).get(_url(carol))) == []


@pytest.mark.parametrize("raw", ["abc", "0", "999999"])
def test_unknown_accounts_are_404(api, db, raw):
    response = api.get(f"/api/v1/accounts/{raw}/statuses")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_a_suspended_accounts_statuses_are_404(api, ann, make_user, post):
    post(ann, "hi")
    root = make_user("root", is_superuser=True, is_staff=True)
    account_services.suspend(root, ann)
    assert api.get(_url(ann)).status_code == 404


def test_scopes_and_tokens(api, as_user, ann, post):
    post(ann, "hi")
    assert api.as_("revoked").get(_url(ann)).status_code == 401
    assert as_user(ann, "write").get(_url(ann), validate=False).status_code == 403
    assert as_user(ann, "read:statuses").get(_url(ann)).status_code == 200


@pytest.mark.parametrize("params", [{"limit": "0"}, {"max_id": "abc"}, {"exclude_replies": "perhaps"}])
def test_bad_parameters_are_422(api, ann, params):
    response = api.get(_url(ann), params)
    assert response.status_code == 422
    assert "error" in response.json()
