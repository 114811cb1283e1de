"""Search backends behind one interface: PostgreSQL by default,
Elasticsearch when ELASTICSEARCH_URL is set.

A backend answers one question: the ids of the original tweets matching a
parsed query that a viewer may see, newest first ("latest") or by
relevance and engagement ("top"). search.selectors resolves names to ids
before, and loads, checks and renders the tweets after, the same way for
both, so the two differ only in how they find ids.
"""

from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

from django.conf import settings

from accounts.selectors import Audience

from ..query import Query

Order = Literal["top", "latest"]


@dataclass(frozen=True)
class Lookup:
    """A parsed query with the accounts and hashtags it names resolved."""

    query: Query
    user_ids: dict[str, int]  # username (lower case) -> id
    hashtag_ids: dict[str, int]  # name -> id

    def user_id(self, username: str | None) -> int | None:
        return self.user_ids[username] if username else None


class Backend(Protocol):
    # Whether tweets reach it through the `search` queue's tasks; the
    # PostgreSQL backend reads the tweets table itself.
    indexes_on_events: bool

    def tweet_ids(
        self, lookup: Lookup, audience: Audience, *, order: Order, limit: int, max_id: int | None, offset: int
    ) -> list[int]: ...

    def index(self, tweet_ids: list[int]) -> None: ...

    def rebuild(self) -> int: ...


@cache
def _backend(url: str, index_prefix: str) -> Backend:
    if url:
        from .elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(url, f"{index_prefix}-tweets")
    from .postgres import PostgresBackend

    return PostgresBackend()


def backend() -> Backend:
    """The configured backend (one per setting, so tests may switch)."""
    return _backend(settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX_PREFIX)
