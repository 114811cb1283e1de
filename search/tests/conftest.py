"""Fixtures for the search tests: the same tests run against each backend.

PostgreSQL always; Elasticsearch when ELASTICSEARCH_URL names a server
(each test gets its own throwaway index), else that run is skipped and
says why.
"""

import contextlib
import os
import uuid

import pytest

from search.backends import backend
from search.query import parse
from search.selectors import search_tweets

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")


@pytest.fixture(
    params=[
        "postgres",
        pytest.param(
            "elasticsearch",
            marks=pytest.mark.skipif(
                not ELASTICSEARCH_URL,
                reason="no Elasticsearch server: set ELASTICSEARCH_URL to run these tests against one",
            ),
        ),
    ]
)
def search_backend(request, settings, db):
    """The backend under test, empty."""
    if request.param == "postgres":
        yield backend()
        return
    from elasticsearch import NotFoundError

    settings.ELASTICSEARCH_URL = ELASTICSEARCH_URL
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:12]}"
    engine = backend()
    engine.rebuild()
    yield engine
    with contextlib.suppress(NotFoundError):
        engine.client.indices.delete(index=engine.index_name)


@pytest.fixture
def tweet(search_backend, events):
    """tweet(author, "text", **options): posted and indexed."""
    from tweets.services import post_tweet

    def make(author, text, **options):
        with events():
            return post_tweet(author, text, **options)

    return make


@pytest.fixture
def found(search_backend):
    """found(viewer, "query", order="latest") -> the texts found, in order."""

    def run(viewer, text, order="latest", **page):
        return [row.text for row in search_tweets(viewer, parse(text), order=order, **page).tweets]

    return run
