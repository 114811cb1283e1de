"""Snowflake ids: made by PostgreSQL, time-ordered, and readable back into a time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tweets import snowflake


def set_sequence(value):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('tweets_snowflake_seq', %s)", [value])


@pytest.mark.django_db
def test_next_id_increases():
    set_sequence(1)  # far from a wrap of the 12 sequence bits
    ids = [snowflake.next_id() for _ in range(500)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.django_db
def test_next_id_is_a_positive_64_bit_integer():
    value = snowflake.next_id()
    assert 0 < value < 2**63


@pytest.mark.django_db
def test_timestamp_of_next_id_is_now():
    before = datetime.now(UTC)
    value = snowflake.next_id()
    after = datetime.now(UTC)
    moment = snowflake.timestamp_of(value)
    assert before - timedelta(seconds=1) <= moment <= after + timedelta(seconds=1)
    assert abs(moment - before) < timedelta(seconds=1)


@pytest.mark.django_db
def test_next_id_uses_worker_zero():
    value = snowflake.next_id()
    worker = (value >> snowflake.SEQUENCE_BITS) & ((1 << snowflake.WORKER_BITS) - 1)
    assert worker == 0


@pytest.mark.django_db
def test_ids_stay_unique_and_millisecond_ordered_across_a_sequence_wrap():
    # Ids are k-sorted, like Twitter's: ordered by millisecond, and within one
    # millisecond a wrapped sequence may put a later id below an earlier one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('tweets_snowflake_seq', 4090)")
        cursor.execute("SELECT next_snowflake_id() FROM generate_series(1, 20)")
        ids = [row[0] for row in cursor.fetchall()]
    assert len(set(ids)) == len(ids)
    stamps = [snowflake.timestamp_of(i) for i in ids]
    assert stamps == sorted(stamps)


def test_make_id_layout():
    when = datetime(2020, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert snowflake.make_id(when) == 1000 << snowflake.TIMESTAMP_SHIFT
    assert snowflake.make_id(when, worker=3, sequence=5) == (1000 << 22) | (3 << 12) | 5
    assert snowflake.make_id(datetime(2020, 1, 1, tzinfo=UTC)) == 0


def test_make_id_orders_by_time_then_worker_then_sequence():
    when = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
    later = when + timedelta(milliseconds=1)
    assert snowflake.make_id(when) < snowflake.make_id(when, sequence=1)
    assert snowflake.make_id(when, sequence=4095) < snowflake.make_id(when, worker=1)
    assert snowflake.make_id(when, worker=1023, sequence=4095) < snowflake.make_id(later)


def test_id_floor_is_the_smallest_id_at_or_after():
    when = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
    floor = snowflake.id_floor(when)
    assert floor == snowflake.make_id(when)
    assert snowflake.make_id(when - timedelta(milliseconds=1), worker=1023, sequence=4095) < floor
    assert floor <= snowflake.make_id(when, worker=7, sequence=9)
    assert snowflake.timestamp_of(floor) == when


def test_timestamp_of_round_trips_every_millisecond():
    base = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    for ms in range(0, 3000, 7):
        when = base + timedelta(milliseconds=ms)
        for worker, sequence in ((0, 0), (1023, 4095), (5, 17)):
            assert snowflake.timestamp_of(snowflake.make_id(when, worker, sequence)) == when


def test_timestamp_of_drops_sub_millisecond_precision():
    when = datetime(2025, 3, 1, 12, 0, 0, 999_999, tzinfo=UTC)
    assert snowflake.timestamp_of(snowflake.make_id(when)) == when.replace(microsecond=999_000)


@pytest.mark.django_db
def test_ids_of_tweets_follow_posting_order(ann, post):
    tweets = [post(ann, f"tweet {i}") for i in range(5)]
    ids = [t.pk for t in tweets]
    assert ids == sorted(ids)
    for tweet in tweets:
        assert abs(snowflake.timestamp_of(tweet.pk) - tweet.created_at) < timedelta(seconds=1)
