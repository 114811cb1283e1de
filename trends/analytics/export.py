"""The daily aggregates as Apache Parquet files, one partition per day.

    <dir>/tweet_days/day=2026-11-28/part-0.parquet
    <dir>/account_days/day=2026-11-28/part-0.parquet

Hive-style partitions: any Parquet reader (pyarrow.dataset, pandas, Spark,
DuckDB, Athena) takes the `day` column from the directory name, so it is not
repeated inside the files. The schema is explicit (below), so a day with no
rows still writes a file of the right shape, and "exported, empty" differs
from "not exported". Snappy compression, for the widest reader support.

A file is written under a hidden temporary name in its partition (readers
skip names starting with "."), synced, then renamed over part-0.parquet:
a reader sees the old file or the new one, never half of one, and
exporting a day again replaces its partition.
"""

import os
import tempfile
from datetime import date
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..models import AccountDay, TweetDay

# Ids are 64-bit (Snowflakes); a day's counts fit 32 bits, except that
# impressions get 64 so readers summing them over years need no cast.
TWEET_DAYS_SCHEMA = pa.schema(
    [
        pa.field("tweet_id", pa.int64(), nullable=False),
        pa.field("author_id", pa.int64(), nullable=False),
        pa.field("impressions", pa.int64(), nullable=False),
        pa.field("likes", pa.int32(), nullable=False),
        pa.field("retweets", pa.int32(), nullable=False),
        pa.field("replies", pa.int32(), nullable=False),
        pa.field("quotes", pa.int32(), nullable=False),
    ]
)
ACCOUNT_DAYS_SCHEMA = pa.schema(
    [
        pa.field("user_id", pa.int64(), nullable=False),
        pa.field("tweets", pa.int32(), nullable=False),
        pa.field("impressions", pa.int64(), nullable=False),
        pa.field("likes", pa.int32(), nullable=False),
        pa.field("retweets", pa.int32(), nullable=False),
        pa.field("replies", pa.int32(), nullable=False),
        pa.field("quotes", pa.int32(), nullable=False),
        pa.field("profile_visits", pa.int32(), nullable=False),
        pa.field("new_followers", pa.int32(), nullable=False),
    ]
)
# dataset directory -> (model, schema); the schema's first column orders the rows.
DATASETS = {
    "tweet_days": (TweetDay, TWEET_DAYS_SCHEMA),
    "account_days": (AccountDay, ACCOUNT_DAYS_SCHEMA),
}
# Rows per read from PostgreSQL and per Parquet row group.
BATCH_ROWS = 100_000


def partition_path(directory: Path, dataset: str, day: date) -> Path:
    return Path(directory) / dataset / f"day={day.isoformat()}" / "part-0.parquet"


def _batches(model, schema: pa.Schema, day: date):
    rows = (
        model.objects.filter(day=day)
        .order_by(schema.names[0])
        .values_list(*schema.names)
        .iterator(chunk_size=BATCH_ROWS)
    )
    while chunk := list(islice(rows, BATCH_ROWS)):
        columns = zip(*chunk, strict=True)
        yield pa.record_batch(
            [pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)],
            schema=schema,
        )


def _write(path: Path, schema: pa.Schema, batches) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with pq.ParquetWriter(temporary, schema, compression="snappy") as writer:
            for batch in batches:
                writer.write_batch(batch)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())  # on disk before the rename makes it visible
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def export_day(day: date, directory: Path) -> list[Path]:
    """Write (or rewrite) the day's partition of each dataset under `directory`.

    Returns the files written. Raises OSError when the directory is not
    writable.
    """
    written = []
    for dataset, (model, schema) in DATASETS.items():
        path = partition_path(directory, dataset, day)
        _write(path, schema, _batches(model, schema, day))
        written.append(path)
    return written
