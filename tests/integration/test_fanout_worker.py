"""Fanout through a real Celery worker, including one killed half-way."""

import time

import pytest

from accounts.models import Follow, User
from timelines import store
from tweets.services import delete_tweet, post_tweet

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def make_audience(count: int) -> tuple[User, list[int]]:
    """An author with `count` followers whose timelines are built (active readers)."""
    author = User.objects.create_user("author", password="x")
    followers = User.objects.bulk_create(
        User(username=f"f{i}", email=f"f{i}@example.com") for i in range(count)
    )
    Follow.objects.bulk_create(Follow(follower=f, followee=author) for f in followers)
    User.objects.filter(pk=author.pk).update(followers_count=count)
    author.refresh_from_db()
    for follower in followers:
        store.replace(follower.pk, [])
    return author, [f.pk for f in followers]


def holders(follower_ids: list[int], tweet_id: int) -> int:
    """How many of the followers' timelines hold the tweet."""
    pipe = store.client().pipeline(transaction=False)
    for follower_id in follower_ids:
        pipe.zscore(store.key(follower_id), store.pad(tweet_id))
    return sum(score is not None for score in pipe.execute())


def wait_until(condition, timeout: float, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    return condition()


def test_a_real_worker_fans_out_and_retracts(celery_worker_factory):
    author, follower_ids = make_audience(200)
    celery_worker_factory()

    tweet = post_tweet(author, "to all my followers")
    assert wait_until(lambda: holders(follower_ids, tweet.pk) == len(follower_ids), timeout=20)

    delete_tweet(author, tweet)
    assert wait_until(lambda: holders(follower_ids, tweet.pk) == 0, timeout=20)


def test_worker_killed_mid_fanout_leaves_every_timeline_complete_once(celery_worker_factory):
    author, follower_ids = make_audience(3000)
    # Small, paced batches make the fanout last seconds, so it can be killed
    # half-way; a short visibility timeout hands the task on quickly.
    slow = {
        "TIMELINE_FANOUT_BATCH_SIZE": 100,
        "TIMELINE_FANOUT_BATCH_DELAY_MS": 100,
        "CELERY_VISIBILITY_TIMEOUT": 5,
        "CELERY_RESTORE_INTERVAL": 1,
    }
    first = celery_worker_factory(**slow)

    tweet = post_tweet(author, "fanout that survives a crash")
    partial = wait_until(lambda: 0 < holders(follower_ids, tweet.pk) < len(follower_ids) // 2, timeout=20)
    assert partial, "the fanout never started"
    first.kill()
    done_before_restart = holders(follower_ids, tweet.pk)
    assert 0 < done_before_restart < len(follower_ids)

    celery_worker_factory(**slow)
    assert wait_until(lambda: holders(follower_ids, tweet.pk) == len(follower_ids), timeout=60), (
        f"{holders(follower_ids, tweet.pk)} of {len(follower_ids)} timelines hold the tweet"
    )
    # No duplicates: each timeline holds the sentinel and this one tweet.
    pipe = store.client().pipeline(transaction=False)
    for follower_id in follower_ids:
        pipe.zcard(store.key(follower_id))
    assert set(pipe.execute()) == {2}
