"""Reactions to the tweets app's events: keep the search index current.

The PostgreSQL backend needs none (the database keeps its column current);
an external index (Elasticsearch) gets a task per event, after commit.
"""

from django.dispatch import receiver

from tweets import signals as tweet_signals

from . import tasks
from .backends import backend


def _reindex(tweet_id: int) -> None:
    if backend().indexes_on_events:
        tasks.index_tweets.delay([tweet_id])


@receiver(tweet_signals.tweet_posted, dispatch_uid="search.index_posted")
def on_tweet_posted(tweet_id, **kwargs):
    _reindex(tweet_id)


@receiver(tweet_signals.tweet_edited, dispatch_uid="search.index_edited")
def on_tweet_edited(tweet_id, **kwargs):
    _reindex(tweet_id)


@receiver(tweet_signals.tweet_deleted, dispatch_uid="search.index_deleted")
def on_tweet_deleted(tweet_id, **kwargs):
    _reindex(tweet_id)
