"""Computing the trends: distinct authors against each tag's own baseline,
moderators' blocks, the history kept in PostgreSQL."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from trends import counters, selectors, services, tasks
from trends.models import TrendBlock, TrendSnapshot

from .conftest import NOW


def names(trends) -> list[str]:
    return [trend["name"] for trend in trends]


def test_score_is_the_excess_over_the_baseline_in_standard_deviations():
    assert services.score(10, 0.0) == 10
    assert services.score(20, 20.0) == 0
    assert services.score(12, 3.0) == 4.5
    assert services.score(2, 3.0) < 0


def test_tags_with_enough_authors_trend_by_their_count_when_nothing_is_usual(use, tag):
    use(tag("big"), 8)
    use(tag("small"), 3)
    use(tag("tiny"), 2)  # under TRENDS_MIN_AUTHORS
    trends = services.compute_trends(now=NOW)
    assert names(trends) == ["big", "small"]
    assert trends[0]["authors"] == 8
    assert trends[0]["baseline"] == 0
    assert trends[0]["posts_24h"] == 8


def test_one_account_cannot_push_a_tag(use, tag):
    [author] = use(tag("mine"), 1)
    for _ in range(49):
        use(tag("mine"), [author])
    use(tag("shared"), 3)
    assert names(services.compute_trends(now=NOW)) == ["shared"]


def test_an_always_busy_tag_does_not_trend_and_a_new_burst_does(use, usual, tag):
    news, burst, busier = tag("news"), tag("burst"), tag("busier")
    usual({news: 20, busier: 10})
    use(news, 20)
    use(burst, 5)
    use(busier, 20)
    trends = services.compute_trends(now=NOW)
    assert names(trends) == ["burst", "busier"]
    burst_entry, busier_entry = trends
    assert burst_entry["score"] == 5
    assert busier_entry["baseline"] == 10
    assert busier_entry["score"] == pytest.approx(10 / 11**0.5, abs=1e-3)


def test_each_completed_hour_is_rolled_up_once(use, tag):
    python = tag("python")
    use(python, 4, at=NOW - timedelta(hours=1))
    services.compute_trends(now=NOW)
    services.compute_trends(now=NOW + timedelta(minutes=1))
    day = counters.day_of(NOW)
    rolled = counters.client().hgetall(counters.rollup_key(day))
    assert rolled == {str(python.pk).encode(): b"4", b"hours": b"2"}  # the last two hours, once each
    assert counters.roll_up_hour(counters.hour_of(NOW) - 1) is False


def test_the_list_is_limited_and_stored(use, tag, settings):
    settings.TRENDS_LIMIT = 3
    for n in range(5):
        use(tag(f"tag{n}"), 3 + n)
    trends = services.compute_trends(now=NOW)
    assert names(trends) == ["tag4", "tag3", "tag2"]
    stored = json.loads(counters.client().get(counters.CURRENT_KEY))
    assert stored == {"computed_at": NOW.isoformat(), "trends": trends}


def test_history_has_a_week_of_uses_and_accounts(use, tag):
    python = tag("python")
    authors = use(python, 3, at=NOW - timedelta(days=2))
    use(python, authors, at=NOW - timedelta(days=2, minutes=5))  # the same three again
    use(python, 4)
    [trend] = services.compute_trends(now=NOW)
    midnight = int(NOW.replace(hour=0, minute=0, second=0).timestamp())
    assert trend["history"] == [
        [midnight - day * 86400, *{0: (4, 4), 2: (6, 3)}.get(day, (0, 0))] for day in range(7)
    ]
    assert trend["posts_24h"] == 4


def test_snapshots_are_written_replaced_and_pruned(use, tag, settings):
    use(tag("python"), 5)
    use(tag("django"), 4)
    services.compute_trends(now=NOW)
    services.compute_trends(now=NOW)  # the same instant again replaces its rows
    rows = list(
        TrendSnapshot.objects.filter(computed_at=NOW).values_list(
            "rank", "hashtag__name", "authors_last_hour"
        )
    )
    assert rows == [(1, "python", 5), (2, "django", 4)]
    services.compute_trends(now=NOW + timedelta(minutes=1))
    assert TrendSnapshot.objects.count() == 4

    later = NOW + timedelta(days=settings.TRENDS_HISTORY_DAYS, seconds=30)
    assert services.prune_history(now=later) == 2
    assert set(TrendSnapshot.objects.values_list("computed_at", flat=True)) == {NOW + timedelta(minutes=1)}


def test_a_blocked_tag_never_trends(use, tag, moderator):
    spam = tag("spam")
    services.block_hashtag(moderator, spam, "Coordinated spam")
    use(spam, 10)
    use(tag("python"), 3)
    assert names(services.compute_trends(now=NOW)) == ["python"]
    assert not TrendSnapshot.objects.filter(hashtag=spam).exists()


def test_a_block_hides_a_trending_tag_at_once_and_unblocking_lets_it_back(events, use, tag, moderator):
    spam = tag("spam")
    use(spam, 10)
    use(tag("python"), 3)
    services.compute_trends(now=NOW)
    with events():
        block = services.block_hashtag(moderator, spam)
    assert block.blocked_by == moderator
    assert [trend.hashtag.name for trend in selectors.current_trends().trends] == ["python"]

    services.unblock_hashtag(moderator, spam)
    assert not TrendBlock.objects.exists()
    assert names(services.compute_trends(now=NOW + timedelta(minutes=1))) == ["spam", "python"]


def test_a_block_during_a_computation_makes_it_build_the_list_again(moderator, tag):
    builds = []

    def build():
        builds.append(1)
        if len(builds) == 1:
            counters.withdraw(tag("spam").pk)  # a moderator blocks meanwhile
        return {"computed_at": NOW.isoformat(), "trends": []}

    counters.publish(build)
    assert len(builds) == 2


def test_only_moderators_block(ann, tag):
    with pytest.raises(PermissionDenied):
        services.block_hashtag(ann, tag("python"))
    with pytest.raises(PermissionDenied):
        services.unblock_hashtag(ann, tag("python"))
    assert not TrendBlock.objects.exists()


def test_blocking_twice_keeps_one_block(moderator, tag):
    first = services.block_hashtag(moderator, tag("spam"), "first")
    again = services.block_hashtag(moderator, tag("spam"), "again")
    assert again.pk == first.pk
    assert again.reason == "first"


def test_the_beat_tasks(use, tag):
    use(tag("python"), 3, at=timezone.now())
    assert tasks.compute_trends() == 1
    assert tasks.prune_history() == 0
