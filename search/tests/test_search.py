"""Searching tweets: the query language and the privacy rules, run
against every backend (search/tests/conftest.py)."""

from datetime import UTC, datetime

import pytest

from accounts import services as accounts
from media import services as media
from media.tests.conftest import image_bytes, upload_file
from search.query import parse
from search.selectors import search_tweets
from tweets import services as tweets
from tweets.models import Tweet
from tweets.snowflake import make_id


def test_every_word_must_match(tweet, found, ann):
    tweet(ann, "The black cat sleeps")
    tweet(ann, "A black dog barks")
    tweet(ann, "Cats and dogs")
    assert found(None, "black") == ["A black dog barks", "The black cat sleeps"]
    assert found(None, "BLACK cat") == ["The black cat sleeps"]
    assert found(None, "purple") == []


def test_phrases_and_exclusions(tweet, found, ann):
    tweet(ann, "the cat is black")
    tweet(ann, "a black cat crossed")
    tweet(ann, "black cat, wet dog")
    assert found(None, '"black cat"') == ["black cat, wet dog", "a black cat crossed"]
    assert found(None, '"black cat" -dog') == ["a black cat crossed"]
    assert found(None, 'cat -"wet dog"') == ["a black cat crossed", "the cat is black"]


def test_hashtags_mentions_authors_and_replies(tweet, found, ann, bob, carol):
    first = tweet(ann, "Going to #PyCon with @bob")
    tweet(bob, "Loved #pycon", in_reply_to=first)
    tweet(carol, "pycon without a hashtag")
    assert found(None, "#pycon") == ["Loved #pycon", "Going to #PyCon with @bob"]
    assert found(None, "@bob") == ["Going to #PyCon with @bob"]
    assert found(None, "from:bob") == ["Loved #pycon"]
    assert found(None, "to:ann") == ["Loved #pycon"]
    assert found(None, "pycon from:carol") == ["pycon without a hashtag"]
    # Names that do not exist match nothing, and are no error.
    assert found(None, "from:nobody") == []
    assert found(None, "#neverused") == []


def test_days_links_and_language(tweet, found, ann, search_backend):
    old = tweet(ann, "news from the past", language="de")
    tweet(ann, "news with a link https://example.com/story", language="en")
    # Ids carry their time: move the first tweet to 2026-01-15.
    moved = make_id(datetime(2026, 1, 15, 12, tzinfo=UTC))
    Tweet.objects.filter(pk=old.pk).update(id=moved)
    search_backend.index([old.pk, moved])
    assert found(None, "news since:2026-01-15 until:2026-01-16") == ["news from the past"]
    assert found(None, "news until:2026-01-15") == []
    assert found(None, "news has:links") == ["news with a link https://example.com/story"]
    assert found(None, "news lang:de") == ["news from the past"]


def test_has_media_finds_tweets_that_show_media(tweet, found, ann, events, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    pictures = [media.upload(ann, upload_file(image_bytes())) for _ in range(2)]
    tweet(ann, "sunset at the beach", media=[str(pictures[0].pk)])
    tweet(ann, "sunset, no picture")
    edited = tweet(ann, "sunset with a picture removed", media=[str(pictures[1].pk)])
    assert found(None, "sunset has:media") == ["sunset with a picture removed", "sunset at the beach"]
    with events():
        tweets.edit_tweet(ann, edited, edited.text, media=[])
    assert found(None, "sunset has:media") == ["sunset at the beach"]
    assert found(None, "sunset has:media has:links") == []


def test_what_users_type_as_query_syntax_is_searched_as_text(tweet, found, ann):
    tweet(ann, "Robert'); DROP TABLE students;-- is my son")
    tweet(ann, "title:foo AND (bar OR baz)")
    assert found(None, "Robert'); DROP TABLE students;--") == ["Robert'); DROP TABLE students;-- is my son"]
    assert found(None, "title:foo AND (bar OR baz)") == ["title:foo AND (bar OR baz)"]
    assert found(None, "a & !b | c:* <-> d") == []
    assert Tweet.objects.count() == 2


def test_latest_pages_by_id_without_repeats(tweet, ann):
    for n in range(5):
        tweet(ann, f"page test {n}")
    first = search_tweets(None, parse("page test"), order="latest", limit=2)
    assert [t.text for t in first.tweets] == ["page test 4", "page test 3"]
    second = search_tweets(None, parse("page test"), order="latest", limit=2, max_id=first.next_max_id)
    third = search_tweets(None, parse("page test"), order="latest", limit=2, max_id=second.next_max_id)
    assert [t.text for t in second.tweets + third.tweets] == ["page test 2", "page test 1", "page test 0"]
    assert third.next_max_id is None


def test_top_ranks_engaged_tweets_first_and_pages_by_offset(tweet, ann, bob, carol, events):
    quiet = tweet(ann, "election results tonight")
    popular = tweet(ann, "election results are in")
    tweet(ann, "election results again")
    with events():
        tweets.like(bob, popular)
        tweets.like(carol, popular)
        tweets.retweet(bob, popular)
    top = search_tweets(None, parse("election results"), order="top", limit=2)
    assert top.tweets[0].pk == popular.pk
    rest = search_tweets(None, parse("election results"), order="top", limit=2, offset=top.next_offset)
    assert len(top.tweets + rest.tweets) == 3
    assert quiet.pk in {t.pk for t in top.tweets + rest.tweets}
    assert rest.next_offset is None


def test_retweets_are_not_results_but_their_originals_are(tweet, found, ann, bob, events):
    original = tweet(ann, "worth sharing")
    with events():
        tweets.retweet(bob, original)
    assert found(None, "worth sharing") == ["worth sharing"]
    assert found(None, "from:bob") == []


# --- who sees what ---------------------------------------------------------------------


@pytest.fixture
def pat(make_user):
    return make_user("pat", is_protected=True)


def test_protected_accounts_tweets_reach_only_approved_followers(tweet, found, pat, ann, bob, make_user):
    tweet(pat, "secret plans")
    accounts.follow(ann, pat)
    accounts.approve_follow_request(pat, ann)
    accounts.follow(bob, pat)  # a request, not yet approved
    staff = make_user("staffer", is_staff=True)
    assert found(ann, "secret") == ["secret plans"]
    assert found(pat, "secret") == ["secret plans"]
    assert found(bob, "secret") == []
    assert found(None, "secret") == []
    assert found(staff, "secret") == []


def test_followers_only_tweets_reach_followers(tweet, found, ann, bob, carol):
    tweet(ann, "for my followers", visibility="private")
    accounts.follow(bob, ann)
    assert found(bob, "followers") == ["for my followers"]
    assert found(carol, "followers") == []
    assert found(None, "followers") == []


def test_blocks_hide_tweets_both_ways(tweet, found, ann, bob):
    tweet(ann, "ann speaks")
    tweet(bob, "bob speaks")
    accounts.block(ann, bob)
    assert found(ann, "speaks") == ["ann speaks"]
    assert found(bob, "speaks") == ["bob speaks"]
    assert found(None, "speaks") == ["bob speaks", "ann speaks"]


def test_muted_accounts_are_left_out(tweet, found, ann, bob):
    tweet(bob, "loud opinions")
    accounts.mute(ann, bob)
    assert found(ann, "opinions") == []
    assert found(None, "opinions") == ["loud opinions"]


def test_suspended_authors_disappear_and_come_back(tweet, found, ann, moderator):
    tweet(ann, "before suspension")
    accounts.suspend(moderator, ann)
    assert found(None, "suspension") == []
    accounts.unsuspend(moderator, ann)
    assert found(None, "suspension") == ["before suspension"]


def test_deleted_and_edited_tweets_show_their_current_state(tweet, found, ann, events):
    doomed = tweet(ann, "typo in thsi tweet")
    kept = tweet(ann, "another typo in teh text")
    with events():
        tweets.delete_tweet(ann, doomed)
        tweets.edit_tweet(ann, kept, "another typo fixed in the text")
    assert found(None, "typo") == ["another typo fixed in the text"]
    assert found(None, "teh") == []
    assert found(None, "fixed") == ["another typo fixed in the text"]


def test_content_warnings_are_searched_too(tweet, found, ann):
    tweet(ann, "the ending of the film", spoiler_text="spoilers ahead")
    assert found(None, "spoilers") == ["the ending of the film"]


def test_top_stops_at_its_window_of_candidates(tweet, ann, settings):
    settings.SEARCH_TOP_CANDIDATES = 2
    for n in range(4):
        tweet(ann, f"window {n}")
    top = search_tweets(None, parse("window"), order="top", limit=5)
    assert "window 3" in {t.text for t in top.tweets}
    assert top.next_offset is None
    assert search_tweets(None, parse("window"), order="top", offset=2).tweets == []
