"""The roll-up: the day's Redis counters and PostgreSQL rows into TweetDay
and AccountDay, exactly and idempotently."""

from datetime import UTC, datetime, time, timedelta

import pytest
import redis

from accounts import services as accounts
from trends.analytics import counters, services
from trends.models import AccountDay, TweetDay
from tweets import services as tweets
from tweets.models import Like, Tweet
from tweets.snowflake import make_id

TWEET_FIGURES = ("tweet_id", "author_id", "day", "impressions", "likes", "retweets", "replies", "quotes")
ACCOUNT_FIGURES = (
    "user_id",
    "day",
    "tweets",
    "impressions",
    "likes",
    "retweets",
    "replies",
    "quotes",
    "profile_visits",
    "new_followers",
)


def tweet_days():
    return {row[0]: row for row in TweetDay.objects.values_list(*TWEET_FIGURES)}


def account_days():
    return {row[0]: row for row in AccountDay.objects.values_list(*ACCOUNT_FIGURES)}


def figures(row, *names):
    return {name: getattr(row, name) for name in names}


@pytest.fixture
def busy_day(ann, bob, carol, post, events):
    """A day of ann's: two followers, a tweet others engage with (and she
    does herself, which doesn't count), seen three times, two visits."""
    with events():
        accounts.follow(bob, ann)
        accounts.follow(carol, ann)
    tweet = post(ann, "hello")
    post(ann, "nobody cares")
    for user in (bob, carol, ann):
        tweets.like(user, tweet)
    tweets.retweet(bob, tweet)
    tweets.retweet(ann, tweet)
    post(bob, "hi ann", in_reply_to=tweet)
    post(ann, "and another thing", in_reply_to=tweet)  # a thread: not a reply to count
    gone = post(carol, "deleted reply", in_reply_to=tweet)
    tweets.delete_tweet(carol, gone)
    post(carol, "look at this", quote_of=tweet)
    for _ in range(3):
        counters.count_impressions([tweet.pk])
    counters.count_profile_visit(ann.pk)
    counters.count_profile_visit(ann.pk)
    return tweet


def test_roll_up_counts_the_day(busy_day, roll_up, ann, bob, carol, today):
    result = roll_up()

    [row] = TweetDay.objects.all()
    assert (row.tweet_id, row.author_id, row.day) == (busy_day.pk, ann.pk, today)
    assert figures(row, "impressions", "likes", "retweets", "replies", "quotes") == {
        "impressions": 3,
        "likes": 2,
        "retweets": 1,
        "replies": 1,
        "quotes": 1,
    }
    rows = {row.user_id: row for row in AccountDay.objects.all()}
    assert figures(rows[ann.pk], *ACCOUNT_FIGURES[2:]) == {
        "tweets": 3,  # hello, nobody cares, the thread; not her retweet
        "impressions": 3,
        "likes": 2,
        "retweets": 1,
        "replies": 1,
        "quotes": 1,
        "profile_visits": 2,
        "new_followers": 2,
    }
    assert rows[bob.pk].tweets == 1  # the reply; a retweet is no tweet posted
    assert rows[carol.pk].tweets == 1  # the quote; the deleted reply is gone
    assert (result.tweet_days, result.account_days) == (1, 3)


def test_running_it_again_gives_the_same_rows(busy_day, roll_up):
    roll_up()
    first = (tweet_days(), account_days())

    roll_up()

    assert (tweet_days(), account_days()) == first


def test_a_rerun_takes_in_what_changed(busy_day, roll_up, bob, carol, ann):
    roll_up()
    tweets.unlike(bob, busy_day)
    tweets.like(carol, Tweet.objects.get(text="nobody cares"))
    counters.count_impressions([busy_day.pk])

    roll_up()

    rows = {row.tweet_id: row for row in TweetDay.objects.all()}
    assert (rows[busy_day.pk].likes, rows[busy_day.pk].impressions) == (1, 4)
    assert len(rows) == 2
    assert AccountDay.objects.get(user=ann).likes == 2


def test_undone_engagement_leaves_no_row(ann, bob, post, roll_up, events):
    tweet = post(ann, "liked, then not")
    tweets.like(bob, tweet)
    with events():
        accounts.follow(bob, ann)
    roll_up()
    tweets.unlike(bob, tweet)
    with events():
        accounts.unfollow(bob, ann)
    tweets.delete_tweet(ann, tweet)  # nor posted any more

    roll_up()

    assert not TweetDay.objects.exists()
    assert not AccountDay.objects.filter(user=ann).exists()


def test_impressions_survive_a_flushed_redis(busy_day, roll_up, ann):
    roll_up()
    counters.client().flushdb()
    counters.count_impressions([busy_day.pk])  # counting starts again at 1

    roll_up()

    assert TweetDay.objects.get().impressions == 3
    row = AccountDay.objects.get(user=ann)
    assert (row.impressions, row.profile_visits, row.likes) == (3, 2, 2)


def test_redis_down_fails_the_roll_up_and_keeps_the_rows(busy_day, roll_up, settings):
    roll_up()
    before = (tweet_days(), account_days())
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    with pytest.raises(redis.ConnectionError):
        roll_up()

    assert (tweet_days(), account_days()) == before


def test_other_days_are_left_alone(busy_day, roll_up, ann, today):
    earlier = today - timedelta(days=10)
    AccountDay.objects.create(user=ann, day=earlier, impressions=7)

    roll_up()

    assert AccountDay.objects.get(user=ann, day=earlier).impressions == 7


def test_engagement_counts_on_the_day_it_happened(ann, bob, carol, post, roll_up, today):
    tweet = post(ann, "an older tweet")
    tweets.like(bob, tweet)
    tweets.like(carol, tweet)
    yesterday = today - timedelta(days=1)
    Like.objects.filter(user=bob).update(created_at=datetime.combine(yesterday, time(12), tzinfo=UTC))

    roll_up(yesterday)
    roll_up(today)

    assert {row.day: row.likes for row in TweetDay.objects.all()} == {yesterday: 1, today: 1}


def test_tweets_posted_count_by_their_id_day(ann, roll_up, today):
    yesterday = today - timedelta(days=1)
    noon = datetime.combine(yesterday, time(12), tzinfo=UTC)
    tweet_id = make_id(noon)
    Tweet.objects.create(
        id=tweet_id, author=ann, text="from yesterday", created_at=noon, conversation_id=tweet_id
    )

    roll_up(yesterday)
    roll_up(today)

    assert list(AccountDay.objects.values_list("day", "tweets")) == [(yesterday, 1)]


def test_first_id_at_finds_a_days_rows_by_id(ann, bob, carol, post, today):
    assert services.first_id_at(Like, datetime.now(UTC)) == 0  # no rows at all
    tweet = post(ann, "popular")
    likes = [tweets.like(user, tweet) for user in (ann, bob, carol)]
    start = datetime.combine(today, time.min, tzinfo=UTC)
    Like.objects.filter(pk=likes[0].pk).update(created_at=start - timedelta(hours=3))

    assert services.first_id_at(Like, start) == likes[1].pk
    assert services.first_id_at(Like, start - timedelta(days=1)) == likes[0].pk
    assert services.first_id_at(Like, start + timedelta(days=2)) == likes[2].pk + 1
