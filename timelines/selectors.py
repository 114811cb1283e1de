"""Timeline reads.

The home timeline comes from the Redis store (timelines.store), filled by
fanout, merged at read time with the tweets of very popular accounts (their
outboxes, in the same Redis round trip), and hydrated from the tweet cache
with the home rules applied again in Python, so blocks, mutes, deletions,
suspensions and visibility apply even to ids a race left in Redis. With
HOME_TIMELINE_SOURCE="database", or when Redis is unreachable, the same page
comes from the read-time query over follows (`home_timeline`).
"""

import logging
import time

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.queries import ids_in
from accounts.selectors import Audience, audience_of
from tweets.models import Tweet
from tweets.selectors import (
    Page,
    attach_viewer_state,
    can_see,
    hashtag_tweets,
    load_tweets,
    page_by_id,
    visible_tweets,
    with_viewer_state,
)

from . import popular as popular_merge
from . import store
from .models import Marker

logger = logging.getLogger(__name__)

MAX_LIMIT = 40


def home_timeline(viewer: User, audience: Audience | None = None) -> QuerySet:
    """Every tweet and retweet the viewer's home timeline may show, newest first.

    Tweets of the viewer and of the accounts they follow, without muted
    accounts; a reply only when the viewer follows (or is) both its author
    and the account it answers, Twitter's rule. This is also the read-time
    ("naive") timeline the benchmark compares the fanout service with.
    """
    audience = audience or audience_of(viewer)
    authors = Q(author_id=viewer.pk) | ids_in("author_id", audience.following)
    reply_ok = (
        Q(in_reply_to_author__isnull=True)
        | Q(in_reply_to_author_id=viewer.pk)
        | ids_in("in_reply_to_author_id", audience.following)
    )
    queryset = visible_tweets(viewer, audience).filter(authors & reply_ok)
    if audience.muted:
        queryset = queryset.exclude(ids_in("author_id", audience.muted)).exclude(
            ids_in("retweet_of__author_id", audience.muted)
        )
    return queryset.order_by("-id")


def shown_once(queryset: QuerySet, viewer: User, audience: Audience) -> QuerySet:
    """Keep only the rows that show a tweet: each tweet once, at its oldest row.

    A retweet row goes when the viewer's home timeline holds an older row of
    the same tweet (the original, or an earlier retweet), as fanout keeps
    in Redis (timelines.store) for the other source.
    """
    # Two lookups, each on an index (the primary key; retweet_of_id), rather
    # than one OR that would scan the tweets table for every retweet row.
    timeline = home_timeline(viewer, audience)
    original_shown = timeline.filter(pk=OuterRef("retweet_of_id"))
    earlier_retweet_shown = timeline.filter(retweet_of_id=OuterRef("retweet_of_id"), pk__lt=OuterRef("pk"))
    return queryset.filter(
        Q(retweet_of__isnull=True) | (~Exists(original_shown) & ~Exists(earlier_retweet_shown))
    )


def _window_ids(viewer, audience, popular, *, max_id, since_id, min_id, count) -> tuple[list[int], bool]:
    """Candidate ids for one window: Redis merged with popular authors' tweets.

    Returns (ids newest first, whether either source may hold more past
    them). Each source gives the ids nearest the cursor, `count` of them
    or all it has; the merge stops where the first full source stops, so
    nothing between is skipped.
    """
    forward = min_id is not None  # walking up from min_id, oldest first
    cursors = {"max_id": max_id, "since_id": since_id, "min_id": min_id, "count": count}
    outbox_count = popular_merge.outbox_read_count(count)
    redis_ids, outboxes = store.read_window(viewer.pk, popular, outbox_count=outbox_count, **cursors)
    if redis_ids is None:
        rebuild(viewer)  # a read that finds no timeline builds it
        redis_ids, outboxes = store.read_window(viewer.pk, popular, outbox_count=outbox_count, **cursors)
    # (ids of the source, the last id it read when it may hold more past it)
    sources = [(redis_ids, redis_ids[-1 if not forward else 0] if len(redis_ids) == count else None)]
    sources += popular_merge.sources(audience, outboxes, cursors)
    ends = [end for _, end in sources if end is not None]
    ids = sorted({i for source, _ in sources for i in source}, reverse=True)
    if ends:
        if forward:
            boundary = min(ends)
            ids = [i for i in ids if i <= boundary]
        else:
            boundary = max(ends)
            ids = [i for i in ids if i >= boundary]
    return ids, bool(ends)


def rebuild(reader: User) -> list[int]:
    """Build the reader's Redis timeline from PostgreSQL; its ids, newest first.

    Tweets committed while the query ran were fanned out to a missing key
    and skipped; a short second query after the swap catches them.
    """
    started = time.time()
    audience = audience_of(reader)
    rows = list(home_timeline(reader, audience).values_list("id", "retweet_of_id")[: settings.TIMELINE_CAP])
    store.replace(reader.pk, _one_entry_per_original(rows))
    since = popular_merge.rebuild_overlap_floor(started)
    late = list(
        home_timeline(reader, audience).filter(id__gte=since).values_list("id", "retweet_of_id")[:100]
    )
    if late:
        store.add_many(reader.pk, [store.Entry(pk, original) for pk, original in late])
    return [pk for pk, _ in rows]


def _one_entry_per_original(rows) -> list:
    """Entries newest first, one per original tweet: the oldest, as fanout keeps."""
    kept, seen = [], set()
    for pk, original in reversed(rows):
        target = original or pk
        if target not in seen:
            seen.add(target)
            kept.append(store.Entry(pk, original))
    kept.reverse()
    return kept


def shows_on_home(audience: Audience, row) -> bool:
    """`home_timeline` for one loaded row: the same rules, evaluated in Python."""
    viewer_id = audience.viewer_id
    followed = {viewer_id, *audience.following}
    if row.author_id not in followed:
        return False
    if row.in_reply_to_author_id is not None and row.in_reply_to_author_id not in followed:
        return False
    if row.author_id in audience.muted or (row.retweet_of_id and row.retweet_of.author_id in audience.muted):
        return False
    return can_see(audience, row)


def _first_retweets(originals: set[int], authors: set[int]) -> dict[int, int]:
    """{original id: its oldest retweet by one of `authors`}, for those retweeted."""
    sql = f"""
        SELECT retweet_of_id, MIN(id) FROM {Tweet._meta.db_table}
        WHERE retweet_of_id = ANY(%s) AND author_id = ANY(%s) AND deleted_at IS NULL
        GROUP BY retweet_of_id
    """  # noqa: S608 - the table name comes from the model; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [sorted(originals), sorted(authors)])
        return dict(cursor.fetchall())


def _hydrate(viewer: User, audience: Audience, ids: list[int], *, popular) -> list:
    """Load a window's rows and keep those the home timeline shows.

    Each tweet shows once, at its oldest row (shown_once's rule). Redis
    keeps that among the rows it holds; popular accounts' rows, merged at
    read time, are checked here: a retweet goes when the original is a
    popular account's tweet the timeline shows, when a popular account
    retweeted it earlier, or (for a popular account's retweet) when Redis
    holds an older row of it.
    """
    rows = [row for row in load_tweets(ids) if shows_on_home(audience, row)]
    retweets = [row for row in rows if row.retweet_of_id]
    if popular and retweets:
        # Most retweeted tweets have this one retweet only, and then no
        # popular account retweeted them earlier: ask about the others.
        # Redis is asked only about popular accounts' retweets, the rows
        # fanout didn't choose.
        retweeted_again = {row.retweet_of_id for row in retweets if row.retweet_of.retweets_count > 1}
        first_popular = (
            _first_retweets(retweeted_again, set(popular) - audience.muted) if retweeted_again else {}
        )
        by_popular = {row.retweet_of_id for row in retweets if row.author_id in popular}
        standing = store.standing_entries(viewer.pk, by_popular) if by_popular else {}

        def repeats(row) -> bool:
            original = row.retweet_of
            if original.author_id in popular and shows_on_home(audience, original):
                return True
            if first_popular.get(original.pk, row.pk) < row.pk:
                return True
            return row.author_id in popular and standing.get(original.pk, row.pk) < row.pk

        rows = [row for row in rows if not (row.retweet_of_id and repeats(row))]
    return attach_viewer_state(rows, audience)


def _dedupe(rows: list) -> list:
    """Rows newest first, each tweet once: at its oldest row, as fanout keeps."""
    seen, kept = set(), []
    for row in reversed(rows):
        target = row.retweet_of_id or row.pk
        if target not in seen:
            seen.add(target)
            kept.append(row)
    kept.reverse()
    return kept


def home_page(
    viewer: User,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> Page:
    """One page of the viewer's home timeline, cut by ids (Mastodon's cursors)."""
    limit = max(1, min(limit, MAX_LIMIT))
    if settings.HOME_TIMELINE_SOURCE == "database":
        return _database_page(viewer, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)
    try:
        return _redis_page(viewer, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)
    except redis.RedisError:
        logger.warning("Redis unavailable; home timeline of %s read from PostgreSQL", viewer.pk)
        return _database_page(viewer, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)


def _database_page(viewer, *, max_id, since_id, min_id, limit) -> Page:
    audience = audience_of(viewer)
    page = page_by_id(
        with_viewer_state(shown_once(home_timeline(viewer, audience), viewer, audience), viewer, audience),
        max_id=max_id,
        since_id=since_id,
        min_id=min_id,
        limit=limit,
    )
    return Page(items=_dedupe(page.items), next_max_id=page.next_max_id)


def _redis_page(viewer, *, max_id, since_id, min_id, limit) -> Page:
    audience = audience_of(viewer)
    popular = popular_merge.popular_followees(audience)
    rows: list = []
    more = False
    cursor_max, cursor_min = max_id, min_id
    # Ids filtered out at read time (deleted, blocked...) leave a page short:
    # read further windows, a few at most.
    for _ in range(4):
        ids, more = _window_ids(
            viewer,
            audience,
            popular,
            max_id=cursor_max,
            since_id=since_id,
            min_id=cursor_min,
            count=limit + 1,
        )
        if not ids:
            break
        hydrated = _hydrate(viewer, audience, ids, popular=popular)
        rows = _dedupe(sorted([*rows, *hydrated], key=lambda r: r.pk, reverse=True))
        if min_id is not None:
            cursor_min = ids[0]
        else:
            cursor_max = ids[-1]
        if len(rows) > limit or not more:
            break
    if min_id is not None:
        rows = rows[-limit:]  # the oldest ones above min_id
        return Page(items=rows, next_max_id=None)
    has_more = len(rows) > limit or more
    rows = rows[:limit]
    if not rows:
        # Every window read was filtered out; the timeline goes on below them.
        return Page(items=[], next_max_id=cursor_max if more else None)
    return Page(items=rows, next_max_id=rows[-1].pk if has_more else None)


def count_new(viewer: User, since_id: int) -> int:
    """How many tweets newer than `since_id` the home timeline would show."""
    return len(home_page(viewer, since_id=since_id, limit=MAX_LIMIT).items)


# Mastodon's TagFeed takes at most this many tags in each of any / all / none.
TAGS_PER_MODE = 4


def tag_timeline(viewer: User | None, tag: str, *, any_tags=(), all_tags=(), none_tags=()) -> QuerySet:
    """The hashtag timeline (tweets.selectors.hashtag_tweets) with Mastodon's
    filters: also tweets tagged with one of `any_tags`, only those tagged
    with every one of `all_tags`, none tagged with one of `none_tags`.

    Extra tags past TAGS_PER_MODE per filter are ignored, as Mastodon does.
    """
    queryset = hashtag_tweets(viewer, tag, *any_tags[:TAGS_PER_MODE])
    tagged = Tweet.hashtags.through.objects.filter(tweet_id=OuterRef("pk"))
    for name in all_tags[:TAGS_PER_MODE]:
        queryset = queryset.filter(Exists(tagged.filter(hashtag__name=name.lower())))
    if none_tags:
        names = [name.lower() for name in none_tags[:TAGS_PER_MODE]]
        queryset = queryset.exclude(Exists(tagged.filter(hashtag__name__in=names)))
    return queryset


def markers_of(user: User, timelines) -> dict[str, Marker]:
    """The user's read markers of these timelines, by timeline; unknown names match nothing."""
    markers = Marker.objects.filter(user=user, timeline__in=list(timelines))
    return {marker.timeline: marker for marker in markers}
