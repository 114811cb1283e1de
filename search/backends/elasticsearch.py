"""Elasticsearch through django-elasticsearch-dsl, when ELASTICSEARCH_URL is set.

The index holds searchable tweets (originals, not tombstones) as
search.documents.TweetDocument, kept current by the `search` queue's tasks.
Queries filter by what the viewer may see as far as the document knows
(open to all, the viewer's own, followed accounts; never blocked or muted
authors); search.selectors then checks every hit against PostgreSQL, so a
document a moment behind the database (a deletion, an account made
protected) is never shown.

"Top" is BM25 relevance times log(2 + engagement), with a gentle decay by
age, over every match: Elasticsearch ranks all of them cheaply, where
PostgreSQL ranks only the newest few hundred.
"""

import contextlib
from datetime import UTC, date, datetime, time

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.dsl import Q
from elasticsearch.helpers import bulk

from accounts.queries import ids_in
from accounts.selectors import Audience
from tweets.snowflake import id_floor

from ..documents import TweetDocument
from . import Lookup, Order

TEXT_FIELDS = ["text", "spoiler_text"]
BATCH = 2_000


def _day_start(day: date) -> int:
    return id_floor(datetime.combine(day, time.min, tzinfo=UTC))


def _matches(text: str, *, phrase: bool) -> Q:
    kind = "phrase" if phrase else "best_fields"
    # match queries analyse the text: nothing typed is read as Lucene syntax.
    return Q("multi_match", query=text, fields=TEXT_FIELDS, type=kind, operator="and")


def build_query(lookup: Lookup, audience: Audience) -> Q:
    """The bool query for `lookup` as `audience` may see it (public for tests)."""
    query = lookup.query
    must = [_matches(word, phrase=False) for word in query.words]
    must += [_matches(phrase, phrase=True) for phrase in query.phrases]
    must_not = [_matches(text, phrase=True) for text in query.excluded]
    filters = [Q("term", hashtags=name) for name in query.hashtags]
    filters += [Q("term", mention_ids=lookup.user_ids[name]) for name in query.mentions]
    if query.from_user:
        filters.append(Q("term", author_id=lookup.user_id(query.from_user)))
    if query.to_user:
        filters.append(Q("term", in_reply_to_author_id=lookup.user_id(query.to_user)))
    bounds = {}
    if query.since:
        bounds["gte"] = _day_start(query.since)
    if query.until:
        bounds["lt"] = _day_start(query.until)
    if bounds:
        filters.append(Q("range", id=bounds))
    if "links" in query.has:
        filters.append(Q("term", has_links=True))
    if "media" in query.has:
        filters.append(Q("term", has_media=True))
    if query.lang:
        filters.append(Q("term", language=query.lang))

    reach = [Q("term", open_to_all=True)]
    if audience.viewer_id is not None:
        reach.append(Q("terms", author_id=sorted({audience.viewer_id, *audience.following})))
    filters.append(Q("bool", should=reach, minimum_should_match=1))
    hidden = audience.blocked | audience.muted
    if hidden:
        must_not.append(Q("terms", author_id=sorted(hidden)))
    return Q("bool", must=must, must_not=must_not, filter=filters)


class ElasticsearchBackend:
    indexes_on_events = True

    def __init__(self, url: str, index_name: str):
        self.client = Elasticsearch(url, request_timeout=10)
        self.index_name = index_name
        TweetDocument._index._name = index_name

    def tweet_ids(
        self, lookup: Lookup, audience: Audience, *, order: Order, limit: int, max_id: int | None, offset: int
    ) -> list[int]:
        query = build_query(lookup, audience)
        search = TweetDocument.search(using=self.client).source(False)
        if order == "latest":
            if max_id is not None:
                query &= Q("range", id={"lt": max_id})
            search = search.query(query).sort({"id": "desc"})
        else:
            scored = Q(
                "function_score",
                query=query,
                functions=[
                    {"field_value_factor": {"field": "engagement", "modifier": "ln2p", "missing": 0}},
                    {"gauss": {"id": {"origin": id_floor(datetime.now(UTC)), "scale": _WEEK_OF_IDS}}},
                ],
                score_mode="multiply",
            )
            search = search.query(scored).sort("_score", {"id": "desc"})
        response = search[offset : offset + limit].execute()
        return [int(hit.meta.id) for hit in response]

    def index(self, tweet_ids: list[int]) -> None:
        """Index the searchable tweets of `tweet_ids`; remove the others
        (deleted, or never searchable) from the index."""
        document = TweetDocument()
        tweets = list(document.get_queryset().filter(ids_in("id", tweet_ids)))
        gone = set(tweet_ids) - {tweet.pk for tweet in tweets}
        actions = list(document.get_actions(tweets, "index"))
        actions += [{"_op_type": "delete", "_index": self.index_name, "_id": pk} for pk in sorted(gone)]
        # A delete of a document never indexed is a 404: nothing to undo.
        bulk(self.client, actions, raise_on_error=False, refresh="wait_for")

    def rebuild(self) -> int:
        """Drop and recreate the index, then index every searchable tweet."""
        with contextlib.suppress(NotFoundError):
            self.client.indices.delete(index=self.index_name)
        TweetDocument.init(using=self.client)
        document = TweetDocument()
        done, _ = bulk(
            self.client, document.get_actions(document.get_indexing_queryset(), "index"), chunk_size=BATCH
        )
        self.client.indices.refresh(index=self.index_name)
        return done


# Snowflake ids grow by 2**22 per millisecond: a week of them, the decay's scale.
_WEEK_OF_IDS = 7 * 24 * 3600 * 1000 << 22
