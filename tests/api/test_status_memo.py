"""Statuses kept by the stamps of the cached rows they show
(tweets.api.serializers.statuses_json): the same JSON as status_json for
every viewer, their own likes, retweets, bookmarks and quote permissions
included, and a new Status when anything shown changes."""

import pytest
from django.test import RequestFactory

from accounts import services as accounts
from accounts.selectors import audience_of
from accounts.stores import Memo, stamp
from tweets import selectors, services
from tweets.api import serializers
from tweets.api.serializers import status_json, statuses_json
from tweets.models import Tweet


@pytest.fixture(autouse=True)
def _empty_memo(monkeypatch):
    monkeypatch.setattr(serializers, "_STATUS_MEMO", Memo(size=4096))


def request():
    return RequestFactory().get("/api/v1/timelines/home", SERVER_NAME="localhost")


def rows_for(viewer, tweets):
    rows = selectors.load_tweets([tweet.pk for tweet in tweets])
    return selectors.attach_viewer_state(rows, audience_of(viewer))


def both_ways(viewer, tweets):
    """(statuses_json, [status_json...]) of the same freshly loaded rows."""
    return (
        statuses_json(rows_for(viewer, tweets), request()),
        [status_json(row, request()) for row in rows_for(viewer, tweets)],
    )


@pytest.fixture
def timeline(ann, bob, carol, post):
    """An original, a retweet, a quote and a reply, by bob and carol."""
    original = post(bob, "an original #tag with @carol")
    return [
        original,
        services.retweet(carol, original),
        post(carol, "a quote", quote_of=original),
        post(carol, "a reply", in_reply_to=original),
    ]


def test_the_statuses_are_those_status_json_writes_cold_and_warm(ann, timeline):
    cold, expected = both_ways(ann, timeline)
    assert cold == expected
    assert len(serializers._STATUS_MEMO.entries) == len(timeline)

    warm, expected = both_ways(ann, timeline)
    assert warm == expected


def test_each_viewer_gets_their_own_likes_retweets_and_bookmarks(ann, bob, carol, timeline):
    original, retweet, quote, _ = timeline
    services.like(ann, original)
    services.bookmark(ann, quote)
    statuses_json(rows_for(carol, timeline), request())  # the memo holds carol's view

    mine, expected = both_ways(ann, timeline)
    assert mine == expected
    by_id = {status["id"]: status for status in mine}
    assert by_id[str(original.pk)]["favourited"] is True
    assert by_id[str(retweet.pk)]["favourited"] is True
    assert by_id[str(retweet.pk)]["reblog"]["favourited"] is True
    assert by_id[str(quote.pk)]["bookmarked"] is True

    theirs, expected = both_ways(carol, timeline)
    assert theirs == expected
    by_id = {status["id"]: status for status in theirs}
    assert by_id[str(original.pk)]["favourited"] is False
    assert by_id[str(original.pk)]["reblogged"] is True  # carol retweeted it
    assert by_id[str(retweet.pk)]["reblog"]["reblogged"] is True


def test_a_quoted_tweet_shows_only_to_viewers_who_may_see_it(ann, bob, carol, make_user, post):
    quoted_author = make_user("quoted")
    quote = post(bob, "quoting", quote_of=post(quoted_author, "the quoted tweet"))
    accounts.block(carol, quoted_author)

    for viewer, state in ((ann, "accepted"), (carol, "unauthorized"), (ann, "accepted")):
        statuses, expected = both_ways(viewer, [quote])
        assert statuses == expected
        assert statuses[0]["quote"]["state"] == state


def test_a_new_count_or_text_is_a_new_status(ann, bob, carol, timeline):
    original = timeline[0]
    statuses_json(rows_for(ann, [original]), request())

    services.like(carol, original)
    services.edit_tweet(bob, original, "edited text")

    [status] = statuses_json(rows_for(ann, [original]), request())
    assert status["favourites_count"] == 1
    assert status["content"] == "<p>edited text</p>"


def test_rows_that_did_not_come_from_the_caches_are_not_kept(ann, timeline):
    rows = selectors.attach_viewer_state(
        list(Tweet.objects.filter(pk__in=[t.pk for t in timeline]).select_related("author")), audience_of(ann)
    )
    assert all(stamp(row) is None for row in rows)

    assert statuses_json(rows, request()) == [status_json(row, request()) for row in rows]
    assert serializers._STATUS_MEMO.entries == {}


def test_a_saved_row_loses_its_stamp(ann, bob, post):
    [row] = selectors.load_tweets([post(bob, "before").pk])
    assert stamp(row) is not None

    row.text = "after"
    row.save()

    assert stamp(row) is None
    assert statuses_json([row], request())[0]["content"] == "<p>after</p>"


def test_the_memo_keeps_its_bound_oldest_out_first(monkeypatch, ann, timeline):
    monkeypatch.setattr(serializers, "_STATUS_MEMO", Memo(size=2))

    statuses, expected = both_ways(ann, timeline)

    assert statuses == expected
    assert len(serializers._STATUS_MEMO.entries) == 2
    newest_two = [serializers._memo_key(row, request()) for row in rows_for(ann, timeline)[-2:]]
    assert list(serializers._STATUS_MEMO.entries) == newest_two
