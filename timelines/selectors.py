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
from datetime import UTC, datetime

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.queries import ids_in
from accounts.selectors import Audience, audience_of
from accounts.stores import cached, forget_cached, version_of
from accounts.stores import store as store_cached
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
from tweets.snowflake import make_id

from . import store
from .models import Marker

logger = logging.getLogger(__name__)

MAX_LIMIT = 40
POPULAR_VERSION = version_of(User)
MAX_ID = 2**63 - 1  # above every tweet id (a signed 64-bit Snowflake)


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


# How long readers may go on using a list of popular accounts. The changes
# that matter forget it: a tweet by an account missing from it
# (services.fan_out), an unsuspension. A suspended or no longer popular
# account left in it costs a wasted lookup, no wrong tweet (suspensions
# are filtered at read; fanout pushes the others).
POPULAR_CACHE_SECONDS = 60


def popular_accounts() -> frozenset[int]:
    """Active accounts at or above the fanout threshold, merged at read time.

    Asked by every home timeline read; from the cache (under the threshold,
    which a deploy may change), else from the most-followed index.
    """
    threshold = settings.TIMELINE_FANOUT_THRESHOLD
    found, _ = cached("popular", [threshold], version=POPULAR_VERSION)
    if found:
        return found[threshold]
    sql = f"SELECT id FROM {User._meta.db_table} WHERE is_active AND followers_count >= %s"  # noqa: S608 - the model's table
    with connection.cursor() as cursor:
        cursor.execute(sql, [threshold])
        popular = frozenset(pk for (pk,) in cursor.fetchall())
    store_cached("popular", {threshold: popular}, version=POPULAR_VERSION, timeout=POPULAR_CACHE_SECONDS)
    return popular


def forget_popular_accounts() -> None:
    forget_cached("popular", [settings.TIMELINE_FANOUT_THRESHOLD], version=POPULAR_VERSION)


def _popular_followees(audience: Audience) -> list[int]:
    """The followed accounts whose tweets are merged at read time."""
    return sorted(popular_accounts() & audience.following)


# The newest tweets of each popular author near the cursor, each walked on
# its (author_id, id DESC) index and stopped after `count`, then merged:
# one ordered scan over every author's tweets would filter most of them.
_PULL = """
    SELECT pulled.id FROM unnest(%(authors)s::bigint[]) AS author(id)
    CROSS JOIN LATERAL (
        SELECT id FROM {table}
        WHERE author_id = author.id AND deleted_at IS NULL AND id < %(below)s AND id > %(above)s
          AND (in_reply_to_author_id IS NULL OR in_reply_to_author_id = ANY(%(followed)s::bigint[]))
        ORDER BY id {order} LIMIT %(count)s
    ) AS pulled
    ORDER BY pulled.id {order} LIMIT %(count)s
"""


def _pull_popular(audience: Audience, popular: list[int], *, below, above, count, forward) -> list[int]:
    """Popular authors' tweet ids between the cursors, nearest first. Replies
    to strangers never show: they are left out here, so they don't fill
    windows that would all be filtered out. The rest of the home rules
    apply when the window is hydrated."""
    order = "ASC" if forward else "DESC"
    sql = _PULL.format(table=Tweet._meta.db_table, order=order)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "authors": popular,
                "followed": sorted({audience.viewer_id, *audience.following}),
                "below": below if below is not None else MAX_ID,
                "above": above,
                "count": count,
            },
        )
        return [pk for (pk,) in cursor.fetchall()]


def _window_ids(viewer, audience, popular, *, max_id, since_id, min_id, count) -> tuple[list[int], bool]:
    """Candidate ids for one window: Redis merged with popular authors' tweets.

    Returns (ids newest first, whether either source may hold more past
    them). Each source gives the ids nearest the cursor, `count` of them
    or all it has; the merge stops where the first full source stops, so
    nothing between is skipped.
    """
    forward = min_id is not None  # walking up from min_id, oldest first
    cursors = {"max_id": max_id, "since_id": since_id, "min_id": min_id, "count": count}
    outbox_count = count * OUTBOX_READ_FACTOR
    redis_ids, outboxes = store.read_window(viewer.pk, popular, outbox_count=outbox_count, **cursors)
    if redis_ids is None:
        rebuild(viewer)  # a read that finds no timeline builds it
        redis_ids, outboxes = store.read_window(viewer.pk, popular, outbox_count=outbox_count, **cursors)
    unbuilt = [author for author, window in outboxes.items() if window is None]
    if unbuilt:
        build_outboxes(unbuilt)
        outboxes.update(store.read_outboxes(unbuilt, **{**cursors, "count": outbox_count}))
    # (ids of the source, the last id it read when it may hold more past it)
    sources = [(redis_ids, redis_ids[-1 if not forward else 0] if len(redis_ids) == count else None)]
    pulled, from_postgresql = _outbox_ids(audience, outboxes, cursors)
    sources += pulled
    if from_postgresql:
        lower = max(since_id or 0, min_id or 0)
        ids = _pull_popular(
            audience, from_postgresql, below=max_id, above=lower, count=count, forward=forward
        )
        sources.append((ids, ids[-1] if len(ids) == count else None))
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


# Each outbox read takes this many times the window's count, so that the
# replies to strangers it leaves out (a popular account answers many) rarely
# leave it short; a short one reads on, this many rounds at most, before
# the author's window ends where the last read stopped.
OUTBOX_READ_FACTOR = 2
OUTBOX_READS = 8


def _outbox_ids(audience: Audience, outboxes: dict, cursors: dict) -> tuple[list, list[int]]:
    """Popular authors' ids in the window from their outboxes, as sources
    (ids, last id read if more may follow); and the authors to read from
    PostgreSQL instead: past a trimmed outbox, or with none.

    Replies to accounts the reader doesn't follow never show, and are left
    out here; an author whose window was mostly those reads further, as
    the database pull does, so they don't cut the page short.
    """
    count, forward = cursors["count"], cursors["min_id"] is not None
    reads = count * OUTBOX_READ_FACTOR
    followed = {audience.viewer_id, *audience.following}
    shown: dict[int, list[int]] = {}
    last: dict[int, int | None] = {}
    from_postgresql = []
    pending = outboxes
    for _ in range(OUTBOX_READS):
        for author, window in pending.items():
            if window is None:  # Redis lost it since: read this author from PostgreSQL
                from_postgresql.append(author)
                shown.pop(author, None)
                continue
            kept = shown.setdefault(author, [])
            kept += [pk for pk, replied_to in window.entries if replied_to is None or replied_to in followed]
            if len(window.entries) == reads:
                last[author] = window.entries[-1][0]
            elif window.trimmed:
                # Older tweets than the outbox holds may be in the window.
                from_postgresql.append(author)
                shown.pop(author)
            else:
                last[author] = None
        short = [a for a in shown if last[a] is not None and len(shown[a]) < count]
        if not short:
            break
        pending = store.read_outboxes_from(
            {author: last[author] for author in short}, forward=forward, **{**cursors, "count": reads}
        )
    sources = [(ids[:count], ids[count - 1] if len(ids) >= count else last[a]) for a, ids in shown.items()]
    return sources, from_postgresql


def build_outboxes(authors) -> None:
    """Build the Redis outboxes of these authors from PostgreSQL: each one's
    newest TIMELINE_CAP tweets, the same rows `_pull_popular` reads. Tweets
    committed while the query ran were fanned out to a missing key and
    skipped; a short second query after the swap catches them."""
    started = time.time()
    rows = _newest_by_author(authors, since=0)
    for author in authors:
        store.replace_outbox(author, rows.get(author, []))
    late = _newest_by_author(authors, since=make_id(datetime.fromtimestamp(started - 5, tz=UTC)))
    for author, tweets in late.items():
        store.add_to_outbox(author, tweets)


# Each author's newest tweets, walked on its (author_id, id DESC) index.
_NEWEST = """
    SELECT author.id, newest.id, newest.in_reply_to_author_id FROM unnest(%(authors)s::bigint[]) AS author(id)
    CROSS JOIN LATERAL (
        SELECT id, in_reply_to_author_id FROM {table}
        WHERE author_id = author.id AND deleted_at IS NULL AND id >= %(since)s
        ORDER BY id DESC LIMIT %(count)s
    ) AS newest
"""


def _newest_by_author(authors, *, since: int) -> dict[int, list[tuple[int, int | None]]]:
    """{author: [(tweet id, id replied to or None)...] newest first}, TIMELINE_CAP each at most."""
    by_author: dict[int, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _NEWEST.format(table=Tweet._meta.db_table),
            {"authors": sorted(authors), "since": since, "count": settings.TIMELINE_CAP},
        )
        for author, pk, replied_to in cursor.fetchall():
            by_author.setdefault(author, []).append((pk, replied_to))
    return by_author


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
    popular = _popular_followees(audience)
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
