"""Through a real Celery worker: a posted tweet's hashtags are counted,
once, and the beat job's task computes the list."""

import time

import pytest
from django.utils import timezone

from trends import counters, selectors
from trends.tasks import compute_trends
from tweets.models import Hashtag
from tweets.services import post_tweet

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Overrides the root fixture: tasks go through the broker to the worker."""
    compute_trends.app.conf.task_always_eager = False


def posts_now(name: str) -> int:
    tag = Hashtag.objects.filter(name=name).first()
    return counters.posts_24h([tag.pk], timezone.now())[tag.pk] if tag else 0


def wait_until(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_a_worker_counts_tweets_and_computes_the_trends(celery_worker_factory, make_user):
    celery_worker_factory()
    authors = [make_user(f"author{n}") for n in range(3)]
    for author in authors:
        post_tweet(author, "It is happening #Eclipse")
    post_tweet(authors[0], "again #eclipse")
    assert wait_until(lambda: posts_now("eclipse") == 4, timeout=20)

    compute_trends.delay()
    assert wait_until(lambda: selectors.current_trends().trends, timeout=20)
    [trend] = selectors.current_trends().trends
    assert (trend.hashtag.name, trend.posts_24h) == ("eclipse", 4)
