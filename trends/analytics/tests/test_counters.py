"""Impressions and profile visits, counted in Redis as pages and API
responses are served."""

import logging
import time
from datetime import timedelta

import pytest

from accounts import services as accounts
from trends.analytics import counters
from tweets import services as tweets

HTMX = {"HX-Request": "true"}


def test_explore_counts_an_impression_per_tweet_shown(client, ann, bob, post, impressions):
    shown = [post(ann, "one"), post(bob, "two")]

    assert client.get("/explore/").status_code == 200
    assert client.get("/explore/").status_code == 200

    assert impressions() == {tweet.pk: 2 for tweet in shown}


def test_own_tweets_are_not_counted(client, events, ann, bob, post, impressions):
    with events():
        accounts.follow(ann, bob)
        own, theirs = post(ann, "mine"), post(bob, "theirs")
    client.force_login(ann)

    assert client.get("/").status_code == 200
    assert client.get(f"/{ann.username}/").status_code == 200
    assert client.get(f"/{ann.username}/status/{own.pk}/").status_code == 200

    assert impressions() == {theirs.pk: 1}


def test_a_retweet_counts_for_its_original(client, events, ann, bob, carol, post, impressions):
    with events():
        accounts.follow(ann, bob)
        original = post(carol, "worth sharing")
        retweet = tweets.retweet(bob, original)
    client.force_login(ann)

    client.get("/")
    client.get(f"/{bob.username}/")

    assert impressions() == {original.pk: 2}
    assert retweet.pk not in impressions()


def test_ones_own_retweet_of_ones_tweet_is_not_counted(client, ann, post, impressions):
    tweet = post(ann, "me again")
    tweets.retweet(ann, tweet)
    client.force_login(ann)

    client.get(f"/{ann.username}/")

    assert impressions() == {}


def test_hashtag_and_likes_tabs_count(client, ann, bob, post, impressions):
    tagged = post(ann, "about #django")
    liked = post(ann, "liked one")
    tweets.like(bob, liked)

    client.get("/hashtag/django/")
    client.get(f"/{bob.username}/likes/")

    assert impressions() == {tagged.pk: 1, liked.pk: 1}


def test_tweet_page_counts_the_thread_it_shows(client, ann, bob, carol, post, impressions):
    root = post(ann, "question")
    answer = post(bob, "answer", in_reply_to=root)
    follow_up = post(carol, "and more", in_reply_to=answer)

    client.get(f"/{bob.username}/status/{answer.pk}/")

    assert impressions() == {root.pk: 1, answer.pk: 1, follow_up.pk: 1}


def test_show_more_pages_count_too(client, ann, post, settings, impressions):
    settings.TIMELINE_PAGE_SIZE = 2
    older, *newer = [post(ann, f"tweet {n}") for n in range(3)]

    client.get("/explore/")
    client.get(f"/explore/?max_id={newer[0].pk}", headers=HTMX)

    assert impressions() == {tweet.pk: 1 for tweet in (older, *newer)}


def test_profile_visits_count_others_only(client, ann, bob, visits):
    client.get(f"/{ann.username}/")  # anonymous
    client.force_login(bob)
    client.get(f"/{ann.username}/")
    client.get(f"/{ann.username}/", headers=HTMX)  # "Show more" within the visit
    client.get(f"/{bob.username}/")  # one's own

    assert visits() == {ann.pk: 2}


def test_a_protected_profile_visit_counts_without_its_tweets(client, make_user, post, impressions, visits):
    pat = make_user("pat", is_protected=True)
    post(pat, "for followers")

    client.get("/pat/")

    assert visits() == {pat.pk: 1}
    assert impressions() == {}


def test_api_timelines_statuses_and_threads_count(api, as_, ann, bob, carol, post, events, impressions):
    with events():
        accounts.follow(ann, bob)
        root = post(bob, "root #tagged")
        reply = post(carol, "reply", in_reply_to=root)

    as_(ann).get("/api/v1/timelines/home")  # bob's root (carol's reply: ann doesn't follow carol)
    api.get("/api/v1/timelines/public")  # root and reply
    api.get("/api/v1/timelines/tag/tagged")  # root
    api.get(f"/api/v1/accounts/{bob.pk}/statuses")  # root
    api.get(f"/api/v1/statuses/{reply.pk}")  # reply
    api.get(f"/api/v1/statuses/{reply.pk}/context")  # root, its ancestor

    assert impressions() == {root.pk: 5, reply.pk: 2}


def test_api_does_not_count_the_readers_own(as_, bob, post, impressions):
    tweet = post(bob, "mine")

    as_(bob).get(f"/api/v1/accounts/{bob.pk}/statuses")
    as_(bob).get(f"/api/v1/statuses/{tweet.pk}")

    assert impressions() == {}


def test_counters_expire_after_a_few_days(client, ann, bob, post, today):
    post(ann, "seen")
    client.get(f"/{ann.username}/")

    for key in (counters.impressions_key(today), counters.visits_key(today)):
        assert 0 < counters.client().ttl(key) <= counters.KEEP_DAYS * 86400


def test_redis_down_never_breaks_a_page(client, api, ann, bob, post, settings, caplog):
    tweet = post(bob, "still readable")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    client.force_login(ann)

    with caplog.at_level(logging.WARNING, logger="trends.analytics.receivers"):
        pages = [
            client.get("/explore/"),
            client.get(f"/{bob.username}/"),
            client.get(f"/{bob.username}/status/{tweet.pk}/"),
        ]
        status = api.get(f"/api/v1/statuses/{tweet.pk}")

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert "still readable" in pages[0].content.decode()
    assert status.status_code == 200
    assert "Impressions not counted" in caplog.text
    assert "Profile visit not counted" in caplog.text


def test_a_flushed_redis_starts_counting_again(client, ann, post, impressions):
    tweet = post(ann, "counted")
    client.get("/explore/")
    counters.client().flushdb()

    assert client.get("/explore/").status_code == 200
    assert impressions() == {tweet.pk: 1}


# --- A worker's batching (IMPRESSIONS_FLUSH_SECONDS) ---------------------------


@pytest.fixture
def batching(settings):
    """Impressions wait in the worker for a minute (the timer won't fire
    during the test); the test writes them with counters.flush()."""
    settings.IMPRESSIONS_FLUSH_SECONDS = 60
    counters.flush()  # nothing left over from an earlier test
    yield
    counters.flush()


def test_a_workers_impressions_are_written_together(client, ann, bob, post, impressions, batching):
    one, two = post(ann, "one"), post(bob, "two")

    for _ in range(3):
        assert client.get("/explore/").status_code == 200
    assert impressions() == {}  # waiting in the worker

    counters.flush()

    assert impressions() == {one.pk: 3, two.pk: 3}
    counters.flush()
    assert impressions() == {one.pk: 3, two.pk: 3}  # written once


def test_the_timer_writes_them_without_another_page(client, ann, post, impressions, settings):
    counters.flush()
    settings.IMPRESSIONS_FLUSH_SECONDS = 0.05
    tweet = post(ann, "seen")

    assert client.get("/explore/").status_code == 200

    deadline = time.monotonic() + 5
    while impressions() != {tweet.pk: 1} and time.monotonic() < deadline:
        time.sleep(0.02)
    assert impressions() == {tweet.pk: 1}


def test_impressions_counted_before_midnight_go_to_that_day(ann, post, batching, monkeypatch, today):
    tweet = post(ann, "late at night")
    counters.count_impressions([tweet.pk])
    monkeypatch.setattr(counters, "today", lambda: today + timedelta(days=1))
    counters.count_impressions([tweet.pk])

    counters.flush()

    assert dict(counters.impressions_on(today)) == {tweet.pk: 1}
    assert dict(counters.impressions_on(today + timedelta(days=1))) == {tweet.pk: 1}


def test_a_failed_write_is_logged_not_raised(client, ann, bob, post, batching, settings, caplog):
    post(bob, "still readable")
    client.get("/explore/")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    with caplog.at_level(logging.WARNING, logger="trends.analytics.counters"):
        counters._flush_logged()

    assert "Impressions not counted" in caplog.text
