"""Celery tasks of search (queue "search"): keep an external index current.

Thin and idempotent: indexing a tweet twice writes the same document, and
a tweet that is gone by the time the task runs is removed instead.
"""

from celery import shared_task

from .backends import backend


@shared_task
def index_tweets(tweet_ids: list[int]) -> None:
    backend().index(tweet_ids)
