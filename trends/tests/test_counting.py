"""Counting hashtag uses: distinct authors, once per tweet, only tweets anyone may see."""

from datetime import timedelta

from django.utils import timezone

from accounts import services as accounts
from trends import counters, services, tasks
from tweets import services as tweets

from .conftest import NOW


def authors_now(hashtag) -> int:
    now = timezone.now()
    return counters.distinct_authors(counters.window_buckets(now)).get(hashtag.pk, 0)


def posts_now(hashtag) -> int:
    return counters.posts_24h([hashtag.pk], timezone.now())[hashtag.pk]


def test_a_new_tweet_is_counted_through_its_event(events, ann, post, tag):
    with events():
        post(ann, "Hello #Python and #django")
    assert authors_now(tag("python")) == 1
    assert authors_now(tag("django")) == 1
    assert posts_now(tag("python")) == 1


def test_one_account_counts_once_however_often_it_tweets_the_tag(events, ann, bob, post, tag):
    with events():
        for n in range(50):
            post(ann, f"#spam number {n}")
        post(bob, "me too #spam")
    assert authors_now(tag("spam")) == 2
    assert posts_now(tag("spam")) == 51


def test_a_tweet_counts_once_however_often_its_task_runs(ann, post, tag):
    tweet = post(ann, "#once")
    assert tasks.count_hashtags(tweet.pk) is True
    assert tasks.count_hashtags(tweet.pk) is False
    assert services.count_tweet(tweet.pk) is False
    assert posts_now(tag("once")) == 1
    assert authors_now(tag("once")) == 1


def test_only_what_anyone_may_see_is_counted(events, make_user, ann, bob, post, tag):
    pat = make_user("pat", is_protected=True)
    with events():
        post(pat, "protected #hidden")
        post(ann, "followers only #hidden", visibility="private")
        original = post(bob, "original #shared")
        tweets.retweet(ann, original)
        post(ann, "quietly #shared", visibility="unlisted")
    assert posts_now(tag("hidden")) == 0
    # The original and the unlisted tweet; the retweet adds nothing.
    assert posts_now(tag("shared")) == 2


def test_deleted_tweets_and_suspended_authors_are_not_counted(ann, bob, moderator, post, tag):
    gone = post(ann, "#later")
    tweets.delete_tweet(ann, gone)
    suspended = post(bob, "#later")
    accounts.suspend(moderator, bob)
    assert services.count_tweet(gone.pk) is False
    assert services.count_tweet(suspended.pk) is False
    assert services.count_tweet(123456789) is False
    assert posts_now(tag("later")) == 0


def test_a_tweet_without_hashtags_is_nothing_to_count(ann, post):
    tweet = post(ann, "no tags here")
    assert services.count_tweet(tweet.pk) is False


def test_the_window_is_the_last_hour_of_buckets(use, tag):
    python = tag("python")
    use(python, 3, at=NOW - timedelta(minutes=50))
    use(python, 2, at=NOW - timedelta(minutes=65))
    buckets = counters.window_buckets(NOW)
    assert len(buckets) == 12
    assert counters.distinct_authors(buckets) == {python.pk: 3}
    assert counters.distinct_authors(counters.window_buckets(NOW - timedelta(minutes=15))) == {python.pk: 5}


def test_few_uses_cannot_make_enough_authors(use, tag):
    python, rare = tag("python"), tag("rare")
    use(python, 3)
    use(rare, 2)
    assert counters.distinct_authors(counters.window_buckets(NOW), min_uses=3) == {python.pk: 3}
