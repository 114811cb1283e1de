"""Popular accounts: those at or above TIMELINE_FANOUT_THRESHOLD followers,
whose tweets are not pushed to their followers' timelines but merged into
them at read time (timelines.selectors), from the accounts' outboxes in
Redis (timelines.store), or from PostgreSQL past what an outbox holds.
"""

import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection

from accounts.models import User
from accounts.selectors import Audience
from accounts.stores import cached, forget_cached, version_of
from accounts.stores import store as store_cached
from tweets.models import Tweet
from tweets.snowflake import id_floor

from . import store

MAX_ID = 2**63 - 1  # above every tweet id (a signed 64-bit Snowflake)
POPULAR_VERSION = version_of(User)

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


def popular_followees(audience: Audience) -> list[int]:
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


# Each outbox read takes this many times the window's count, so that the
# replies to strangers it leaves out (a popular account answers many) rarely
# leave it short; a short one reads on, this many rounds at most, before
# the author's window ends where the last read stopped.
OUTBOX_READ_FACTOR = 2
OUTBOX_READS = 8

# Tweets that commit while a rebuild's query runs are fanned out to a key
# that isn't there yet; a second query for ids from this long before the
# rebuild started catches them (timelines.selectors.rebuild, _build_outboxes).
REBUILD_OVERLAP_SECONDS = 5


def rebuild_overlap_floor(started: float) -> int:
    """The smallest tweet id a rebuild begun at `started` (time.time()) may have missed."""
    return id_floor(datetime.fromtimestamp(started - REBUILD_OVERLAP_SECONDS, tz=UTC))


def outbox_read_count(count: int) -> int:
    """How many entries each outbox read takes for a window of `count`."""
    return count * OUTBOX_READ_FACTOR


def sources(audience: Audience, outboxes: dict, cursors: dict) -> list[tuple[list[int], int | None]]:
    """The popular followees' tweet ids in the window, one source per
    author (or one for those read from PostgreSQL): (ids nearest the cursor
    first, the last id read when more may follow past it).

    `outboxes` is what the timeline's read found of their outboxes
    (store.read_window); missing ones are built here.
    """
    unbuilt = [author for author, window in outboxes.items() if window is None]
    if unbuilt:
        _build_outboxes(unbuilt)
        outboxes = {
            **outboxes,
            **store.read_outboxes(unbuilt, **{**cursors, "count": outbox_read_count(cursors["count"])}),
        }
    found, from_postgresql = _outbox_ids(audience, outboxes, cursors)
    if from_postgresql:
        count, forward = cursors["count"], cursors["min_id"] is not None
        lower = max(cursors["since_id"] or 0, cursors["min_id"] or 0)
        ids = _pull_popular(
            audience, from_postgresql, below=cursors["max_id"], above=lower, count=count, forward=forward
        )
        found.append((ids, ids[-1] if len(ids) == count else None))
    return found


def _outbox_ids(audience: Audience, outboxes: dict, cursors: dict) -> tuple[list, list[int]]:
    """Popular authors' ids in the window from their outboxes, as sources
    (ids, last id read if more may follow); and the authors to read from
    PostgreSQL instead: past a trimmed outbox, or with none.

    Replies to accounts the reader doesn't follow never show, and are left
    out here; an author whose window was mostly those reads further, as
    the database pull does, so they don't cut the page short.
    """
    count, forward = cursors["count"], cursors["min_id"] is not None
    reads = outbox_read_count(count)
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
    found = [(ids[:count], ids[count - 1] if len(ids) >= count else last[a]) for a, ids in shown.items()]
    return found, from_postgresql


def _build_outboxes(authors) -> None:
    """Build the Redis outboxes of these authors from PostgreSQL: each one's
    newest TIMELINE_CAP tweets, the same rows `_pull_popular` reads, and a
    second query for those that committed meanwhile (rebuild_overlap_floor)."""
    started = time.time()
    rows = _newest_by_author(authors, since=0)
    for author in authors:
        store.replace_outbox(author, rows.get(author, []))
    late = _newest_by_author(authors, since=rebuild_overlap_floor(started))
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
