"""Time-ordered 64-bit tweet ids, Twitter's Snowflake layout.

    | 41 bits: ms since EPOCH | 10 bits: worker | 12 bits: sequence |

PostgreSQL makes them (function next_snowflake_id, created by migration
tweets 0001 with these same constants), so every process that inserts tweets shares one sequence and no two
processes can collide. The worker bits name the database shard: a second
shard would recreate the function with its own worker number.

Ids are k-sorted, as Twitter's are: ordered by millisecond, while within
one millisecond a wrapping sequence (every 4,096 ids) may order two ids
against their call order. Cursors compare ids strictly, so pages neither
repeat nor skip rows because of it.
"""

from datetime import UTC, datetime

from django.db import connection

EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
WORKER_BITS = 10
SEQUENCE_BITS = 12
TIMESTAMP_SHIFT = WORKER_BITS + SEQUENCE_BITS


def next_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT next_snowflake_id()")
        return cursor.fetchone()[0]


def make_id(when: datetime, worker: int = 0, sequence: int = 0) -> int:
    """The id a tweet made at `when` by `worker` with `sequence` would have."""
    ms = int(when.timestamp() * 1000) - EPOCH_MS
    return (ms << TIMESTAMP_SHIFT) | (worker << SEQUENCE_BITS) | sequence


def id_floor(when: datetime) -> int:
    """The smallest id of any tweet made at or after `when` (for date cursors)."""
    return make_id(when)


def timestamp_of(tweet_id: int) -> datetime:
    ms = (tweet_id >> TIMESTAMP_SHIFT) + EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
