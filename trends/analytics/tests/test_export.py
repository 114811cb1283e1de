"""The Parquet export: Hive-partitioned files any reader takes, read back
here with pyarrow.dataset; and the command that writes them."""

from datetime import timedelta

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from accounts import services as accounts
from trends.analytics import counters
from trends.analytics.export import ACCOUNT_DAYS_SCHEMA, TWEET_DAYS_SCHEMA, _write, export_day, partition_path
from trends.models import AccountDay, TweetDay
from tweets import services as tweets

PARTITIONING = ds.partitioning(pa.schema([("day", pa.date32())]), flavor="hive")


def read_back(directory, dataset):
    """Every row of a dataset, as dicts, through pyarrow.dataset's discovery."""
    table = ds.dataset(directory / dataset, format="parquet", partitioning=PARTITIONING).to_table()
    return sorted(table.to_pylist(), key=lambda row: (row["day"], *row.values()))


def table_rows(model, schema):
    names = [*schema.names, "day"]
    return sorted(
        (dict(zip(names, row, strict=True)) for row in model.objects.values_list(*names)),
        key=lambda row: (row["day"], *row.values()),
    )


@pytest.fixture
def days(ann, bob, post, today, roll_up, events):
    """Rolled-up figures on two days: today's from real activity, and an
    older day's written directly."""
    tweet = post(ann, "exported")
    tweets.like(bob, tweet)
    with events():
        accounts.follow(bob, ann)
    counters.count_impressions([tweet.pk])
    roll_up()
    earlier = today - timedelta(days=3)
    TweetDay.objects.create(tweet=tweet, author=ann, day=earlier, impressions=2**31 - 1, quotes=4)
    AccountDay.objects.create(user=bob, day=earlier, tweets=6, profile_visits=8)
    return [earlier, today]


def test_exported_days_read_back_equal_to_the_tables(tmp_path, days):
    for day in days:
        export_day(day, tmp_path)

    assert read_back(tmp_path, "tweet_days") == table_rows(TweetDay, TWEET_DAYS_SCHEMA)
    assert read_back(tmp_path, "account_days") == table_rows(AccountDay, ACCOUNT_DAYS_SCHEMA)
    assert len(read_back(tmp_path, "account_days")) == 2  # ann today, bob before


def test_files_have_the_explicit_schema_and_the_hive_layout(tmp_path, days):
    written = export_day(days[1], tmp_path)

    assert written == [
        tmp_path / "tweet_days" / f"day={days[1]:%Y-%m-%d}" / "part-0.parquet",
        tmp_path / "account_days" / f"day={days[1]:%Y-%m-%d}" / "part-0.parquet",
    ]
    assert pq.read_schema(written[0]) == TWEET_DAYS_SCHEMA
    assert pq.read_schema(written[1]) == ACCOUNT_DAYS_SCHEMA
    assert pq.read_schema(written[0]).field("tweet_id").type == pa.int64()
    assert pq.read_schema(written[0]).field("likes").type == pa.int32()


def test_exporting_again_replaces_the_partition(tmp_path, days):
    day = days[0]
    export_day(day, tmp_path)
    TweetDay.objects.filter(day=day).update(quotes=5)

    export_day(day, tmp_path)

    [row] = [row for row in read_back(tmp_path, "tweet_days") if row["day"] == day]
    assert row["quotes"] == 5
    partition = partition_path(tmp_path, "tweet_days", day).parent
    assert [path.name for path in partition.iterdir()] == ["part-0.parquet"]  # no temporary file left


def test_an_empty_day_writes_empty_files_of_the_right_shape(tmp_path, db, today):
    day = today - timedelta(days=100)

    tweet_file, account_file = export_day(day, tmp_path)

    assert pq.read_table(tweet_file).num_rows == 0
    assert pq.read_schema(account_file) == ACCOUNT_DAYS_SCHEMA
    assert read_back(tmp_path, "account_days") == []


def test_a_failed_write_keeps_the_old_file(tmp_path, days):
    day = days[0]
    [path, _] = export_day(day, tmp_path)
    before = path.read_bytes()

    def batches_then_a_lost_connection():
        yield pa.record_batch(
            [pa.array([1], type=field.type) for field in TWEET_DAYS_SCHEMA], schema=TWEET_DAYS_SCHEMA
        )
        raise ConnectionError("lost the database half-way")

    with pytest.raises(ConnectionError):
        _write(path, TWEET_DAYS_SCHEMA, batches_then_a_lost_connection())

    assert path.read_bytes() == before
    assert [each.name for each in path.parent.iterdir()] == ["part-0.parquet"]  # no temporary file left


# --- The command ------------------------------------------------------------


def test_command_exports_yesterday_by_default(tmp_path, settings, days, today, capsys):
    settings.ANALYTICS_EXPORT_DIR = tmp_path

    call_command("export_analytics")

    yesterday = today - timedelta(days=1)
    assert capsys.readouterr().out.split() == [
        str(partition_path(tmp_path, "tweet_days", yesterday)),
        str(partition_path(tmp_path, "account_days", yesterday)),
    ]


def test_command_exports_a_day_or_a_range_to_a_directory(tmp_path, days, today):
    call_command("export_analytics", "--day", str(today), "--dir", str(tmp_path / "one"))
    call_command(
        "export_analytics", "--since", str(days[0]), "--until", str(today), "--dir", str(tmp_path / "all")
    )

    assert {row["day"] for row in read_back(tmp_path / "one", "account_days")} == {today}
    assert read_back(tmp_path / "all", "tweet_days") == table_rows(TweetDay, TWEET_DAYS_SCHEMA)
    assert len(list((tmp_path / "all" / "tweet_days").iterdir())) == 4  # every day of the range


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--day", "2026-13-01"], "--day must be a date written YYYY-MM-DD, not '2026-13-01'."),
        (["--day", "yesterday"], "--day must be a date written YYYY-MM-DD, not 'yesterday'."),
        (["--since", "01/11/2026"], "--since must be a date written YYYY-MM-DD, not '01/11/2026'."),
        (
            ["--day", "2026-11-01", "--since", "2026-11-01"],
            "Give either --day, or --since (and --until), not both.",
        ),
        (["--until", "2026-11-01"], "--until needs --since."),
        (
            ["--since", "2026-11-02", "--until", "2026-11-01"],
            "--since (2026-11-02) is after --until (2026-11-01).",
        ),
        (["--day", "2999-01-01"], "2999-01-01 is in the future: there is nothing to export yet."),
    ],
)
def test_command_refuses_bad_dates_clearly(tmp_path, db, arguments, message):
    with pytest.raises(CommandError) as error:
        call_command("export_analytics", *arguments, "--dir", str(tmp_path))

    assert str(error.value) == message
    assert not any(tmp_path.iterdir())


def test_command_reports_an_unwritable_directory(tmp_path, db):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")

    with pytest.raises(CommandError, match="Cannot write to"):
        call_command("export_analytics", "--dir", str(blocked))
