"""Reading the trends: from Redis, else from the PostgreSQL history; never an error."""

from datetime import UTC, datetime

from trends import counters, selectors, services

from .conftest import NOW


def test_the_current_list_with_its_history(use, tag):
    python = tag("python")
    use(python, 4)
    services.compute_trends(now=NOW)
    current = selectors.current_trends()
    assert current.computed_at == NOW
    [trend] = current.trends
    assert (trend.rank, trend.hashtag.pk, trend.hashtag.name, trend.posts_24h) == (1, python.pk, "python", 4)
    assert trend.history[0] == selectors.HistoryDay(datetime(2026, 3, 10, tzinfo=UTC), 4, 4)
    assert len(trend.history) == 7


def test_reading_the_list_from_redis_runs_no_query(use, tag, django_assert_num_queries):
    use(tag("python"), 4)
    services.compute_trends(now=NOW)
    with django_assert_num_queries(0):
        selectors.current_trends()


def test_nothing_computed_yet_is_an_empty_list(db):
    current = selectors.current_trends()
    assert current == selectors.TrendList(None, [])


def test_when_redis_lost_the_list_the_last_snapshot_stands_in_and_is_stored_again(
    use, tag, django_assert_num_queries
):
    use(tag("python"), 5)
    use(tag("django"), 3)
    services.compute_trends(now=NOW)
    counters.client().flushdb()
    restored = selectors.current_trends()
    assert restored.computed_at == NOW
    assert [(t.rank, t.hashtag.name, t.posts_24h) for t in restored.trends] == [
        (1, "python", 5),
        (2, "django", 3),
    ]
    # The week of history went with the counters: zeros, not an error.
    assert [day.uses for day in restored.trends[0].history] == [0] * 7
    with django_assert_num_queries(0):
        assert selectors.current_trends() == restored


def test_a_tag_blocked_since_the_snapshot_stays_hidden(use, tag, moderator):
    use(tag("spam"), 5)
    use(tag("python"), 3)
    services.compute_trends(now=NOW)
    services.block_hashtag(moderator, tag("spam"))  # not committed: Redis keeps the old list...
    counters.client().flushdb()  # ...until Redis loses it
    assert [trend.hashtag.name for trend in selectors.current_trends().trends] == ["python"]


def test_with_redis_unreachable_the_snapshot_is_read_from_postgresql(use, tag, settings):
    use(tag("python"), 4)
    services.compute_trends(now=NOW)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    [trend] = selectors.current_trends().trends
    assert (trend.hashtag.name, trend.posts_24h, trend.history) == ("python", 4, [])


def test_a_restore_never_replaces_a_list_computed_meanwhile(use, tag):
    use(tag("python"), 3)

    def build():
        services.compute_trends(now=NOW)  # the beat job stores a list meanwhile
        return {"computed_at": None, "trends": []}

    counters.publish(build, overwrite=False)
    assert [trend.hashtag.name for trend in selectors.current_trends().trends] == ["python"]
