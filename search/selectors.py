"""Searching tweets, for the search page and the API, with either backend.

The backend finds ids; what is shown is decided here, the same way for
both: the tweets are loaded with the viewer's state and checked again with
the timelines' rule (tweets.selectors.can_see), so an index that lags
behind the database (a deletion, a new block) never shows what must not
be seen. PostgreSQL's backend has already applied the same rule in SQL.
"""

from dataclasses import dataclass

from django.conf import settings

from accounts.models import User
from accounts.selectors import Audience, audience_of, username_key
from tweets.models import Hashtag, Tweet
from tweets.selectors import attach_viewer_state, can_see, load_tweets

from .backends import Lookup, Order, backend
from .query import Query


@dataclass(frozen=True)
class Results:
    tweets: list
    next_max_id: int | None = None
    """"Latest": pass as max_id for the next page; None on the last."""
    next_offset: int | None = None
    """"Top": pass as offset for the next page; None on the last."""


def resolve(query: Query) -> Lookup | None:
    """The accounts and hashtags `query` names, by id; None when one of them
    does not exist (or is suspended), as nothing can match then."""
    user_ids = {}
    if query.usernames:
        rows = (
            User.objects.filter(is_active=True)
            .alias(key=username_key())
            .filter(key__in=sorted(query.usernames))
            .values_list("username", "pk")
        )
        user_ids = {username.lower(): pk for username, pk in rows}
    hashtag_ids = dict(Hashtag.objects.filter(name__in=query.hashtags).values_list("name", "pk"))
    if len(user_ids) < len(query.usernames) or len(hashtag_ids) < len(query.hashtags):
        return None
    return Lookup(query=query, user_ids=user_ids, hashtag_ids=hashtag_ids)


def _load(audience: Audience, ids: list[int]) -> list[Tweet]:
    # As the home timeline loads its ids: the rule checked on loaded rows
    # costs less than planning it again in SQL around a list of ids.
    by_id = {row.pk: row for row in load_tweets(ids)}
    shown = [
        by_id[pk]
        for pk in ids
        if pk in by_id and can_see(audience, by_id[pk]) and by_id[pk].author_id not in audience.muted
    ]
    return attach_viewer_state(shown, audience)


def search_tweets(
    viewer: User | None,
    query: Query,
    *,
    order: Order = "top",
    limit: int = 20,
    max_id: int | None = None,
    offset: int = 0,
) -> Results:
    """A page of original tweets (replies included) matching `query` that
    `viewer` may see, without accounts the viewer muted.

    "latest" pages by `max_id`, newest first; "top" by `offset`, over the
    SEARCH_TOP_CANDIDATES newest matches ranked by relevance and engagement.
    """
    lookup = resolve(query)
    if lookup is None or (order == "top" and offset >= settings.SEARCH_TOP_CANDIDATES):
        return Results(tweets=[])
    audience = audience_of(viewer)
    # One more than asked tells whether there is a next page.
    ids = backend().tweet_ids(lookup, audience, order=order, limit=limit + 1, max_id=max_id, offset=offset)
    more = len(ids) > limit
    ids = ids[:limit]
    tweets = _load(audience, ids)
    if order == "latest":
        return Results(tweets=tweets, next_max_id=ids[-1] if more else None)
    next_offset = offset + limit
    return Results(
        tweets=tweets,
        next_offset=next_offset if more and next_offset < settings.SEARCH_TOP_CANDIDATES else None,
    )
