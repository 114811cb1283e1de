"""Reads of tweets, with visibility in one place: `visible_tweets`.

A tweet is visible to a viewer when it is not deleted, its author is not
suspended, neither blocks the other, and its audience includes the viewer
(public and unlisted tweets of unprotected accounts reach everyone; the
rest reach the author and the author's followers). A retweet is visible
when the retweet and its original both are.
"""

import copy
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Collate, Length

from accounts.models import User
from accounts.queries import ids_in
from accounts.selectors import Audience, audience_of
from media import selectors as media_selectors

from . import cache as tweet_cache
from .models import Bookmark, Hashtag, Like, Tweet, TweetVersion, Visibility

OPEN_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)
# What a hashtag name can hold (tweets.text): letters, digits, marks, "_".
_TAG_WORD = re.compile(r"\w+")
# What a page renders of a tweet row, loaded with it.
RELATED = (
    "author",
    "retweet_of__author",
    "retweet_of__quote_of__author",
    "retweet_of__in_reply_to_author",
    "quote_of__author",
    "in_reply_to_author",
)


def _audience_q(audience: Audience, prefix: str = "") -> Q:
    def field(name):
        return f"{prefix}{name}"

    alive = Q(**{field("deleted_at__isnull"): True, field("author__is_active"): True})
    open_to_all = Q(**{field("visibility__in"): OPEN_VISIBILITIES, field("author__is_protected"): False})
    if audience.viewer_id is None:
        return alive & open_to_all
    reach = open_to_all | Q(**{field("author_id"): audience.viewer_id})
    if audience.following:
        reach |= ids_in(field("author_id"), audience.following)
    visible = alive & reach
    if audience.blocked:
        visible &= ~ids_in(field("author_id"), audience.blocked)
    return visible


def visible_to(audience: Audience, prefix: str = "") -> Q:
    """The rule of `visible_tweets` as a Q, on a relation to tweets when
    `prefix` names one ("tweet__" filters rows that point at a tweet)."""
    original = Q(**{f"{prefix}retweet_of__isnull": True}) | _audience_q(
        audience, prefix=f"{prefix}retweet_of__"
    )
    return _audience_q(audience, prefix) & original


def visible_originals(audience: Audience) -> Q:
    """`visible_to` for originals only (no retweet rows): without the
    retweet's original to check, the query needs no join to it."""
    return Q(retweet_of__isnull=True) & _audience_q(audience)


def visible_tweets(viewer: User | None, audience: Audience | None = None) -> QuerySet:
    """Every tweet row (originals and retweets) `viewer` may see; None is anonymous.

    Pass the viewer's `audience` (accounts.selectors.audience_of) when a
    request builds several querysets, to fetch it once.
    """
    return Tweet.objects.filter(visible_to(audience or audience_of(viewer)))


def with_viewer_state(queryset: QuerySet, viewer: User | None, audience: Audience | None = None) -> QuerySet:
    """Add what a page needs to render a list of tweets without N+1 queries.

    Each row gets `liked`, `retweeted` and `bookmarked` for the viewer,
    computed on the original when the row is a retweet, and
    `quote_visible`: whether the viewer may see the tweet it quotes.
    """
    audience = audience or audience_of(viewer)
    quoted = Coalesce(OuterRef("retweet_of__quote_of_id"), OuterRef("quote_of_id"))
    queryset = queryset.select_related(*RELATED).annotate(
        quote_visible=Exists(Tweet.objects.filter(_audience_q(audience), pk=quoted))
    )
    if audience.viewer_id is None:
        return queryset
    original = Coalesce(OuterRef("retweet_of_id"), OuterRef("id"))
    return queryset.annotate(
        liked=Exists(Like.objects.filter(user_id=audience.viewer_id, tweet_id=original)),
        retweeted=Exists(Tweet.objects.filter(author_id=audience.viewer_id, retweet_of_id=original)),
        bookmarked=Exists(Bookmark.objects.filter(user_id=audience.viewer_id, tweet_id=original)),
    )


def _reaches(audience: Audience, tweet: Tweet) -> bool:
    """`_audience_q` for one loaded tweet (its author loaded too)."""
    if tweet.deleted_at is not None or not tweet.author.is_active:
        return False
    open_to_all = tweet.visibility in OPEN_VISIBILITIES and not tweet.author.is_protected
    if audience.viewer_id is None:
        return open_to_all
    if tweet.author_id in audience.blocked:
        return False
    return open_to_all or tweet.author_id == audience.viewer_id or tweet.author_id in audience.following


def can_see(audience: Audience, tweet: Tweet) -> bool:
    """`visible_tweets` for one loaded tweet: the same rule, evaluated in Python.

    For lists whose ids come from elsewhere (Redis timelines), checking
    loaded rows costs less than planning the rule's SQL for each reader's
    id lists. tests/test_visibility_agrees.py holds the two forms equal.
    """
    return _reaches(audience, tweet) and (tweet.retweet_of_id is None or _reaches(audience, tweet.retweet_of))


def load_tweets(ids) -> list:
    """Tweet rows by id with everything a page renders, newest first; no filtering.

    They come from the tweet cache (tweets.cache), the misses from
    PostgreSQL. Callers decide visibility with `can_see` and add
    `attach_viewer_state`.
    """
    return tweet_cache.load(ids)


def attach_viewer_state(rows: list, audience: Audience) -> list:
    """What `with_viewer_state` annotates, for loaded rows: one query at most."""
    originals = {row.retweet_of_id or row.pk for row in rows}
    found: dict[str, set[int]] = {"l": set(), "r": set(), "b": set()}
    if audience.viewer_id is not None and originals:
        tables = {model: model._meta.db_table for model in (Like, Tweet, Bookmark)}
        sql = f"""
            SELECT 'l', tweet_id FROM {tables[Like]} WHERE user_id = %(viewer)s AND tweet_id = ANY(%(ids)s)
            UNION ALL SELECT 'r', retweet_of_id FROM {tables[Tweet]}
                WHERE author_id = %(viewer)s AND retweet_of_id = ANY(%(ids)s)
            UNION ALL SELECT 'b', tweet_id FROM {tables[Bookmark]}
                WHERE user_id = %(viewer)s AND tweet_id = ANY(%(ids)s)
        """  # noqa: S608 - table names come from the models; values are parameters
        with connection.cursor() as cursor:
            cursor.execute(sql, {"viewer": audience.viewer_id, "ids": sorted(originals)})
            for kind, tweet_id in cursor.fetchall():
                found[kind].add(tweet_id)
    for row in rows:
        original = row.retweet_of_id or row.pk
        shown = row.shown
        row.liked = original in found["l"]
        row.retweeted = original in found["r"]
        row.bookmarked = original in found["b"]
        row.quote_visible = bool(shown.quote_of_id) and _reaches(audience, shown.quote_of)
    return attach_media(rows)


def attach_media(rows: list) -> list:
    """Set `media` (a list of attachments) on each tweet among `rows`, and
    on the retweeted and quoted tweets loaded with them: one query, and
    none when no tweet has media (entities["media"] says which do). Rows
    that are not tweets are left alone."""
    shown = [row for row in rows if isinstance(row, Tweet)]
    # Retweeted originals first, so that the quotes of those are found too.
    for field in ("retweet_of", "quote_of"):
        relation = Tweet._meta.get_field(field)
        shown += [
            related for tweet in shown if relation.is_cached(tweet) and (related := getattr(tweet, field))
        ]
    # Tweets from the tweet cache carry their media already.
    shown = [tweet for tweet in shown if not hasattr(tweet, "media")]
    wanted = {tweet.pk: tweet.entities["media"] for tweet in shown if (tweet.entities or {}).get("media")}
    found = media_selectors.of_tweets(wanted) if wanted else {}
    for tweet in shown:
        tweet.media = found.get(tweet.pk, [])
    return rows


@dataclass(frozen=True)
class Page:
    items: list
    next_max_id: int | None
    """Pass as max_id to get the next (older) page; None on the last page."""


def page_by_id(
    queryset: QuerySet,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
    key: str = "id",
) -> Page:
    """A page of rows cut by id, Mastodon's way.

    max_id: older than; since_id: newer than (newest first); min_id: newer
    than, the oldest first, so a client can walk forward without gaps.
    """
    if max_id is not None:
        queryset = queryset.filter(**{f"{key}__lt": max_id})
    if since_id is not None:
        queryset = queryset.filter(**{f"{key}__gt": since_id})
    if min_id is not None:
        rows = list(queryset.filter(**{f"{key}__gt": min_id}).order_by(key)[:limit])
        rows.reverse()
    else:
        rows = list(queryset.order_by(f"-{key}")[: limit + 1])
    has_more = len(rows) > limit
    rows = attach_media(rows[:limit])
    next_max_id = getattr(rows[-1], key) if rows and has_more else None
    return Page(items=rows, next_max_id=next_max_id)


def get_tweet(viewer: User | None, tweet_id: int) -> Tweet | None:
    audience = audience_of(viewer)
    return with_viewer_state(visible_tweets(viewer, audience), viewer, audience).filter(pk=tweet_id).first()


def get_tweets(viewer: User | None, tweet_ids) -> list:
    """The rows among `tweet_ids` that `viewer` may see, in the order asked."""
    audience = audience_of(viewer)
    rows = with_viewer_state(visible_tweets(viewer, audience), viewer, audience).filter(
        id__any=list(tweet_ids)
    )
    found = {row.pk: row for row in attach_media(list(rows))}
    return [found[pk] for pk in dict.fromkeys(tweet_ids) if pk in found]


def get_hashtag(name: str) -> Hashtag | None:
    return Hashtag.objects.filter(name=name.lstrip("#").lower()).first()


def user_tweets(
    viewer: User | None,
    author: User,
    *,
    with_replies: bool = False,
    with_retweets: bool = True,
    tagged: str | None = None,
) -> QuerySet:
    """A profile's tweets and retweets that `viewer` may see; replies to
    others only on the "replies" tab (`with_replies`); `tagged`: only
    originals with that hashtag. Empty when either blocks the other."""
    audience = audience_of(viewer)
    queryset = visible_tweets(viewer, audience).filter(author=author)
    if not with_replies:
        # A reply to oneself (a thread) stays on the main tab, as on Twitter.
        queryset = queryset.filter(Q(in_reply_to_author__isnull=True) | Q(in_reply_to_author=author))
    if not with_retweets:
        queryset = queryset.filter(retweet_of__isnull=True)
    if tagged:
        queryset = queryset.filter(hashtags__name=tagged.lower().lstrip("#"))
    return with_viewer_state(queryset, viewer, audience)


def liked_tweets(viewer: User | None, user: User) -> QuerySet:
    """Tweets `user` liked that `viewer` may see, most recently liked first.

    Paged by the like's id (`like_id`), since likes are newer than tweets.
    """
    audience = audience_of(viewer)
    return with_viewer_state(
        visible_tweets(viewer, audience).filter(likes__user=user).annotate(like_id=F("likes__id")),
        viewer,
        audience,
    ).order_by("-like_id")


def bookmarked_tweets(user: User) -> QuerySet:
    """Tweets `user` bookmarked and may still see, most recently bookmarked first.

    Paged by the bookmark's id (`bookmark_id`), as Mastodon pages bookmarks.
    """
    audience = audience_of(user)
    return with_viewer_state(
        visible_tweets(user, audience).filter(bookmarks__user=user).annotate(bookmark_id=F("bookmarks__id")),
        user,
        audience,
    ).order_by("-bookmark_id")


def likers(viewer: User | None, tweet: Tweet) -> QuerySet:
    """Active accounts that liked `tweet`, most recent like first, without
    accounts that block `viewer` or that `viewer` blocks. Paged by `like_id`.

    The caller has checked that `viewer` may see the tweet.
    """
    audience = audience_of(viewer)
    users = User.objects.filter(is_active=True, likes__tweet_id=tweet.retweet_of_id or tweet.pk)
    if audience.blocked:
        users = users.exclude(ids_in("id", audience.blocked))
    return users.annotate(like_id=F("likes__id")).order_by("-like_id")


def retweeters(viewer: User | None, tweet: Tweet) -> QuerySet:
    """Accounts whose retweet of `tweet` `viewer` may see, most recent first.

    Paged by the retweet's id (`retweet_id`). The caller has checked that
    `viewer` may see the tweet.
    """
    audience = audience_of(viewer)
    retweets = visible_tweets(viewer, audience).filter(retweet_of_id=tweet.retweet_of_id or tweet.pk)
    return (
        User.objects.filter(tweets__in=retweets).annotate(retweet_id=F("tweets__id")).order_by("-retweet_id")
    )


def _without_muted(queryset: QuerySet, audience: Audience) -> QuerySet:
    # Timelines nobody curated (public, hashtags) hide muted accounts, as
    # the home timeline does; a profile or a thread still shows them.
    return queryset.exclude(ids_in("author_id", audience.muted)) if audience.muted else queryset


def hashtag_tweets(viewer: User | None, tag: str, *more_tags: str) -> QuerySet:
    """Originals tagged with `tag` (or any of `more_tags`) that `viewer` may
    see, without accounts the viewer muted."""
    audience = audience_of(viewer)
    names = list(dict.fromkeys(name.lower() for name in (tag, *more_tags)))
    queryset = visible_tweets(viewer, audience).filter(hashtags__name__in=names, retweet_of__isnull=True)
    if len(names) > 1:
        queryset = queryset.distinct()  # a tweet with two of the tags joins twice
    return with_viewer_state(_without_muted(queryset, audience), viewer, audience)


def in_public_timeline(tweet: Tweet) -> bool:
    """`public_tweets`' rule for one loaded tweet (its author loaded too)."""
    return tweet.visibility == Visibility.PUBLIC and not tweet.author.is_protected and not tweet.retweet_of_id


def public_tweets(viewer: User | None) -> QuerySet:
    """The public timeline: public originals of open accounts, no retweets,
    without accounts the viewer muted."""
    audience = audience_of(viewer)
    queryset = visible_tweets(viewer, audience).filter(
        visibility=Visibility.PUBLIC, author__is_protected=False, retweet_of__isnull=True
    )
    return with_viewer_state(_without_muted(queryset, audience), viewer, audience)


@dataclass(frozen=True)
class Thread:
    ancestors: list
    tweet: Tweet
    replies: list


def thread(viewer: User | None, tweet: Tweet, *, max_replies: int = 200) -> Thread:
    """The tweet's visible ancestors (root first) and replies below it.

    One query for the whole conversation; replies come depth-first so a
    reply follows the tweet it answers. Rows the viewer can't see (a
    deleted tweet's tombstone, a blocked author's reply) still link the
    thread, so the visible tweets around them keep their place.
    """
    audience = audience_of(viewer)
    rows = list(
        with_viewer_state(
            Tweet.objects.filter(conversation_id=tweet.conversation_id, retweet_of__isnull=True).annotate(
                is_visible=ExpressionWrapper(_audience_q(audience), output_field=BooleanField())
            ),
            viewer,
            audience,
        ).order_by("id")[: max_replies + 200]
    )
    by_id = {row.pk: row for row in rows}
    ancestors, parent_id = [], tweet.in_reply_to_id
    while parent_id and parent_id in by_id:
        ancestors.append(by_id[parent_id])
        parent_id = by_id[parent_id].in_reply_to_id
    ancestors = [row for row in reversed(ancestors) if row.is_visible]
    children: dict[int, list] = {}
    for row in rows:
        if row.in_reply_to_id:
            children.setdefault(row.in_reply_to_id, []).append(row)
    replies, stack = [], list(reversed(children.get(tweet.pk, [])))
    while stack and len(replies) < max_replies:
        row = stack.pop()
        if row.is_visible:
            replies.append(row)
        stack.extend(reversed(children.get(row.pk, [])))
    return Thread(ancestors=ancestors, tweet=tweet, replies=replies)


def versions(tweet: Tweet) -> list:
    """Every text the tweet has had, oldest first, ending with the current
    one; each with `shown_media`, its attachments with the alt text they
    had then (one more query, when any version has media)."""
    earlier = list(TweetVersion.objects.filter(tweet=tweet))
    current = TweetVersion(
        tweet=tweet,
        text=tweet.text,
        spoiler_text=tweet.spoiler_text,
        sensitive=tweet.sensitive,
        media=[{"id": media_id} for media_id in (tweet.entities or {}).get("media") or []],
        created_at=tweet.edited_at or tweet.created_at,
    )
    revisions = [*earlier, current]
    attached = media_selectors.every_of_tweet(tweet.pk) if any(v.media for v in revisions) else {}
    for version in revisions:
        version.shown_media = []
        for entry in version.media:
            item = attached.get(entry["id"])
            if item is None:
                continue
            if "description" in entry:
                item = copy.copy(item)
                item.description = entry["description"]
            version.shown_media.append(item)
    return revisions


def edits_left(tweet: Tweet) -> int:
    return max(0, settings.TWEET_MAX_EDITS - TweetVersion.objects.filter(tweet=tweet).count())


def search_hashtags(query: str, *, limit: int, offset: int = 0) -> list[Hashtag]:
    """Hashtags whose name starts with a word of `query` (with or without
    "#", any case): exact names first, then the shortest."""
    prefixes = sorted({word.lower() for word in _TAG_WORD.findall(query)})
    if not prefixes:
        return []
    # Names are stored lower case; in the "C" collation LIKE 'prefix%' can
    # use the tweets_hashtag_name_prefix index.
    starts = Q()
    for prefix in prefixes:
        starts |= Q(key__startswith=prefix)
    rows = (
        Hashtag.objects.annotate(key=Collate("name", "C"))
        .filter(starts)
        .annotate(
            exact=Case(When(name__in=prefixes, then=Value(0)), default=Value(1), output_field=IntegerField()),
            length=Length("name"),
        )
    )
    return list(rows.order_by("exact", "length", "name")[offset : offset + limit])
