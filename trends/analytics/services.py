"""Rolling one day's engagement up into TweetDay and AccountDay.

`roll_up(day)` reads the day's Redis counters (impressions, profile visits)
and the rows PostgreSQL holds for that day (likes, retweets, replies,
quotes, tweets posted, follows), and upserts the day's aggregates in one
transaction of set-based statements: no per-row Python, so a day of a
million tweets costs a few scans of that day's index ranges.

What counts:

- engagement is what other accounts did: a like, retweet, reply or quote
  by the tweet's own author is left out (a thread is not replies), as an
  author's own views are (tweets.signals.send_tweets_shown);
- engagement counts on the day it happened, whenever the tweet was posted;
- a figure is what stands when the roll-up runs: an undone like or a
  deleted reply no longer counts, so re-running a day is exact for these;
- impressions and profile visits only ever grow: counters live in Redis for
  a few days, and a re-run keeps the larger of the stored and the counted
  figure, so a flushed Redis never erases what was rolled up before.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction

from accounts.models import Follow, User
from tweets.models import Like, Tweet
from tweets.snowflake import id_floor

from ..models import AccountDay, TweetDay
from . import counters

# Likes and follows have sequential ids, not time-ordered Snowflakes, and no
# index on created_at: their rows for a day are found by an id range first
# (first_id_at), widened by this much because an id is drawn a moment after
# created_at is set, so the two orders may disagree around a boundary.
ID_SLACK = timedelta(hours=1)
# For the roll-up's transaction only (SET LOCAL); see docs/analytics.md.
WORK_MEM = "256MB"
# pg_advisory_xact_lock(namespace, day): one roll-up of a day at a time.
LOCK_NAMESPACE = 0x616E  # "an"

T = {
    "tweet": Tweet._meta.db_table,
    "like": Like._meta.db_table,
    "follow": Follow._meta.db_table,
    "user": User._meta.db_table,
    "tweet_day": TweetDay._meta.db_table,
    "account_day": AccountDay._meta.db_table,
}
COUNTS = ("likes", "retweets", "replies", "quotes")

# Every engagement event of the day as (kind, tweet, actor, n), joined once
# to the tweet it targets for its author. Likes, retweets, replies and
# quotes always point at an original (tweets.services), never a retweet row.
_TWEET_DAYS = f"""
CREATE TEMP TABLE analytics_tweet_days ON COMMIT DROP AS
SELECT * FROM (
SELECT t.id AS tweet_id, t.author_id,
       coalesce(sum(e.n) FILTER (WHERE e.kind = 'impression'), 0)::int AS impressions,
       count(*) FILTER (WHERE e.kind = 'like' AND e.actor_id <> t.author_id)::int AS likes,
       count(*) FILTER (WHERE e.kind = 'retweet' AND e.actor_id <> t.author_id)::int AS retweets,
       count(*) FILTER (WHERE e.kind = 'reply' AND e.actor_id <> t.author_id)::int AS replies,
       count(*) FILTER (WHERE e.kind = 'quote' AND e.actor_id <> t.author_id)::int AS quotes
FROM (
    SELECT 'impression' AS kind, id AS tweet_id, NULL::bigint AS actor_id, n FROM analytics_impressions
    UNION ALL
    SELECT 'like', tweet_id, user_id, 1 FROM {T["like"]}
    WHERE id >= %(like_lo)s AND id < %(like_hi)s AND created_at >= %(start)s AND created_at < %(end)s
    UNION ALL
    SELECT 'retweet', retweet_of_id, author_id, 1 FROM {T["tweet"]}
    WHERE id >= %(tweet_lo)s AND id < %(tweet_hi)s AND retweet_of_id IS NOT NULL
    UNION ALL
    SELECT 'reply', in_reply_to_id, author_id, 1 FROM {T["tweet"]}
    WHERE id >= %(tweet_lo)s AND id < %(tweet_hi)s AND in_reply_to_id IS NOT NULL AND deleted_at IS NULL
    UNION ALL
    SELECT 'quote', quote_of_id, author_id, 1 FROM {T["tweet"]}
    WHERE id >= %(tweet_lo)s AND id < %(tweet_hi)s AND quote_of_id IS NOT NULL AND deleted_at IS NULL
) AS e
JOIN {T["tweet"]} t ON t.id = e.tweet_id AND t.retweet_of_id IS NULL
GROUP BY t.id, t.author_id
) AS counted
-- a tweet whose only engagement was its author's own has nothing to count
WHERE impressions + likes + retweets + replies + quotes > 0
"""  # noqa: S608 - table names come from the models; values are parameters

_ACCOUNT_DAYS = f"""
CREATE TEMP TABLE analytics_account_days ON COMMIT DROP AS
SELECT p.user_id,
       sum(p.tweets)::int AS tweets, sum(p.impressions)::int AS impressions,
       sum(p.likes)::int AS likes, sum(p.retweets)::int AS retweets,
       sum(p.replies)::int AS replies, sum(p.quotes)::int AS quotes,
       sum(p.profile_visits)::int AS profile_visits, sum(p.new_followers)::int AS new_followers
FROM (
    SELECT author_id AS user_id, 0 AS tweets, impressions, likes, retweets, replies, quotes,
           0 AS profile_visits, 0 AS new_followers
    FROM {T["tweet_day"]} WHERE day = %(day)s
    UNION ALL
    SELECT author_id, count(*), 0, 0, 0, 0, 0, 0, 0 FROM {T["tweet"]}
    WHERE id >= %(tweet_lo)s AND id < %(tweet_hi)s AND retweet_of_id IS NULL AND deleted_at IS NULL
    GROUP BY author_id
    UNION ALL
    SELECT id, 0, 0, 0, 0, 0, 0, n, 0 FROM analytics_visits
    UNION ALL
    SELECT followee_id, 0, 0, 0, 0, 0, 0, 0, count(*) FROM {T["follow"]}
    WHERE id >= %(follow_lo)s AND id < %(follow_hi)s AND created_at >= %(start)s AND created_at < %(end)s
    GROUP BY followee_id
) AS p
JOIN {T["user"]} u ON u.id = p.user_id
GROUP BY p.user_id
"""  # noqa: S608


def _upsert(table: str, staging: str, key: str, kept: str, replaced: tuple[str, ...], extra=()) -> list[str]:
    """The statements that make `table`'s rows of the day those of `staging`
    (which holds only rows with something to count):

    insert the new rows and update the changed ones (found first by one
    join, so a re-run does not probe the unique index for every unchanged
    row), in key order, which keeps the index inserts local; then the rows
    of the day that have nothing left to count: the ones with no `kept`
    figure (impressions / visits, which only grow) go, the others keep it
    and lose the rest.
    """
    columns = (key, *extra, kept, *replaced)

    def changed(old: str, new: str) -> str:
        return " OR ".join(
            [f"{old}.{kept} < {new}.{kept}"] + [f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in replaced]
        )

    assignments = ", ".join(
        [f"{kept} = GREATEST(d.{kept}, EXCLUDED.{kept})"] + [f"{c} = EXCLUDED.{c}" for c in replaced]
    )
    gone = f"NOT EXISTS (SELECT 1 FROM {staging} s WHERE s.{key} = d.{key})"  # noqa: S608
    return [
        f"""INSERT INTO {table} AS d ({", ".join(columns)}, day)
            SELECT {", ".join(f"s.{c}" for c in columns)}, %(day)s FROM {staging} s
            LEFT JOIN {table} o ON o.{key} = s.{key} AND o.day = %(day)s
            WHERE o.{key} IS NULL OR {changed("o", "s")}
            ORDER BY s.{key}
            ON CONFLICT ({key}, day) DO UPDATE SET {assignments} WHERE {changed("d", "EXCLUDED")}""",  # noqa: S608
        f"DELETE FROM {table} d WHERE d.day = %(day)s AND d.{kept} = 0 AND {gone}",  # noqa: S608
        f"""UPDATE {table} d SET {", ".join(f"{c} = 0" for c in replaced)}
            WHERE d.day = %(day)s AND ({" + ".join(f"d.{c}" for c in replaced)}) > 0
            AND {gone}""",  # noqa: S608
    ]


_TWEET_DAY_UPSERT = _upsert(
    T["tweet_day"], "analytics_tweet_days", "tweet_id", "impressions", COUNTS, extra=("author_id",)
)
_ACCOUNT_DAY_UPSERT = _upsert(
    T["account_day"],
    "analytics_account_days",
    "user_id",
    "profile_visits",
    ("tweets", "impressions", *COUNTS, "new_followers"),
)
_ROWS_OF_DAY = (
    f"SELECT (SELECT count(*) FROM {T['tweet_day']} WHERE day = %(day)s),"  # noqa: S608
    f" (SELECT count(*) FROM {T['account_day']} WHERE day = %(day)s)"
)
_STAGING = ("analytics_impressions", "analytics_visits", "analytics_tweet_days", "analytics_account_days")


@dataclass(frozen=True)
class RollUp:
    day: date
    tweet_days: int
    """Tweets with engagement that day."""
    account_days: int
    """Accounts with activity that day."""


def first_id_at(model, when: datetime) -> int:
    """The smallest id from which `model`'s rows were made at or after `when`
    (rows with a smaller id were made before it); past the last row when none.

    A binary search over the primary key, whose ids grow with `created_at`:
    a few dozen index lookups, where filtering on created_at would read the
    whole table (it has no index on it, and one would cost every insert).
    """
    ids = model.objects.order_by("pk").values_list("pk", flat=True)
    first, last = ids.first(), ids.last()
    if first is None:
        return 0
    low, high = first, last + 1  # the answer is in [low, high]; high: no row qualifies
    while low < high:
        middle = (low + high) // 2
        row_id, created_at = (
            model.objects.filter(pk__gte=middle).order_by("pk").values_list("pk", "created_at")[0]
        )
        if created_at >= when:
            high = middle
        else:
            low = row_id + 1  # no row from `middle` to `row_id` qualifies
    return low


def _load_counts(cursor, table: str, pairs) -> None:
    """A temporary table (id, n) filled from a stream of Redis counters by COPY."""
    cursor.execute(f"CREATE TEMP TABLE {table} (id bigint NOT NULL, n integer NOT NULL) ON COMMIT DROP")
    with cursor.copy(f"COPY {table} (id, n) FROM STDIN") as copy:
        for pair in pairs:
            copy.write_row(pair)
    cursor.execute(f"ANALYZE {table}")


def roll_up(day: date) -> RollUp:
    """Make the day's TweetDay and AccountDay rows (UTC day) what its data says.

    Idempotent: running it again gives the same rows, only fresher; safe to
    run at any time and concurrently (runs for one day wait for each other).
    Raises redis.RedisError when the counters cannot be read: the rows
    then stay as they were.
    """
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)
    params = {
        "day": day,
        "start": start,
        "end": end,
        "tweet_lo": id_floor(start),
        "tweet_hi": id_floor(end),
        "like_lo": first_id_at(Like, start - ID_SLACK),
        "like_hi": first_id_at(Like, end + ID_SLACK),
        "follow_lo": first_id_at(Follow, start - ID_SLACK),
        "follow_hi": first_id_at(Follow, end + ID_SLACK),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [LOCK_NAMESPACE, day.toordinal()])
        # A day's aggregation hashes millions of rows: with the default 4 MB
        # it spills to disk and takes several times as long.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        # A roll-up inside an outer transaction (a test, a shell) would
        # otherwise find the previous one's tables, not yet dropped on commit.
        for table in _STAGING:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        _load_counts(cursor, "analytics_impressions", counters.impressions_on(day))
        _load_counts(cursor, "analytics_visits", counters.visits_on(day))
        cursor.execute(_TWEET_DAYS, params)
        cursor.execute("ANALYZE analytics_tweet_days")
        for statement in _TWEET_DAY_UPSERT:
            cursor.execute(statement, params)
        cursor.execute(_ACCOUNT_DAYS, params)
        cursor.execute("ANALYZE analytics_account_days")
        for statement in _ACCOUNT_DAY_UPSERT:
            cursor.execute(statement, params)
        cursor.execute(_ROWS_OF_DAY, params)
        tweet_days, account_days = cursor.fetchone()
    return RollUp(day=day, tweet_days=tweet_days, account_days=account_days)
