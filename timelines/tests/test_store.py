"""The Redis timeline store (timelines.store), against the real Redis.

Ids here are Snowflake-sized (near 9e17, past a double's 53 bits), so a
store that kept them as float scores would merge neighbours: every cursor
test uses ids that differ by one.
"""

import pytest

from timelines import store

BIG = 900_000_000_000_000_000  # a Snowflake id of the 2026 era is ~2**59
MAX_BIGINT = 2**63 - 1
READER = 42


@pytest.fixture
def cap(settings):
    settings.TIMELINE_CAP = 5
    return 5


def build(user_id=READER, ids=()):
    """A built timeline holding `ids` (originals)."""
    store.replace(user_id, [store.Entry(i) for i in sorted(ids, reverse=True)])


def members(user_id=READER):
    return sorted(m.decode() for m in store.client().zrange(store.key(user_id), 0, -1))


# --- add ------------------------------------------------------------------------


def test_add_skips_a_timeline_that_is_not_built():
    store.add([READER], store.Entry(BIG))

    assert not store.client().exists(store.key(READER))
    assert not store.client().exists(store.retweets_key(READER))
    assert store.entries(READER) is None
    assert store.read(READER, count=10) is None


def test_add_writes_only_to_the_timelines_that_exist():
    build(1)
    build(3)

    store.add([1, 2, 3], store.Entry(BIG))

    assert store.entries(1) == [BIG]
    assert store.entries(2) is None
    assert store.entries(3) == [BIG]


def test_an_empty_timeline_is_built_and_holds_only_the_sentinel():
    build(ids=[])

    assert store.entries(READER) == []
    assert store.read(READER, count=10) == []
    assert members() == [store.SENTINEL]


def test_add_is_idempotent():
    build()

    for _ in range(3):
        store.add([READER], store.Entry(BIG + 1))
        store.add_many(READER, [store.Entry(BIG + 1), store.Entry(BIG + 2)])

    assert store.entries(READER) == [BIG + 2, BIG + 1]


def test_ids_keep_their_exact_value_and_order():
    ids = [BIG + 1, BIG, BIG + 2, MAX_BIGINT, MAX_BIGINT - 1, 5, 10, 9]
    build()

    store.add_many(READER, [store.Entry(i) for i in ids])

    assert store.entries(READER) == sorted(ids, reverse=True)


# --- read: cursors -----------------------------------------------------------------


@pytest.fixture
def ten():
    """A timeline of ten ids next to each other, BIG .. BIG + 9."""
    ids = [BIG + n for n in range(10)]
    build(ids=ids)
    return ids


def test_read_newest_first_with_count(ten):
    assert store.read(READER, count=3) == [BIG + 9, BIG + 8, BIG + 7]
    assert store.read(READER, count=100) == ten[::-1]


def test_read_max_id_is_exclusive_and_exact(ten):
    assert store.read(READER, max_id=BIG + 5, count=3) == [BIG + 4, BIG + 3, BIG + 2]
    assert store.read(READER, max_id=BIG + 1, count=3) == [BIG]
    assert store.read(READER, max_id=BIG, count=3) == []
    assert store.read(READER, max_id=BIG + 10, count=1) == [BIG + 9]


def test_read_since_id_gives_the_newest_above_it(ten):
    assert store.read(READER, since_id=BIG + 5, count=3) == [BIG + 9, BIG + 8, BIG + 7]
    assert store.read(READER, since_id=BIG + 8, count=3) == [BIG + 9]
    assert store.read(READER, since_id=BIG + 9, count=3) == []
    assert store.read(READER, since_id=BIG - 1, count=100) == ten[::-1]


def test_read_min_id_gives_the_oldest_above_it_newest_first(ten):
    assert store.read(READER, min_id=BIG + 5, count=3) == [BIG + 8, BIG + 7, BIG + 6]
    assert store.read(READER, min_id=BIG, count=2) == [BIG + 2, BIG + 1]
    assert store.read(READER, min_id=BIG + 9, count=3) == []


def test_read_between_two_cursors(ten):
    assert store.read(READER, since_id=BIG + 2, max_id=BIG + 6, count=10) == [BIG + 5, BIG + 4, BIG + 3]
    assert store.read(READER, since_id=BIG + 2, max_id=BIG + 6, count=2) == [BIG + 5, BIG + 4]
    assert store.read(READER, min_id=BIG + 2, max_id=BIG + 6, count=2) == [BIG + 4, BIG + 3]
    # both lower bounds: the higher one wins
    assert store.read(READER, since_id=BIG + 6, min_id=BIG + 2, count=10) == [BIG + 9, BIG + 8, BIG + 7]


def test_read_near_the_largest_bigint():
    build(ids=[MAX_BIGINT, MAX_BIGINT - 1, MAX_BIGINT - 2])

    assert store.read(READER, max_id=MAX_BIGINT, count=5) == [MAX_BIGINT - 1, MAX_BIGINT - 2]
    assert store.read(READER, since_id=MAX_BIGINT - 1, count=5) == [MAX_BIGINT]
    assert store.read(READER, min_id=MAX_BIGINT - 2, count=1) == [MAX_BIGINT - 1]


def test_walking_with_max_id_visits_every_id_once(ten):
    seen, cursor = [], None
    while True:
        page = store.read(READER, max_id=cursor, count=3)
        if not page:
            break
        seen += page
        cursor = page[-1]

    assert seen == ten[::-1]


def test_walking_forward_with_min_id_visits_every_id_once(ten):
    seen, cursor = [], BIG - 1
    while True:
        page = store.read(READER, min_id=cursor, count=3)
        if not page:
            break
        seen = page + seen
        cursor = page[0]

    assert seen == ten[::-1]


# --- cap --------------------------------------------------------------------------


def test_add_trims_to_the_newest_cap_and_keeps_the_sentinel(cap):
    build()

    for n in range(12):
        store.add([READER], store.Entry(BIG + n))

    assert store.entries(READER) == [BIG + n for n in range(11, 6, -1)]
    assert store.SENTINEL in members()
    assert len(members()) == cap + 1


def test_an_old_id_added_to_a_full_timeline_falls_out_at_once(cap):
    build(ids=[BIG + n for n in range(10, 15)])

    store.add([READER], store.Entry(BIG))

    assert store.entries(READER) == [BIG + n for n in range(14, 9, -1)]


def test_a_trimmed_timeline_stays_built_when_emptied(cap):
    build(ids=[BIG + n for n in range(5)])

    store.remove([READER], [BIG + n for n in range(5)])

    assert store.entries(READER) == []
    assert store.client().exists(store.key(READER))


def test_replace_keeps_the_newest_cap(cap):
    store.replace(READER, [store.Entry(BIG + n) for n in range(9, -1, -1)])

    assert store.entries(READER) == [BIG + n for n in range(9, 4, -1)]
    assert members()[0] == store.SENTINEL


# --- retweets: one entry per original ----------------------------------------------------


ORIGINAL = BIG
RETWEET_1 = BIG + 10
RETWEET_2 = BIG + 20


def test_an_original_in_the_timeline_blocks_its_retweets():
    build(ids=[ORIGINAL])

    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))

    assert store.entries(READER) == [ORIGINAL]


def test_a_second_retweet_of_the_same_original_is_skipped():
    build()

    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))
    store.add([READER], store.Entry(RETWEET_2, ORIGINAL))

    assert store.entries(READER) == [RETWEET_1]
    assert (
        store.client().hget(store.retweets_key(READER), store.pad(ORIGINAL)) == store.pad(RETWEET_1).encode()
    )


def test_a_retweet_is_accepted_again_once_the_first_was_trimmed(cap):
    build()
    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))
    for n in range(cap):  # newer tweets push the retweet out
        store.add([READER], store.Entry(RETWEET_1 + 1 + n))
    assert RETWEET_1 not in store.entries(READER)

    store.add([READER], store.Entry(RETWEET_2, ORIGINAL))

    assert RETWEET_2 in store.entries(READER)


def test_a_retweet_is_accepted_again_once_the_first_was_removed():
    build()
    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))
    store.remove([READER], [RETWEET_1])

    store.add([READER], store.Entry(RETWEET_2, ORIGINAL))

    assert store.entries(READER) == [RETWEET_2]


def test_retweet_dedupe_is_per_reader():
    build(1, ids=[ORIGINAL])
    build(2)

    store.add([1, 2], store.Entry(RETWEET_1, ORIGINAL))

    assert store.entries(1) == [ORIGINAL]
    assert store.entries(2) == [RETWEET_1]


def test_an_older_retweet_replaces_a_newer_one():
    """Backfill may bring an older retweet of a tweet: the oldest row stands for it, as in the database."""
    build()
    store.add([READER], store.Entry(RETWEET_2, ORIGINAL))

    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))

    assert store.entries(READER) == [RETWEET_1]
    assert (
        store.client().hget(store.retweets_key(READER), store.pad(ORIGINAL)) == store.pad(RETWEET_1).encode()
    )
    store.add([READER], store.Entry(RETWEET_2, ORIGINAL))  # and a newer one stays out
    assert store.entries(READER) == [RETWEET_1]


def test_an_original_replaces_its_retweet():
    build()
    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))

    store.add([READER], store.Entry(ORIGINAL))

    assert store.entries(READER) == [ORIGINAL]
    assert not store.client().hexists(store.retweets_key(READER), store.pad(ORIGINAL))
    store.add([READER], store.Entry(RETWEET_2, ORIGINAL))
    assert store.entries(READER) == [ORIGINAL]


def test_readding_the_same_retweet_is_a_no_op():
    build()
    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))

    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))

    assert store.entries(READER) == [RETWEET_1]


def test_an_old_retweet_does_not_displace_a_newer_one_from_a_full_timeline(cap):
    """It would be trimmed at once, and the tweet would be lost from the timeline."""
    build(ids=[BIG + n for n in range(100, 100 + cap - 1)])
    store.add([READER], store.Entry(RETWEET_2, ORIGINAL))  # now full

    store.add([READER], store.Entry(RETWEET_1 - 5, ORIGINAL))

    assert RETWEET_2 in store.entries(READER)
    assert len(store.entries(READER)) == cap


def test_retweet_entries():
    build()
    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))
    store.add([READER], store.Entry(BIG + 3))

    assert store.retweet_entries([READER, 99], ORIGINAL) == {READER: RETWEET_1}
    assert store.retweet_entries([READER], BIG + 3) == {}


def test_the_retweet_map_forgets_trimmed_retweets(cap):
    build()
    for n in range(3 * cap):  # each a retweet of a different original
        store.add([READER], store.Entry(BIG + 1000 + n, BIG + n))

    retweet_map = store.client().hgetall(store.retweets_key(READER))
    assert len(retweet_map) <= 2 * cap + 1
    in_timeline = set(store.entries(READER))
    # every retweet still in the timeline is still known
    assert {int(v) for v in retweet_map.values()} >= in_timeline


def test_the_retweet_that_triggers_the_map_cleanup_stays_known(cap):
    build()
    for n in range(2 * cap + 1):  # the last one makes the map overflow
        store.add([READER], store.Entry(BIG + 1000 + n, BIG + n))
    last_original, last_retweet = BIG + 2 * cap, BIG + 1000 + 2 * cap

    store.add([READER], store.Entry(BIG + 5000, last_original))

    assert last_retweet in store.entries(READER)
    assert BIG + 5000 not in store.entries(READER)


def test_replace_records_retweets_for_dedupe():
    store.replace(READER, [store.Entry(RETWEET_1, ORIGINAL), store.Entry(BIG + 5)])

    store.add([READER], store.Entry(RETWEET_2, ORIGINAL))

    assert store.entries(READER) == [RETWEET_1, BIG + 5]


# --- replace, drop, TTL ------------------------------------------------------------------


def test_replace_then_read():
    build(ids=[1, 2, 3])
    store.add([READER], store.Entry(BIG + 1, ORIGINAL))

    store.replace(READER, [store.Entry(BIG + 3), store.Entry(BIG + 2, BIG - 7), store.Entry(BIG + 1)])

    assert store.read(READER, count=10) == [BIG + 3, BIG + 2, BIG + 1]
    assert store.entries(READER) == [BIG + 3, BIG + 2, BIG + 1]
    assert not store.client().exists(f"{store.key(READER)}:building")
    retweet_map = store.client().hgetall(store.retweets_key(READER))
    assert retweet_map == {store.pad(BIG - 7).encode(): store.pad(BIG + 2).encode()}


def test_replace_with_nothing_builds_an_empty_timeline():
    build(ids=[1, 2, 3])

    store.replace(READER, [])

    assert store.entries(READER) == []


def test_drop_forgets_the_timeline():
    store.replace(READER, [store.Entry(RETWEET_1, ORIGINAL)])

    store.drop(READER)

    assert store.read(READER, count=5) is None
    assert not store.client().exists(store.retweets_key(READER))


def test_remove_is_idempotent_and_per_reader():
    build(1, ids=[BIG, BIG + 1])
    build(2, ids=[BIG, BIG + 1])

    store.remove([1], [BIG, BIG + 99])
    store.remove([1], [BIG])
    store.remove([1], [])

    assert store.entries(1) == [BIG + 1]
    assert store.entries(2) == [BIG + 1, BIG]


def test_built_timelines_expire_after_the_inactive_days(settings):
    settings.TIMELINE_INACTIVE_DAYS = 3
    store.replace(READER, [store.Entry(RETWEET_1, ORIGINAL)])

    for name in (store.key(READER), store.retweets_key(READER)):
        ttl = store.client().ttl(name)
        assert 3 * 86400 - 5 <= ttl <= 3 * 86400


def test_a_read_keeps_the_timeline_alive(settings):
    settings.TIMELINE_INACTIVE_DAYS = 30
    store.replace(READER, [store.Entry(RETWEET_1, ORIGINAL)])
    redis = store.client()
    redis.expire(store.key(READER), 60)
    redis.expire(store.retweets_key(READER), 60)

    assert store.read(READER, count=1) == [RETWEET_1]

    for name in (store.key(READER), store.retweets_key(READER)):
        ttl = redis.ttl(name)
        assert 30 * 86400 - 5 <= ttl <= 30 * 86400


def test_fanout_does_not_extend_the_life_of_a_timeline():
    """Only reads keep a timeline: an inactive reader's expires however busy their follows."""
    build()
    store.client().expire(store.key(READER), 60)

    store.add([READER], store.Entry(BIG + 5))
    store.add([READER], store.Entry(RETWEET_1, ORIGINAL))

    assert 0 < store.client().ttl(store.key(READER)) <= 60
    assert 0 < store.client().ttl(store.retweets_key(READER)) <= 60


def test_a_read_of_a_missing_timeline_creates_nothing():
    assert store.read(READER, count=5) is None

    assert not store.client().exists(store.key(READER))
    assert not store.client().exists(store.retweets_key(READER))


# --- outboxes --------------------------------------------------------------------

AUTHOR = 7
REPLIED_TO = 99


def outbox(**cursors):
    return store.read_outboxes([AUTHOR], **{"max_id": None, "since_id": None, "min_id": None, **cursors})[
        AUTHOR
    ]


def test_an_outbox_that_is_not_built_reads_as_none_and_takes_nothing():
    store.add_to_outbox(AUTHOR, [(BIG, None)])

    assert outbox(count=5) is None
    assert not store.client().exists(store.outbox_key(AUTHOR))


def test_an_outbox_reads_ids_and_reply_targets_between_exclusive_cursors():
    store.replace_outbox(AUTHOR, [(BIG + 3, None), (BIG + 2, REPLIED_TO), (BIG + 1, None)])
    store.add_to_outbox(AUTHOR, [(BIG + 4, REPLIED_TO)])

    assert outbox(count=10).entries == [
        (BIG + 4, REPLIED_TO),
        (BIG + 3, None),
        (BIG + 2, REPLIED_TO),
        (BIG + 1, None),
    ]
    # A member carries its reply target after the id: the cursors still cut at the id.
    assert outbox(max_id=BIG + 4, count=10).entries == [
        (BIG + 3, None),
        (BIG + 2, REPLIED_TO),
        (BIG + 1, None),
    ]
    assert outbox(since_id=BIG + 2, count=10).entries == [(BIG + 4, REPLIED_TO), (BIG + 3, None)]
    assert outbox(min_id=BIG + 2, count=10).entries == [(BIG + 3, None), (BIG + 4, REPLIED_TO)]
    assert outbox(max_id=BIG + 4, since_id=BIG + 1, count=1).entries == [(BIG + 3, None)]
    assert not outbox(count=10).trimmed


def test_an_empty_outbox_is_built_and_empty():
    store.replace_outbox(AUTHOR, [])

    window = outbox(count=5)
    assert window.entries == []
    assert not window.trimmed


def test_an_outbox_keeps_the_newest_cap_and_says_it_was_trimmed(cap):
    store.replace_outbox(AUTHOR, [(BIG + i, None) for i in range(10, 0, -1)])
    assert [pk for pk, _ in outbox(count=10).entries] == [BIG + i for i in range(10, 5, -1)]
    assert outbox(count=10).trimmed

    store.add_to_outbox(AUTHOR, [(BIG + 11, None)])
    assert [pk for pk, _ in outbox(count=10).entries] == [BIG + i for i in range(11, 6, -1)]


def test_removing_from_an_outbox_drops_the_id_whatever_it_replies_to():
    store.replace_outbox(AUTHOR, [(BIG + 3, None), (BIG + 2, REPLIED_TO), (BIG + 1, None)])

    store.remove_from_outbox(AUTHOR, [BIG + 2, BIG + 3, BIG + 5])

    assert outbox(count=10).entries == [(BIG + 1, None)]


def test_read_window_reads_the_timeline_and_outboxes_in_one_go():
    build(ids=[BIG + 1, BIG + 5])
    store.replace_outbox(AUTHOR, [(BIG + 4, None)])

    timeline, outboxes = store.read_window(READER, [AUTHOR, AUTHOR + 1], max_id=BIG + 5, count=5)

    assert timeline == [BIG + 1]
    assert outboxes[AUTHOR].entries == [(BIG + 4, None)]
    assert outboxes[AUTHOR + 1] is None


def test_outboxes_expire_after_the_inactive_days(settings):
    settings.TIMELINE_INACTIVE_DAYS = 2
    store.replace_outbox(AUTHOR, [(BIG, None)])

    assert 0 < store.client().ttl(store.outbox_key(AUTHOR)) <= 2 * 86400
