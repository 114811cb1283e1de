"""PostgreSQL full-text search over the tweets table.

The index is the generated column tweets_tweet.search_vector with its
partial GIN index (search migration 0001). Visibility is the same Q as
every timeline's (tweets.selectors.visible_to), in the same query, so a
page is never short because of what the viewer may not see.

"Top" ranks the SEARCH_TOP_CANDIDATES newest matches by relevance
(ts_rank_cd) weighted by engagement: ranking every match of a common word
would read all of them, and on Twitter too "Top" means recent.
"""

from datetime import UTC, date, datetime, time
from functools import reduce
from operator import and_

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db.models import Exists, F, FloatField, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Ln

from accounts.queries import ids_in, planned_for_its_values
from accounts.selectors import Audience
from tweets.models import Tweet
from tweets.selectors import visible_originals
from tweets.snowflake import id_floor

from . import Lookup, Order

CONFIG = "simple"


def _vector():
    # Not a model field (search migration 0001 says why): named in SQL.
    return RawSQL('"tweets_tweet"."search_vector"', [], output_field=SearchVectorField())


def _text_query(lookup: Lookup, *, with_exclusions: bool) -> SearchQuery | None:
    """Every word and phrase as its own parameter, parsed by PostgreSQL the
    way the tweets' text was (a URL stays one lexeme, "well-known" matches
    its parts), so nothing typed is ever read as tsquery syntax."""
    query = lookup.query
    parts = [SearchQuery(word, search_type="plain", config=CONFIG) for word in query.words]
    parts += [SearchQuery(phrase, search_type="phrase", config=CONFIG) for phrase in query.phrases]
    if with_exclusions:
        parts += [~SearchQuery(text, search_type="phrase", config=CONFIG) for text in query.excluded]
    return reduce(and_, parts) if parts else None


def matching(lookup: Lookup, audience: Audience) -> QuerySet:
    """The originals matching `lookup` that the audience may see, unordered."""
    query = lookup.query
    tweets = Tweet.objects.filter(visible_originals(audience))
    if audience.muted:
        tweets = tweets.exclude(ids_in("author_id", audience.muted))
    text = _text_query(lookup, with_exclusions=True)
    if text is not None:
        tweets = tweets.alias(vector=_vector()).filter(vector=text)
    for name in query.hashtags:
        tweets = tweets.filter(
            Exists(
                Tweet.hashtags.through.objects.filter(
                    tweet_id=OuterRef("pk"), hashtag_id=lookup.hashtag_ids[name]
                )
            )
        )
    for name in query.mentions:
        tweets = tweets.filter(
            Exists(
                Tweet.mentions.through.objects.filter(tweet_id=OuterRef("pk"), user_id=lookup.user_ids[name])
            )
        )
    if query.from_user:
        tweets = tweets.filter(author_id=lookup.user_id(query.from_user))
    if query.to_user:
        tweets = tweets.filter(in_reply_to_author_id=lookup.user_id(query.to_user))
    # Ids are time-ordered: a day's bounds are id bounds, on the primary key.
    if query.since:
        tweets = tweets.filter(id__gte=id_floor(_day_start(query.since)))
    if query.until:
        tweets = tweets.filter(id__lt=id_floor(_day_start(query.until)))
    if "links" in query.has:
        tweets = tweets.filter(entities__urls__0__isnull=False)
    if "media" in query.has:
        # entities["media"]: the ids of the attachments a tweet shows.
        tweets = tweets.filter(entities__media__0__isnull=False)
    if query.lang:
        tweets = tweets.filter(language=query.lang)
    return tweets


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _engagement():
    interactions = F("likes_count") + 2 * F("retweets_count") + F("replies_count") + F("quotes_count")
    return Value(1.0) + Ln(Value(1.0) + Cast(interactions, FloatField()))


class PostgresBackend:
    indexes_on_events = False

    def tweet_ids(
        self, lookup: Lookup, audience: Audience, *, order: Order, limit: int, max_id: int | None, offset: int
    ) -> list[int]:
        with planned_for_its_values():
            return self._tweet_ids(lookup, audience, order=order, limit=limit, max_id=max_id, offset=offset)

    def _tweet_ids(self, lookup, audience, *, order, limit, max_id, offset) -> list[int]:
        tweets = matching(lookup, audience)
        if order == "latest":
            if max_id is not None:
                tweets = tweets.filter(id__lt=max_id)
            return list(tweets.order_by("-id").values_list("id", flat=True)[offset : offset + limit])

        # Two queries, not one with a subquery: the column is named in SQL
        # (_vector), and inside a subquery Django renames the table.
        window = settings.SEARCH_TOP_CANDIDATES
        newest = list(tweets.order_by("-id").values_list("id", flat=True)[:window])
        text = _text_query(lookup, with_exclusions=False)
        score = _engagement()
        if text is not None:
            score = SearchRank(_vector(), text, cover_density=True) * score
        ranked = (
            Tweet.objects.filter(ids_in("id", newest))
            .annotate(score=score)
            .order_by("-score", "-id")
            .values_list("id", flat=True)
        )
        return list(ranked[offset : min(offset + limit, window)])

    def index(self, tweet_ids: list[int]) -> None:
        """Nothing to do: the database keeps the column current."""

    def rebuild(self) -> int:
        """Nothing to rebuild; the count of searchable tweets, for the command's report."""
        return Tweet.objects.filter(retweet_of__isnull=True, deleted_at__isnull=True).count()
