"""The trends part: an hour of hashtag uses counted into Redis through
trends.counters, a week of baseline, then trends.services.compute_trends()
timed.

The hour: `uses` hashtag uses on tagged tweets (one to three distinct tags
each, as the generated world has them), tags drawn by Zipf (s = 1) over
`tags` tags (the world's 200 and benchmark tags `benchtrend<n>`, deleted
afterwards), authors uniformly among the world's accounts, times uniform
over the last hour. They go through `counters.count`, the Lua script every
posted tweet goes through.

The baseline: what compute_trends reads of the days before today, the
day roll-ups (`trends:r:<day>`, each tag's distinct authors summed over the
day's hours). Each tag's hourly figure is its distinct authors in the
generated hour with a little noise, so a steady tag scores about 0, except
for BURSTING tags whose usual rate is a tenth: those should head the list.
Counting a week at this rate through the script (17M uses) would take many
minutes and write the same hashes.
"""

import time
from datetime import timedelta

import numpy as np

from bench.run import log
from bench.streaming.common import summarize

TAGS_PER_TWEET = (1, 2, 3)
TAGS_PER_TWEET_P = (0.66, 0.24, 0.10)  # bench.generate's TAG_COUNT_P among tagged tweets
BURSTING = 20
PREFIX = "benchtrend"


def _hashtags(tags: int) -> tuple[list[int], set[int]]:
    """Ids of `tags` hashtags (the world's first); and the benchmark's own ones."""
    from tweets.models import Hashtag

    world = list(Hashtag.objects.exclude(name__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
    missing = max(0, tags - len(world[:tags]))
    Hashtag.objects.bulk_create(
        [Hashtag(name=f"{PREFIX}{n}") for n in range(1, missing + 1)], ignore_conflicts=True
    )
    own = list(
        Hashtag.objects.filter(name__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)[:missing]
    )
    return world[:tags] + own, set(own)


def cleanup(started) -> None:
    """Delete the benchmark's hashtags (their snapshots go with them) and the run's snapshots."""
    from trends.models import TrendSnapshot
    from tweets.models import Hashtag

    TrendSnapshot.objects.filter(computed_at__gte=started).delete()
    Hashtag.objects.filter(name__startswith=PREFIX).delete()


def _hour_of_uses(rng, tag_ids: np.ndarray, author_ids: np.ndarray, uses: int):
    """Tagged tweets as (tag lists, authors) with `uses` uses in all."""
    weight = 1.0 / np.arange(1, tag_ids.size + 1)
    order = rng.permutation(tag_ids.size)  # which tag has which popularity rank
    cdf = np.cumsum(weight[np.argsort(order)])
    cdf /= cdf[-1]
    tweets = int(uses / np.dot(TAGS_PER_TWEET, TAGS_PER_TWEET_P) * 1.1) + 10
    sizes = rng.choice(TAGS_PER_TWEET, size=tweets, p=TAGS_PER_TWEET_P)
    drawn = tag_ids[np.minimum(np.searchsorted(cdf, rng.random(int(sizes.sum()))), tag_ids.size - 1)]
    authors = author_ids[rng.integers(0, author_ids.size, size=tweets)]
    tag_lists, tweet_authors, total, start = [], [], 0, 0
    for size, author in zip(sizes.tolist(), authors.tolist(), strict=True):
        tags = tuple(dict.fromkeys(drawn[start : start + size].tolist()))[: uses - total]
        start += size
        tag_lists.append(tags)
        tweet_authors.append(author)
        total += len(tags)
        if total >= uses:
            break
    return tag_lists, tweet_authors


def measure_trends(uses: int, tags: int, runs: int, seed: int) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from trends import counters, services

    started_at = timezone.now()
    rng = np.random.default_rng(seed)
    try:
        tag_list, own = _hashtags(tags)
        tag_ids = np.array(tag_list, dtype=np.int64)
        author_ids = np.array(
            User.objects.filter(is_active=True).values_list("pk", flat=True), dtype=np.int64
        )
        tag_lists, authors = _hour_of_uses(rng, tag_ids, author_ids, uses)
        now = timezone.now()
        offsets = rng.random(len(tag_lists)) * 3600
        tweets = [
            counters.TaggedTweet(n, author, tag_tuple, now - timedelta(seconds=float(offset)))
            for n, (tag_tuple, author, offset) in enumerate(
                zip(tag_lists, authors, offsets.tolist(), strict=True), 1
            )
        ]
        t0 = time.perf_counter()
        counted = counters.count(tweets)
        count_seconds = time.perf_counter() - t0
        total_uses = sum(len(t) for t in tag_lists)
        log(f"trends: counted {counted:,} tweets, {total_uses:,} uses in {count_seconds:.1f} s")

        # The generated hour's distinct authors per tag: the baseline's shape.
        pairs = {
            (tag, author) for tag_tuple, author in zip(tag_lists, authors, strict=True) for tag in tag_tuple
        }
        hourly: dict[int, int] = {}
        for tag, _ in pairs:
            hourly[tag] = hourly.get(tag, 0) + 1
        # Bursting: tags busy enough to stand out of the noise, not the busiest.
        middling = sorted(tag for tag, n in hourly.items() if 50 <= n <= 1000) or sorted(hourly)
        bursting = set(rng.choice(middling, size=min(BURSTING, len(middling)), replace=False).tolist())
        today = counters.day_of(now)
        pipe = counters.client().pipeline(transaction=False)
        for day in range(today - settings.TRENDS_BASELINE_DAYS, today):
            day_sum = {
                tag: max(0, round(24 * n * (0.1 if tag in bursting else 1.0) * rng.lognormal(0, 0.2)))
                for tag, n in hourly.items()
            }
            pipe.hset(counters.rollup_key(day), mapping={counters.HOURS_FIELD: 24, **day_sum})
        pipe.execute()

        times, lists = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            listed = services.compute_trends()
            times.append((time.perf_counter() - t0) * 1000)
            lists.append([entry["name"] for entry in listed])
            log(f"trends: compute_trends() {times[-1]:7.1f} ms, {len(listed)} listed")
        final = listed
    finally:
        cleanup(started_at)
    return {
        "uses": total_uses,
        "tweets": len(tag_lists),
        "tags": int(tag_ids.size),
        "tags_used": len(hourly),
        "benchmark_tags": len(own),
        "authors_pool": int(author_ids.size),
        "distinct_authors": len(set(authors)),
        "count_seconds": count_seconds,
        "uses_per_second": total_uses / count_seconds if count_seconds else None,
        "baseline_days": settings.TRENDS_BASELINE_DAYS,
        "bursting": len(bursting),
        "listed_bursting": sum(1 for entry in final if entry["id"] in bursting),
        "runs_ms": times,
        **summarize(times),
        "first_ms": times[0],
        "later": summarize(times[1:]) if len(times) > 1 else None,
        "top": [
            {"name": e["name"], "authors": e["authors"], "baseline": e["baseline"], "score": e["score"]}
            for e in final
        ],
    }
