"""Trending posts: the ranking, who qualifies, what each reader sees, and
where they show (the trends page, /api/v1/trends/statuses)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as accounts
from accounts.stores import redis_client
from trends import posts, tasks
from tweets import services as tweets
from tweets.models import Tweet, Visibility


def engaged(tweet, likes=0, retweets=0, replies=0, hours_old=0):
    """Give `tweet` counts (and an age) without making the accounts behind them."""
    Tweet.objects.filter(pk=tweet.pk).update(
        likes_count=likes,
        retweets_count=retweets,
        replies_count=replies,
        created_at=timezone.now() - timedelta(hours=hours_old),
    )
    return tweet


@pytest.fixture
def authors(make_user):
    """authors(n) -> n new accounts."""
    made = iter(range(1000))

    def make(n):
        return [make_user(f"author{next(made)}") for _ in range(n)]

    return make


def test_interactions_rank_and_age_wears_them_down(post, authors):
    a, b, c, d = authors(4)
    fresh = engaged(post(a, "fresh and liked"), likes=6)
    old = engaged(post(b, "liked yesterday"), likes=6, retweets=3, hours_old=20)
    retweeted = engaged(post(c, "retweeted"), likes=1, retweets=2)
    engaged(post(d, "one like"), likes=1)  # under TRENDS_POSTS_MIN_INTERACTIONS
    # 6 / 2^1.8, 5 / 2^1.8 and 12 / 22^1.8: the old one last despite the most.
    assert posts.compute() == [fresh.pk, retweeted.pk, old.pk]


def test_real_likes_and_retweets_count(post, authors, ann, bob, carol):
    (author,) = authors(1)
    tweet = post(author, "worth it")
    assert posts.compute() == []
    tweets.like(ann, tweet)
    tweets.retweet(bob, tweet)
    assert posts.compute() == [tweet.pk]


def test_only_public_originals_of_open_accounts_qualify(post, authors, make_user, moderator, events):
    a, b, c, d, e, f, g, h = authors(8)
    kept = engaged(post(a, "public"), likes=5)
    original = post(h, "original")
    engaged(post(b, "a reply", in_reply_to=original), likes=5)
    engaged(post(c, "unlisted", visibility=Visibility.UNLISTED), likes=5)
    engaged(post(d, "followers only", visibility=Visibility.PRIVATE), likes=5)
    engaged(post(e, "behind a warning", spoiler_text="spoilers"), likes=5)
    locked = make_user("locked", is_protected=True)
    engaged(post(locked, "protected"), likes=5)
    engaged(post(f, "suspended"), likes=5)
    accounts.suspend(moderator, f)
    with events():
        tweets.delete_tweet(g, engaged(post(g, "deleted"), likes=5))
    engaged(post(h, "too old"), likes=50, hours_old=25)
    assert posts.compute() == [kept.pk]


def test_one_post_per_author(post, authors):
    busy, other = authors(2)
    best = engaged(post(busy, "best"), likes=9)
    engaged(post(busy, "second best"), likes=8)
    theirs = engaged(post(other, "theirs"), likes=3)
    assert posts.compute() == [best.pk, theirs.pk]


def test_readers_see_only_what_they_may_at_once(post, authors, ann, events):
    a, b, c = authors(3)
    shown = engaged(post(a, "shown"), likes=9)
    blocker = engaged(post(b, "by someone who blocked ann"), likes=8)
    muted = engaged(post(c, "by someone ann muted"), likes=7)
    posts.compute()
    accounts.block(b, ann)
    accounts.mute(ann, c)
    assert [t.pk for t in posts.trending_tweets(None, limit=10)] == [shown.pk, blocker.pk, muted.pk]
    assert [t.pk for t in posts.trending_tweets(ann, limit=10)] == [shown.pk]
    # Deleted after the list was computed: gone before the next computation.
    with events():
        tweets.delete_tweet(a, shown)
    assert [t.pk for t in posts.trending_tweets(None, limit=10)] == [blocker.pk, muted.pk]


def test_a_lost_list_is_computed_again_on_read(post, authors):
    (a,) = authors(1)
    tweet = engaged(post(a, "still trending"), likes=5)
    assert redis_client().get(posts.KEY) is None
    assert [t.pk for t in posts.trending_tweets(None, limit=10)] == [tweet.pk]
    # Stored again, and for a while only: a stopped beat job can't freeze it.
    assert 0 < redis_client().ttl(posts.KEY) <= posts.STORED_SECONDS


def test_the_beat_task_counts_what_it_stored(post, authors):
    (a,) = authors(1)
    engaged(post(a, "trending"), likes=5)
    assert tasks.compute_trending_posts() == 1


def test_api_pages_trending_statuses_by_offset(api, post, authors, token_for, ann):
    made = [engaged(post(author, f"post {n}"), likes=20 - 2 * n) for n, author in enumerate(authors(3))]
    tweets.like(ann, made[1])
    posts.compute()
    first = api.get("/api/v1/trends/statuses", {"limit": 2})
    assert first.status_code == 200
    assert [s["id"] for s in first.json()] == [str(made[0].pk), str(made[1].pk)]
    assert 'rel="next"' in first["Link"]
    assert "offset=2" in first["Link"]
    second = api.get("/api/v1/trends/statuses", {"limit": 2, "offset": 2})
    assert [s["id"] for s in second.json()] == [str(made[2].pk)]
    assert 'rel="next"' not in second["Link"]
    assert 'rel="prev"' in second["Link"]
    reader = api.as_(token_for(ann, "read"))
    signed_in = reader.get("/api/v1/trends/statuses")
    assert [s["favourited"] for s in signed_in.json()] == [False, True, False]
    assert api.checked == 2  # both validated against Mastodon's description
    assert reader.checked == 1


@pytest.mark.parametrize(("params", "field"), [({"limit": "many"}, "limit"), ({"offset": "-1"}, "offset")])
def test_api_refuses_bad_paging(api, db, params, field):
    response = api.get("/api/v1/trends/statuses", params)
    assert 400 <= response.status_code < 500
    assert field in response.json()["error"]


def test_trends_page_shows_the_posts(client, post, authors):
    (a,) = authors(1)
    engaged(post(a, "look at this"), likes=5)
    posts.compute()
    page = client.get("/trends/")
    assert page.status_code == 200
    assert "look at this" in page.content.decode()


def test_trends_page_says_when_nothing_trends(client, db):
    assert "No post is trending right now." in client.get("/trends/").content.decode()
