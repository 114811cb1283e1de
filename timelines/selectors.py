"""Timeline reads.

The home timeline comes from the Redis store (timelines.store), filled by
fanout, merged at read time with the tweets of very popular accounts, and
hydrated and filtered in one PostgreSQL query, so blocks, mutes, deletions,
suspensions and visibility apply even to ids a race left in Redis. With
HOME_TIMELINE_SOURCE="database", or when Redis is unreachable, the same page
comes from the read-time query over follows (`home_timeline`).
"""

import logging
import time
from datetime import UTC, datetime

import redis
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Follow, User
from accounts.selectors import Audience, audience_of
from tweets.selectors import Page, ids_in, page_by_id, visible_tweets, with_viewer_state
from tweets.snowflake import make_id

from . import store

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


def shown_once(
    queryset: QuerySet,
    viewer: User,
    audience: Audience,
    *,
    horizon: int | None = None,
    popular=(),
) -> QuerySet:
    """Keep only the rows that show a tweet: each tweet once, at its oldest row.

    A retweet row goes when the viewer's home timeline holds an older row of
    the same tweet (the original, or an earlier retweet), as fanout keeps
    (timelines.store). `horizon`, the oldest id of a Redis timeline, limits
    that to the rows it can hold (and those of `popular` accounts, merged
    at read), so a tweet retweeted again after its first row was trimmed
    shows, as it does in Redis.
    """
    # Two lookups, each on an index (the primary key; retweet_of_id), rather
    # than one OR that would scan the tweets table for every retweet row.
    timeline = home_timeline(viewer, audience)
    if horizon is not None:
        timeline = timeline.filter(Q(pk__gte=horizon) | ids_in("author_id", popular))
    original_shown = timeline.filter(pk=OuterRef("retweet_of_id"))
    earlier_retweet_shown = timeline.filter(retweet_of_id=OuterRef("retweet_of_id"), pk__lt=OuterRef("pk"))
    return queryset.filter(
        Q(retweet_of__isnull=True) | (~Exists(original_shown) & ~Exists(earlier_retweet_shown))
    )


def _popular_followees(viewer: User) -> list[int]:
    return list(
        Follow.objects.filter(
            follower=viewer, followee__followers_count__gte=settings.TIMELINE_FANOUT_THRESHOLD
        ).values_list("followee_id", flat=True)
    )


def _window_ids(viewer, audience, popular, *, max_id, since_id, min_id, count) -> tuple[list[int], bool]:
    """Candidate ids for one window: Redis merged with popular authors' tweets.

    Returns (ids newest first, whether either source may hold more past
    them). Each source gives its `count` ids nearest the cursor; the merge
    stops where the first full source stops, so nothing between is skipped.
    """
    forward = min_id is not None  # walking up from min_id, oldest first
    redis_ids = store.read(viewer.pk, max_id=max_id, since_id=since_id, min_id=min_id, count=count)
    if redis_ids is None:
        rebuild(viewer)  # a read that finds no timeline builds it
        redis_ids = store.read(viewer.pk, max_id=max_id, since_id=since_id, min_id=min_id, count=count)
    sources = [sorted(redis_ids, reverse=not forward)]
    if popular:
        # Through the home timeline's rules, so a popular account's replies to
        # strangers don't fill windows that would all be filtered out.
        pulled = home_timeline(viewer, audience).filter(author_id__in=popular)
        if max_id is not None:
            pulled = pulled.filter(id__lt=max_id)
        lower = max(since_id or 0, min_id or 0)
        if lower:
            pulled = pulled.filter(id__gt=lower)
        sources.append(list(pulled.order_by("id" if forward else "-id").values_list("id", flat=True)[:count]))
    full_ends = [source[-1] for source in sources if len(source) == count]
    ids = sorted({i for source in sources for i in source}, reverse=True)
    if full_ends:
        if forward:
            boundary = min(full_ends)
            ids = [i for i in ids if i <= boundary]
        else:
            boundary = max(full_ends)
            ids = [i for i in ids if i >= boundary]
    return ids, bool(full_ends)


def rebuild(reader: User) -> list[int]:
    """Build the reader's Redis timeline from PostgreSQL; its ids, newest first.

    Tweets committed while the query ran were fanned out to a missing key
    and skipped; a short second query after the swap catches them.
    """
    started = time.time()
    audience = audience_of(reader)
    rows = list(home_timeline(reader, audience).values_list("id", "retweet_of_id")[: settings.TIMELINE_CAP])
    store.replace(reader.pk, _one_entry_per_original(rows))
    since = make_id(datetime.fromtimestamp(started - 5, tz=UTC))
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


def _hydrate(viewer: User, audience: Audience, ids: list[int], *, horizon: int | None, popular) -> list:
    rows = shown_once(
        home_timeline(viewer, audience).filter(ids_in("id", ids)),
        viewer,
        audience,
        horizon=horizon,
        popular=popular,
    )
    return list(with_viewer_state(rows, viewer, audience))


def _dedupe(rows: list) -> list:
    """Show each tweet once: keep the first (newest) row of each original."""
    seen, kept = set(), []
    for row in rows:
        target = row.retweet_of_id or row.pk
        if target not in seen:
            seen.add(target)
            kept.append(row)
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
    popular = _popular_followees(viewer)
    audience = audience_of(viewer)
    rows: list = []
    more = False
    horizon = None
    cursor_max, cursor_min = max_id, min_id
    # Ids filtered out at read time (deleted, blocked...) leave a page short:
    # read further windows, a few at most.
    for window in range(4):
        ids, more = _window_ids(
            viewer,
            audience,
            popular,
            max_id=cursor_max,
            since_id=since_id,
            min_id=cursor_min,
            count=limit + 1,
        )
        if window == 0:
            horizon = store.oldest(viewer.pk)  # after the first read, which may have built the timeline
        if not ids:
            break
        hydrated = _hydrate(viewer, audience, ids, horizon=horizon, popular=popular)
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
