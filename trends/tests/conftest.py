"""Fixtures for the trends tests: hashtags, and uses counted at chosen instants."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from trends import counters

_tweet_ids = itertools.count(1)
_author_ids = itertools.count(1_000_000)

# A fixed instant, half-way through a 5-minute bucket and through its hour:
# the counters' keys expire relative to the present, not to this, so any
# instant works and the buckets are the same every run.
NOW = datetime(2026, 3, 10, 12, 32, 30, tzinfo=UTC)


@pytest.fixture
def tag(db):
    """tag("python") -> the Hashtag, made if missing."""
    from tweets.models import Hashtag

    def make(name):
        return Hashtag.objects.get_or_create(name=name)[0]

    return make


@pytest.fixture
def use():
    """use(hashtag, authors=3, at=NOW) counts `authors` new accounts (or the
    given author ids) each tweeting the tag once at `at`; returns the author ids."""

    def count(hashtag, authors=3, at=NOW):
        ids = list(authors) if not isinstance(authors, int) else [next(_author_ids) for _ in range(authors)]
        counters.count(counters.TaggedTweet(next(_tweet_ids), author, (hashtag.pk,), at) for author in ids)
        return ids

    return count


@pytest.fixture
def usual(use):
    """usual({hashtag: authors, ...}) gives each tag that many distinct
    authors in every hour of the 7 days before NOW's, rolled up hour by
    hour as the beat job would have: their baselines."""

    def fill(authors_per_tag, days=7):
        today = NOW.replace(hour=0, minute=0, second=0)
        for hour in range(days * 24):
            at = today - timedelta(hours=hour + 1) + timedelta(minutes=10)
            for hashtag, authors in authors_per_tag.items():
                use(hashtag, authors, at=at)
            counters.roll_up_hour(counters.hour_of(at))

    return fill
