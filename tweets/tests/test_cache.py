"""The tweet cache (tweets.cache) behind load_tweets, the home timeline
and search: every write through the services is seen by the next read,
and a warm cache loads a page with its related rows without a query."""

import logging

import pytest
from django.core.files.storage import default_storage

from accounts import services as accounts
from accounts import stores
from media import services as media
from media.models import State
from media.tests import conftest as media_fixtures
from tweets import cache, selectors, services

_media_root = media_fixtures._media_root
uploaded = media_fixtures.uploaded

HOME = "/api/v1/timelines/home"


def load(tweet):
    [row] = selectors.load_tweets([tweet.pk])
    return row


def is_cached(tweet) -> bool:
    return tweet.pk in stores.cached("tweet", [tweet.pk], version=cache.VERSION)[0]


def home_statuses(reader) -> dict[str, dict]:
    response = reader.get(HOME)
    assert response.status_code == 200, response.content
    return {status["id"]: status for status in response.json()}


@pytest.fixture
def reader(as_user, ann, bob):
    """ann's API client; ann follows bob."""
    accounts.follow(ann, bob)
    return as_user(ann)


def test_loading_caches_the_tweets_and_a_warm_load_runs_no_query(ann, post, django_assert_num_queries):
    older, newer = post(ann, "older"), post(ann, "newer")

    rows = selectors.load_tweets([older.pk, newer.pk])
    assert [row.pk for row in rows] == [newer.pk, older.pk]
    assert is_cached(older)
    assert is_cached(newer)

    with django_assert_num_queries(0):
        again = selectors.load_tweets([older.pk, newer.pk])
        assert [(row.text, row.author.username) for row in again] == [("newer", "ann"), ("older", "ann")]


def test_a_like_shows_on_the_next_load(ann, bob, post):
    tweet = post(bob, "like me")
    assert load(tweet).likes_count == 0

    services.like(ann, tweet)

    assert load(tweet).likes_count == 1


def test_a_like_shows_on_the_next_home_timeline(reader, carol, bob, post):
    tweet = post(bob, "like me")
    assert home_statuses(reader)[str(tweet.pk)]["favourites_count"] == 0

    services.like(carol, tweet)
    assert home_statuses(reader)[str(tweet.pk)]["favourites_count"] == 1

    services.unlike(carol, tweet)
    assert home_statuses(reader)[str(tweet.pk)]["favourites_count"] == 0


def test_retweets_and_replies_update_the_counts(ann, bob, carol, post):
    tweet = post(bob, "popular")
    load(tweet)

    services.retweet(carol, tweet)
    post(ann, "a reply", in_reply_to=tweet)
    post(ann, "a quote", quote_of=tweet)

    shown = load(tweet)
    assert (shown.retweets_count, shown.replies_count, shown.quotes_count) == (1, 1, 1)


def test_an_edit_shows_the_new_text(reader, bob, post):
    tweet = post(bob, "frist")
    assert load(tweet).text == "frist"
    assert home_statuses(reader)[str(tweet.pk)]["content"] == "<p>frist</p>"

    services.edit_tweet(bob, tweet, "first")

    edited = load(tweet)
    assert edited.text == "first"
    assert edited.edited_at is not None
    status = home_statuses(reader)[str(tweet.pk)]
    assert status["content"] == "<p>first</p>"
    assert status["edited_at"] is not None


def test_a_deleted_tweet_loads_as_a_tombstone_and_leaves_the_home_timeline(reader, bob, post, events):
    tweet = post(bob, "regret")
    kept = post(bob, "keeper")
    assert set(home_statuses(reader)) == {str(tweet.pk), str(kept.pk)}

    with events():
        services.delete_tweet(bob, tweet)

    tombstone = load(tweet)
    assert tombstone.deleted_at is not None
    assert tombstone.text == ""
    assert set(home_statuses(reader)) == {str(kept.pk)}


def test_the_authors_new_name_shows_on_their_cached_tweets(reader, bob, post):
    tweet = post(bob, "hello")
    assert load(tweet).author.display_name == "Bob"
    assert home_statuses(reader)[str(tweet.pk)]["account"]["display_name"] == "Bob"

    accounts.update_profile(bob, display_name="Robert")

    assert load(tweet).author.display_name == "Robert"
    assert home_statuses(reader)[str(tweet.pk)]["account"]["display_name"] == "Robert"


def test_a_retweet_of_a_quote_loads_all_it_shows_without_further_queries(
    ann, bob, carol, make_user, post, django_assert_num_queries
):
    dave = make_user("dave", display_name="Dave")
    original = post(carol, "the original")
    quote = post(bob, "a quote", quote_of=original)
    reply = post(dave, "a reply", in_reply_to=quote)
    retweet = services.retweet(ann, quote)

    rows = selectors.load_tweets([retweet.pk, reply.pk])  # cold: fills the cache
    with django_assert_num_queries(0):
        assert [row.pk for row in rows] == [retweet.pk, reply.pk]
        assert rows[0].author.display_name == "Ann"
        assert rows[0].retweet_of.text == "a quote"
        assert rows[0].retweet_of.author.display_name == "Bob"
        assert rows[0].retweet_of.quote_of.text == "the original"
        assert rows[0].retweet_of.quote_of.author.display_name == "Carol"
        assert rows[1].in_reply_to_author.display_name == "Bob"

    with django_assert_num_queries(0):
        rows = selectors.load_tweets([retweet.pk, reply.pk])
    with django_assert_num_queries(0):
        shown = rows[0].retweet_of
        assert rows[0].author.username == "ann"
        assert (shown.author.username, shown.quote_of.author.username) == ("bob", "carol")
        assert shown.quote_of.text == "the original"
        assert rows[1].in_reply_to_author.username == "bob"
        assert rows[1].author.username == "dave"


@pytest.fixture
def mgets(monkeypatch):
    """The MGETs the row caches send, as lists of keys."""
    sent = []
    client = stores.redis_client()

    class Counting:
        def mget(self, keys):
            sent.append(list(keys))
            return client.mget(keys)

        def __getattr__(self, name):
            return getattr(client, name)

    monkeypatch.setattr(stores, "redis_client", lambda **options: Counting())
    return sent


def test_a_warm_load_of_retweets_of_quotes_is_two_round_trips(ann, bob, carol, make_user, post, mgets):
    dave = make_user("dave", display_name="Dave")
    original = post(carol, "the original")
    quote = post(bob, "a quote", quote_of=original)
    reply = post(dave, "a reply", in_reply_to=quote)
    retweet = services.retweet(ann, quote)
    selectors.load_tweets([retweet.pk, reply.pk])  # cold: fills the cache
    mgets.clear()

    rows = selectors.load_tweets([retweet.pk, reply.pk])

    # The rows; then, from their reach, the quote and the original with
    # every author, where walking the links took three.
    assert len(mgets) == 2
    assert rows[0].retweet_of.quote_of.author.username == "carol"
    assert rows[1].in_reply_to_author.username == "bob"


def test_a_reach_cached_before_a_change_still_reads_the_changed_rows(ann, bob, carol, post, mgets):
    original = post(carol, "the original")
    retweet = services.retweet(ann, post(bob, "a quote", quote_of=original))
    selectors.load_tweets([retweet.pk])

    services.like(ann, original)  # forgets the original, not the retweet that reaches it
    accounts.update_profile(carol, display_name="Caroline")

    [row] = selectors.load_tweets([retweet.pk])
    assert row.retweet_of.quote_of.likes_count == 1
    assert row.retweet_of.quote_of.author.display_name == "Caroline"


def test_a_retweet_reads_its_originals_new_count(ann, bob, carol, post):
    tweet = post(bob, "original")
    retweet = services.retweet(ann, tweet)
    assert load(retweet).retweet_of.likes_count == 0

    services.like(carol, tweet)

    assert load(retweet).retweet_of.likes_count == 1


def test_media_that_finish_processing_show_as_ready(ann, uploaded, post, django_assert_num_queries):
    item = uploaded(ann, processed=False)
    tweet = post(ann, "a picture", media=[str(item.pk)])
    [pending] = load(tweet).media
    assert pending.state == State.PENDING
    with django_assert_num_queries(0):
        assert load(tweet).media[0].state == State.PENDING  # from the cache

    assert media.process(item.pk) == State.READY

    [ready] = load(tweet).media
    assert ready.state == State.READY
    assert ready.file.name


def test_media_that_fail_processing_show_as_failed(ann, uploaded, post, caplog):
    item = uploaded(ann, processed=False)
    tweet = post(ann, "a picture", media=[str(item.pk)])
    assert load(tweet).media[0].state == State.PENDING
    default_storage.delete(item.original.name)  # nothing left to process

    with caplog.at_level(logging.CRITICAL, logger="media.services"):
        assert media.process(item.pk) == State.FAILED

    [failed] = load(tweet).media
    assert failed.state == State.FAILED
    assert failed.error


def test_a_changed_alt_text_shows(ann, uploaded, post):
    item = uploaded(ann, description="A red square")
    tweet = post(ann, "a picture", media=[str(item.pk)])
    assert load(tweet).media[0].description == "A red square"

    services.edit_tweet(
        ann, tweet, "a picture", media_changes=[media.MediaChange(str(item.pk), "A crimson square")]
    )

    assert load(tweet).media[0].description == "A crimson square"


def test_a_count_recached_before_the_commit_is_forgotten_at_commit(
    ann, bob, post, django_capture_on_commit_callbacks
):
    tweet = post(bob, "like me")
    with django_capture_on_commit_callbacks(execute=True):
        stale = {tweet.pk: load(tweet)}
        services.like(ann, tweet)
        stores.store("tweet", stale, version=cache.VERSION, timeout=60)
        assert load(tweet).likes_count == 0  # what a concurrent reader put back

    assert load(tweet).likes_count == 1


def test_tweets_load_from_postgresql_when_the_cache_fails(reader, ann, bob, post, broken_cache):
    quoted = post(ann, "quoted")
    tweet = post(bob, "still here", quote_of=quoted)

    row = load(tweet)
    assert (row.text, row.author.username, row.quote_of.text) == ("still here", "bob", "quoted")
    services.like(ann, tweet)
    assert load(tweet).likes_count == 1
    assert home_statuses(reader)[str(tweet.pk)]["favourites_count"] == 1
