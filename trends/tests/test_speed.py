"""The benchmark's target, checked: one computation over an hour of 100,000
hashtag uses (5,000 tags, Zipf-distributed) takes under a second."""

import random
import time
from datetime import timedelta

import pytest

from trends import counters, services
from tweets.models import Hashtag

from .conftest import NOW

USES = 100_000
TAGS = 5_000
AUTHORS = 20_000


@pytest.fixture
def busy_hour(db, settings):
    """An hour of uses spread over the hour before NOW, and a week of
    rolled-up baselines in which every tag had a few authors an hour."""
    rng = random.Random(42)
    tags = [tag.pk for tag in Hashtag.objects.bulk_create(Hashtag(name=f"tag{n}") for n in range(TAGS))]
    # Zipf (s = 1): the n-th most used tag gets 1/n of the top one's uses.
    chosen = rng.choices(tags, weights=[1 / rank for rank in range(1, TAGS + 1)], k=USES)
    counters.count(
        counters.TaggedTweet(n, rng.randrange(AUTHORS), (tag,), NOW - timedelta(seconds=rng.randrange(3600)))
        for n, tag in enumerate(chosen, start=1)
    )
    today = counters.day_of(NOW)
    pipe = counters.client().pipeline(transaction=False)
    for day in range(today - settings.TRENDS_BASELINE_DAYS, today):
        pipe.hset(
            counters.rollup_key(day), mapping={"hours": 24, **{tag: rng.randrange(24 * 3) for tag in tags}}
        )
    pipe.execute()


def test_one_computation_over_an_hour_of_100k_uses_takes_under_a_second(busy_hour, settings):
    started = time.perf_counter()
    trends = services.compute_trends(now=NOW)  # rolls up the hour just completed, too
    first = time.perf_counter() - started
    started = time.perf_counter()
    services.compute_trends(now=NOW + timedelta(seconds=60))
    steady = time.perf_counter() - started
    assert len(trends) == settings.TRENDS_LIMIT
    assert first < 1.0
    assert steady < 1.0
