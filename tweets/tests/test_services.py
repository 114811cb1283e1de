"""The writes of tweets.services: post, edit, delete, like, retweet, bookmark."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts import services as accounts
from accounts.models import User
from tweets import services, signals
from tweets.models import Bookmark, Hashtag, Like, Tweet, TweetVersion, Visibility


@pytest.fixture
def events(record_events):
    """Every tweets event sent while the test runs, as (name, kwargs)."""
    return record_events(signals)


@pytest.fixture
def pat(make_user):
    """A protected account."""
    return make_user("pat", is_protected=True)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def tweets_count(user):
    return User.objects.get(pk=user.pk).tweets_count


def approved_follow(follower, target):
    accounts.follow(follower, target)
    if target.is_protected:
        accounts.approve_follow_request(target, follower)


# --- posting ------------------------------------------------------------------------


def test_post_a_tweet(ann):
    tweet = services.post_tweet(ann, "  hello world  ")
    tweet = fresh(tweet)
    assert tweet.text == "hello world"
    assert tweet.author == ann
    assert tweet.visibility == Visibility.PUBLIC
    assert tweet.conversation_id == tweet.pk
    assert tweet.in_reply_to is None
    assert tweet.entities == {"hashtags": [], "mentions": [], "urls": []}
    assert tweets_count(ann) == 1
    assert abs(tweet.created_at - timezone.now()) < timedelta(seconds=5)


def test_post_stores_entities(ann, bob, make_user):
    make_user("Carla")
    tweet = services.post_tweet(
        ann, "Hi @bob @CARLA @ghost, #Django #django #PyCon see https://example.com/x #new"
    )
    tweet = fresh(tweet)
    assert sorted(tweet.hashtags.values_list("name", flat=True)) == ["django", "new", "pycon"]
    assert sorted(Hashtag.objects.values_list("name", flat=True)) == ["django", "new", "pycon"]
    assert sorted(tweet.mentions.values_list("username", flat=True)) == ["Carla", "bob"]
    assert [m["username"] for m in tweet.entities["mentions"]] == ["bob", "CARLA"]
    assert [h["tag"] for h in tweet.entities["hashtags"]] == ["Django", "django", "PyCon", "new"]
    [url] = tweet.entities["urls"]
    assert url["url"] == "https://example.com/x"
    assert tweet.text[url["indices"][0] : url["indices"][1]] == "https://example.com/x"
    # Hashtags are shared between tweets.
    services.post_tweet(bob, "#DJANGO again")
    assert Hashtag.objects.filter(name="django").count() == 1
    assert Hashtag.objects.get(name="django").tweets.count() == 2


def test_suspended_users_are_not_mentioned(ann, bob, moderator):
    accounts.suspend(moderator, bob)
    tweet = services.post_tweet(ann, "hey @bob")
    assert tweet.entities["mentions"] == []
    assert not tweet.mentions.exists()


def test_mentions_match_whole_usernames_only(ann, make_user):
    make_user("bobby")
    make_user("bo")
    tweet = services.post_tweet(ann, "@bob @b")
    assert not tweet.mentions.exists()


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", None])
def test_empty_text_is_refused(ann, text):
    with pytest.raises(ValidationError) as excinfo:
        services.post_tweet(ann, text)
    assert excinfo.value.code == "empty"
    assert excinfo.value.message == "Your tweet is empty."
    assert not Tweet.objects.exists()
    assert tweets_count(ann) == 0


def test_weight_limit(ann):
    services.post_tweet(ann, "a" * 280)
    with pytest.raises(ValidationError) as excinfo:
        services.post_tweet(ann, "a" * 281)
    assert excinfo.value.code == "too_long"
    assert excinfo.value.message == "Your tweet is too long (281 of 280)."
    assert Tweet.objects.count() == 1


def test_weight_counts_urls_as_23_and_wide_characters_as_2(ann):
    url = "https://example.com/" + "x" * 300
    tweet = services.post_tweet(ann, "a" * 256 + " " + url)  # 256 + 1 + 23 = 280
    assert fresh(tweet).text.endswith(url)
    with pytest.raises(ValidationError):
        services.post_tweet(ann, "a" * 257 + " " + url)
    services.post_tweet(ann, "日" * 140)
    with pytest.raises(ValidationError):
        services.post_tweet(ann, "日" * 141)
    services.post_tweet(ann, "😀" * 140)
    with pytest.raises(ValidationError) as excinfo:
        services.post_tweet(ann, "😀" * 140 + "a")
    assert excinfo.value.message == "Your tweet is too long (281 of 280)."


def test_text_is_stored_nfc(ann):
    tweet = services.post_tweet(ann, "cafe\u0301 #cafe\u0301")
    tweet = fresh(tweet)
    assert tweet.text == "caf\u00e9 #caf\u00e9"
    assert list(tweet.hashtags.values_list("name", flat=True)) == ["caf\u00e9"]


def test_a_long_hashtag_does_not_break_posting(ann):
    text = "#" + "a" * 150
    tweet = services.post_tweet(ann, text)
    assert fresh(tweet).text == text
    assert fresh(tweet).entities["hashtags"] == []
    # "İ" lower-cases to two code points: 60 of them make a 120-character name.
    services.post_tweet(ann, "#" + "\u0130" * 60 + " #fine")
    assert list(Hashtag.objects.values_list("name", flat=True)) == ["fine"]


def test_unknown_visibility_is_refused(ann):
    with pytest.raises(ValidationError) as excinfo:
        services.post_tweet(ann, "hi", visibility="friends")
    assert excinfo.value.code == "visibility"
    assert not Tweet.objects.exists()


@pytest.mark.parametrize("visibility", [None, "public", "unlisted", "private"])
def test_protected_author_always_posts_private(pat, visibility):
    tweet = services.post_tweet(pat, "secret", visibility=visibility)
    assert fresh(tweet).visibility == Visibility.PRIVATE


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private"])
def test_open_author_chooses_visibility(ann, visibility):
    assert fresh(services.post_tweet(ann, "hi", visibility=visibility)).visibility == visibility


def test_spoiler_makes_sensitive_and_is_limited(ann):
    tweet = services.post_tweet(ann, "hi", spoiler_text="cw", language="en-GB-oxendict")
    assert tweet.sensitive
    assert tweet.language == "en-GB-ox"
    with pytest.raises(ValidationError) as excinfo:
        services.post_tweet(ann, "hi", spoiler_text="x" * 101)
    assert excinfo.value.code == "spoiler"


def test_suspended_author_cannot_post(ann, moderator):
    accounts.suspend(moderator, ann)
    with pytest.raises(PermissionDenied):
        services.post_tweet(fresh(ann), "hi")
    assert not Tweet.objects.exists()


# --- replies and quotes -------------------------------------------------------------


def test_reply_thread_counters_and_conversation(ann, bob, carol):
    root = services.post_tweet(ann, "root")
    first = services.post_tweet(bob, "first", in_reply_to=root)
    second = services.post_tweet(carol, "second", in_reply_to=first)
    sibling = services.post_tweet(carol, "sibling", in_reply_to=root)
    for tweet in (root, first, second, sibling):
        assert fresh(tweet).conversation_id == root.pk
    assert fresh(first).in_reply_to_id == root.pk
    assert fresh(first).in_reply_to_author == ann
    assert fresh(second).in_reply_to_author == bob
    assert [fresh(t).replies_count for t in (root, first, second, sibling)] == [2, 1, 0, 0]
    assert tweets_count(carol) == 2


def test_reply_to_a_retweet_answers_the_original(ann, bob, carol):
    original = services.post_tweet(ann, "original")
    rt = services.retweet(bob, original)
    reply = services.post_tweet(carol, "answer", in_reply_to=rt)
    assert reply.in_reply_to_id == original.pk
    assert reply.in_reply_to_author == ann
    assert fresh(original).replies_count == 1


def test_reply_to_a_protected_tweet_not_followed_is_refused(pat, ann):
    hidden = services.post_tweet(pat, "followers only")
    before = Tweet.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.post_tweet(ann, "let me in", in_reply_to=hidden)
    assert excinfo.value.code == "invisible_target"
    assert excinfo.value.message == "You can't reply to this tweet."
    assert Tweet.objects.count() == before
    assert fresh(hidden).replies_count == 0
    assert tweets_count(ann) == 0


def test_approved_follower_may_reply_to_protected(pat, ann):
    hidden = services.post_tweet(pat, "followers only")
    approved_follow(ann, pat)
    reply = services.post_tweet(ann, "hi", in_reply_to=hidden)
    assert reply.in_reply_to_id == hidden.pk
    assert fresh(hidden).replies_count == 1


@pytest.mark.parametrize("blocker", ["author", "replier"])
def test_reply_across_a_block_is_refused(ann, bob, blocker):
    tweet = services.post_tweet(ann, "hi")
    if blocker == "author":
        accounts.block(ann, bob)
    else:
        accounts.block(bob, ann)
    before = Tweet.objects.count()
    with pytest.raises(ValidationError):
        services.post_tweet(bob, "reply", in_reply_to=tweet)
    with pytest.raises(ValidationError):
        services.post_tweet(bob, "quote", quote_of=tweet)
    assert Tweet.objects.count() == before
    assert fresh(tweet).replies_count == 0
    assert fresh(tweet).quotes_count == 0


def test_reply_to_a_deleted_tweet_is_refused(ann, bob):
    tweet = services.post_tweet(ann, "hi")
    services.delete_tweet(ann, tweet)
    with pytest.raises(ValidationError):
        services.post_tweet(bob, "reply", in_reply_to=tweet)
    assert Tweet.objects.count() == 1


def test_quote_counts(ann, bob, carol):
    original = services.post_tweet(ann, "quotable")
    q1 = services.post_tweet(bob, "so true", quote_of=original)
    services.post_tweet(carol, "indeed", quote_of=services.retweet(bob, original))
    assert q1.quote_of_id == original.pk
    assert fresh(original).quotes_count == 2
    assert fresh(original).retweets_count == 1
    assert q1.conversation_id == q1.pk  # a quote starts its own conversation


def test_quoting_a_followers_only_tweet_is_refused(ann, bob):
    approved_follow(bob, ann)
    private = services.post_tweet(ann, "friends", visibility="private")
    with pytest.raises(ValidationError) as excinfo:
        services.post_tweet(bob, "look", quote_of=private)
    assert excinfo.value.code == "quote_private"
    assert fresh(private).quotes_count == 0
    # The author may quote their own.
    services.post_tweet(ann, "me again", quote_of=private)
    assert fresh(private).quotes_count == 1


def test_quote_of_invisible_tweet_is_refused(pat, ann):
    hidden = services.post_tweet(pat, "secret")
    with pytest.raises(ValidationError) as excinfo:
        services.post_tweet(ann, "quote", quote_of=hidden)
    assert excinfo.value.message == "You can't quote this tweet."


# --- editing ------------------------------------------------------------------------


def test_edit_keeps_versions_and_reparses(ann, bob, carol):
    tweet = services.post_tweet(ann, "hello #old @bob")
    posted_at = tweet.created_at
    edited = services.edit_tweet(ann, tweet, "hello #new @carol https://x.org")
    tweet = fresh(tweet)
    assert tweet.text == "hello #new @carol https://x.org"
    assert tweet.edited_at is not None
    assert tweet.edited_at >= posted_at
    assert edited.edited_at == tweet.edited_at
    assert list(tweet.hashtags.values_list("name", flat=True)) == ["new"]
    assert list(tweet.mentions.all()) == [carol]
    assert [h["tag"] for h in tweet.entities["hashtags"]] == ["new"]
    assert [u["url"] for u in tweet.entities["urls"]] == ["https://x.org"]
    versions = list(TweetVersion.objects.filter(tweet=tweet))
    assert [(v.text, v.created_at) for v in versions] == [("hello #old @bob", posted_at)]
    services.edit_tweet(ann, tweet, "third")
    versions = list(TweetVersion.objects.filter(tweet=tweet))
    assert [v.text for v in versions] == ["hello #old @bob", "hello #new @carol https://x.org"]
    assert versions[1].created_at == tweet.edited_at
    assert tweets_count(ann) == 1


def test_sixth_edit_is_refused(ann, settings):
    settings.TWEET_MAX_EDITS = 5
    tweet = services.post_tweet(ann, "v0")
    for i in range(1, 6):
        services.edit_tweet(ann, tweet, f"v{i}")
    with pytest.raises(ValidationError) as excinfo:
        services.edit_tweet(ann, tweet, "v6")
    assert excinfo.value.code == "edit_limit"
    assert excinfo.value.message == "A tweet can be edited at most 5 times."
    assert fresh(tweet).text == "v5"
    assert TweetVersion.objects.filter(tweet=tweet).count() == 5


def test_edit_after_the_window_is_refused(ann):
    tweet = services.post_tweet(ann, "old news")
    Tweet.objects.filter(pk=tweet.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    with pytest.raises(ValidationError) as excinfo:
        services.edit_tweet(ann, tweet, "new news")
    assert excinfo.value.code == "edit_window"
    assert fresh(tweet).text == "old news"
    assert not TweetVersion.objects.exists()


def test_edit_window_follows_the_setting(ann, settings):
    tweet = services.post_tweet(ann, "quick")
    Tweet.objects.filter(pk=tweet.pk).update(created_at=timezone.now() - timedelta(seconds=30))
    settings.TWEET_EDIT_WINDOW_SECONDS = 60
    services.edit_tweet(ann, tweet, "quicker")
    settings.TWEET_EDIT_WINDOW_SECONDS = 10
    with pytest.raises(ValidationError):
        services.edit_tweet(ann, tweet, "quickest")


def test_edit_by_someone_else_is_forbidden(ann, bob, moderator):
    tweet = services.post_tweet(ann, "mine")
    for other in (bob, moderator):
        with pytest.raises(PermissionDenied):
            services.edit_tweet(other, tweet, "yours")
    assert fresh(tweet).text == "mine"


def test_edit_of_a_deleted_tweet_or_a_retweet_is_missing(ann, bob):
    tweet = services.post_tweet(ann, "soon gone")
    rt = services.retweet(bob, services.post_tweet(bob, "mine"))
    services.delete_tweet(ann, tweet)
    with pytest.raises(Tweet.DoesNotExist):
        services.edit_tweet(ann, tweet, "back")
    with pytest.raises(Tweet.DoesNotExist):
        services.edit_tweet(bob, rt, "text on a retweet")
    assert fresh(rt).text == ""


def test_edit_with_unchanged_text_is_refused(ann):
    tweet = services.post_tweet(ann, "same")
    with pytest.raises(ValidationError) as excinfo:
        services.edit_tweet(ann, tweet, "  same  ")
    assert excinfo.value.code == "unchanged"
    with pytest.raises(ValidationError):
        services.edit_tweet(ann, tweet, "")
    with pytest.raises(ValidationError):
        services.edit_tweet(ann, tweet, "a" * 281)
    assert not TweetVersion.objects.exists()
    assert fresh(tweet).edited_at is None


# --- deleting -----------------------------------------------------------------------


def test_delete_leaves_a_tombstone_and_fixes_counters(ann, bob, carol):
    parent = services.post_tweet(bob, "parent")
    quoted = services.post_tweet(carol, "quoted")
    tweet = services.post_tweet(ann, "bye #tag @bob", in_reply_to=parent, quote_of=quoted)
    services.edit_tweet(ann, tweet, "bye #tag @bob edited")
    services.like(bob, tweet)
    services.like(carol, tweet)
    services.bookmark(bob, tweet)
    rt_bob = services.retweet(bob, tweet)
    rt_carol = services.retweet(carol, tweet)
    reply = services.post_tweet(bob, "reply to the soon deleted", in_reply_to=tweet)
    assert (tweets_count(ann), tweets_count(bob), tweets_count(carol)) == (1, 3, 2)

    services.delete_tweet(ann, tweet)

    tomb = fresh(tweet)
    assert tomb.deleted_at is not None
    assert tomb.removed_by is None
    assert tomb.text == ""
    assert tomb.entities == {}
    assert not tomb.hashtags.exists()
    assert not tomb.mentions.exists()
    assert not TweetVersion.objects.filter(tweet=tomb).exists()
    assert not Like.objects.filter(tweet=tomb).exists()
    assert not Bookmark.objects.filter(tweet=tomb).exists()
    assert not Tweet.objects.filter(pk__in=[rt_bob.pk, rt_carol.pk]).exists()
    assert tomb.likes_count == 0
    assert tomb.retweets_count == 0
    assert tomb.replies_count == 1  # the reply stays in the thread
    assert fresh(reply).in_reply_to_id == tomb.pk
    assert fresh(parent).replies_count == 0
    assert fresh(quoted).quotes_count == 0
    assert (tweets_count(ann), tweets_count(bob), tweets_count(carol)) == (0, 2, 1)


def test_delete_by_someone_else_is_forbidden(ann, bob):
    tweet = services.post_tweet(ann, "mine")
    with pytest.raises(PermissionDenied):
        services.delete_tweet(bob, tweet)
    assert fresh(tweet).deleted_at is None
    assert tweets_count(ann) == 1


def test_moderator_removes_a_tweet(ann, moderator, events, django_capture_on_commit_callbacks):
    tweet = services.post_tweet(ann, "spam")
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_tweet(moderator, tweet)
    tomb = fresh(tweet)
    assert tomb.deleted_at is not None
    assert tomb.removed_by == moderator
    assert tweets_count(ann) == 0
    assert events == [
        ("tweet_deleted", {"tweet_id": tweet.pk, "author_id": ann.pk, "removed_by_id": moderator.pk})
    ]


def test_deleting_twice_is_missing(ann):
    tweet = services.post_tweet(ann, "once")
    services.delete_tweet(ann, tweet)
    with pytest.raises(Tweet.DoesNotExist):
        services.delete_tweet(ann, tweet)
    assert tweets_count(ann) == 0


def test_deleting_a_retweet_row_is_an_unretweet(ann, bob, events, django_capture_on_commit_callbacks):
    tweet = services.post_tweet(ann, "original")
    rt = services.retweet(bob, tweet)
    with pytest.raises(PermissionDenied):
        services.delete_tweet(ann, rt)  # ann may not delete bob's retweet
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_tweet(bob, rt)
    assert not Tweet.objects.filter(pk=rt.pk).exists()
    assert fresh(tweet).retweets_count == 0
    assert fresh(tweet).deleted_at is None
    assert tweets_count(bob) == 0
    assert events == [
        ("tweet_deleted", {"tweet_id": rt.pk, "author_id": bob.pk, "removed_by_id": None}),
        ("tweet_unretweeted", {"tweet_id": tweet.pk, "user_id": bob.pk}),
    ]


# --- likes, bookmarks, retweets -----------------------------------------------------


def test_like_and_unlike_are_idempotent(ann, bob, carol):
    tweet = services.post_tweet(ann, "likeable")
    first = services.like(bob, tweet)
    again = services.like(bob, tweet)
    services.like(carol, tweet)
    assert first.pk == again.pk
    assert fresh(tweet).likes_count == 2 == Like.objects.filter(tweet=tweet).count()
    assert services.unlike(bob, tweet) is True
    assert services.unlike(bob, tweet) is False
    assert fresh(tweet).likes_count == 1 == Like.objects.filter(tweet=tweet).count()


def test_like_through_a_retweet_likes_the_original(ann, bob, carol):
    tweet = services.post_tweet(ann, "original")
    rt = services.retweet(bob, tweet)
    like = services.like(carol, rt)
    assert like.tweet_id == tweet.pk
    assert fresh(tweet).likes_count == 1
    assert fresh(rt).likes_count == 0
    assert services.unlike(carol, rt) is True
    assert fresh(tweet).likes_count == 0


def test_liking_an_invisible_tweet_is_missing(pat, ann, bob):
    hidden = services.post_tweet(pat, "secret")
    with pytest.raises(Tweet.DoesNotExist):
        services.like(ann, hidden)
    with pytest.raises(Tweet.DoesNotExist):
        services.bookmark(ann, hidden)
    blocked = services.post_tweet(bob, "no")
    accounts.block(bob, ann)
    with pytest.raises(Tweet.DoesNotExist):
        services.like(ann, blocked)
    gone = services.post_tweet(bob, "gone")
    services.delete_tweet(bob, gone)
    with pytest.raises(Tweet.DoesNotExist):
        services.like(bob, gone)
    assert not Like.objects.exists()
    assert fresh(hidden).likes_count == 0


def test_bookmarks_are_idempotent_and_private(ann, bob):
    tweet = services.post_tweet(ann, "save me")
    rt = services.retweet(ann, tweet)
    first = services.bookmark(bob, tweet)
    assert services.bookmark(bob, rt).pk == first.pk
    assert Bookmark.objects.filter(user=bob, tweet=tweet).count() == 1
    assert services.unbookmark(bob, rt) is True
    assert services.unbookmark(bob, tweet) is False
    assert not Bookmark.objects.exists()


def test_retweet_is_idempotent(ann, bob):
    tweet = services.post_tweet(ann, "spread")
    rt = services.retweet(bob, tweet)
    assert services.retweet(bob, tweet).pk == rt.pk
    assert services.retweet(bob, rt).pk == rt.pk  # a retweet of the retweet is the same
    rt = fresh(rt)
    assert rt.retweet_of_id == tweet.pk
    assert rt.text == ""
    assert rt.conversation_id == tweet.conversation_id
    assert rt.visibility == Visibility.PUBLIC
    assert fresh(tweet).retweets_count == 1
    assert tweets_count(bob) == 1


def test_retweet_unretweet_retweet(ann, bob):
    tweet = services.post_tweet(ann, "again and again")
    first = services.retweet(bob, tweet)
    assert services.unretweet(bob, tweet) is True
    assert services.unretweet(bob, tweet) is False
    assert fresh(tweet).retweets_count == 0
    assert tweets_count(bob) == 0
    second = services.retweet(bob, tweet)
    assert second.pk != first.pk
    assert fresh(tweet).retweets_count == 1
    assert tweets_count(bob) == 1
    assert services.unretweet(bob, second) is True  # by the retweet row too
    assert fresh(tweet).retweets_count == 0


def test_followers_only_tweet_can_only_be_retweeted_by_its_author(ann, bob, pat):
    approved_follow(bob, ann)
    private = services.post_tweet(ann, "friends", visibility="private")
    with pytest.raises(ValidationError) as excinfo:
        services.retweet(bob, private)
    assert excinfo.value.code == "retweet_private"
    own = services.retweet(ann, private)
    assert own.visibility == Visibility.PRIVATE
    assert fresh(private).retweets_count == 1
    protected_own = services.retweet(pat, services.post_tweet(pat, "mine"))
    assert protected_own.visibility == Visibility.PRIVATE


def test_protected_retweeter_makes_a_private_retweet(ann, pat):
    tweet = services.post_tweet(ann, "public")
    assert services.retweet(pat, tweet).visibility == Visibility.PRIVATE


def test_retweeting_an_invisible_tweet_is_missing(pat, ann):
    hidden = services.post_tweet(pat, "secret")
    with pytest.raises(Tweet.DoesNotExist):
        services.retweet(ann, hidden)
    assert fresh(hidden).retweets_count == 0


def test_unlisted_tweet_keeps_its_visibility_when_retweeted(ann, bob):
    tweet = services.post_tweet(ann, "quiet", visibility="unlisted")
    assert services.retweet(bob, tweet).visibility == Visibility.UNLISTED


# --- domain events ------------------------------------------------------------------


def test_events_after_commit(ann, bob, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tweet = services.post_tweet(ann, "hello")
        assert events == []
    assert events == [("tweet_posted", {"tweet_id": tweet.pk, "author_id": ann.pk})]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_tweet(ann, tweet, "hello again")
        services.like(bob, tweet)
        services.like(bob, tweet)
        services.unlike(bob, tweet)
        services.unlike(bob, tweet)
        rt = services.retweet(bob, tweet)
        services.retweet(bob, tweet)
        services.unretweet(bob, tweet)
        services.bookmark(bob, tweet)
        services.delete_tweet(ann, tweet)
    assert events == [
        ("tweet_edited", {"tweet_id": tweet.pk, "author_id": ann.pk}),
        ("tweet_liked", {"tweet_id": tweet.pk, "user_id": bob.pk}),
        ("tweet_unliked", {"tweet_id": tweet.pk, "user_id": bob.pk}),
        ("tweet_posted", {"tweet_id": rt.pk, "author_id": bob.pk}),
        ("tweet_retweeted", {"retweet_id": rt.pk, "tweet_id": tweet.pk, "user_id": bob.pk}),
        ("tweet_deleted", {"tweet_id": rt.pk, "author_id": bob.pk, "removed_by_id": None}),
        ("tweet_unretweeted", {"tweet_id": tweet.pk, "user_id": bob.pk}),
        ("tweet_deleted", {"tweet_id": tweet.pk, "author_id": ann.pk, "removed_by_id": None}),
    ]


def test_deleting_a_retweeted_tweet_announces_each_unretweet(
    ann, bob, carol, events, django_capture_on_commit_callbacks
):
    tweet = services.post_tweet(ann, "hello")
    services.retweet(bob, tweet)
    services.retweet(carol, tweet)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_tweet(ann, tweet)
    names = [name for name, _ in events]
    assert names.count("tweet_unretweeted") == 2
    assert names.count("tweet_deleted") == 3
    assert names[-1] == "tweet_deleted"
    assert events[-1][1]["tweet_id"] == tweet.pk


def test_rolled_back_writes_send_no_events(ann, bob, events, django_capture_on_commit_callbacks):
    tweet = services.post_tweet(ann, "hello")
    before = Tweet.objects.count()

    class Boom(Exception):
        pass

    def write_then_fail():
        with transaction.atomic():
            services.post_tweet(bob, "reply", in_reply_to=tweet)
            services.like(bob, tweet)
            services.retweet(bob, tweet)
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        write_then_fail()
    assert callbacks == []
    assert events == []
    assert Tweet.objects.count() == before
    tweet = fresh(tweet)
    assert (tweet.replies_count, tweet.likes_count, tweet.retweets_count) == (0, 0, 0)
    assert tweets_count(bob) == 0


def test_refused_post_sends_no_event(ann, pat, events, django_capture_on_commit_callbacks):
    hidden = services.post_tweet(pat, "secret")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            services.post_tweet(ann, "reply", in_reply_to=hidden)
        with pytest.raises(ValidationError):
            services.post_tweet(ann, "")
    assert callbacks == []
    assert events == []


# --- concurrency --------------------------------------------------------------------


def run_together(actions):
    """Run each action in its own thread and database connection, all at once."""
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as exc:  # reported by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_keep_the_counter_exact(make_user):
    author = make_user("author")
    tweet = services.post_tweet(author, "like me, all at once")
    fans = [make_user(f"fan{i}") for i in range(8)]
    run_together([lambda fan=fan: services.like(fan, tweet) for fan in fans])
    assert Like.objects.filter(tweet=tweet).count() == 8
    assert fresh(tweet).likes_count == 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_like_by_one_user_counts_once(make_user):
    author = make_user("author")
    fan = make_user("fan")
    tweet = services.post_tweet(author, "like me twice")
    for _ in range(3):
        run_together([lambda: services.like(fan, tweet)] * 4)
        assert Like.objects.filter(tweet=tweet).count() == 1
        assert fresh(tweet).likes_count == 1
        run_together([lambda: services.unlike(fan, tweet)] * 4)
        assert Like.objects.filter(tweet=tweet).count() == 0
        assert fresh(tweet).likes_count == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_retweets_by_one_user_make_one_row(make_user):
    author = make_user("author")
    fan = make_user("fan")
    tweet = services.post_tweet(author, "retweet me")
    run_together([lambda: services.retweet(fan, tweet)] * 4)
    assert Tweet.objects.filter(retweet_of=tweet).count() == 1
    assert fresh(tweet).retweets_count == 1
    assert tweets_count(fan) == 1


def test_a_tweet_is_never_direct(ann):
    with pytest.raises(ValidationError, match="A tweet can't be direct"):
        services.post_tweet(ann, "psst", visibility="direct")
    assert not Tweet.objects.exists()


def test_edit_of_the_content_warning_alone_keeps_a_version(ann):
    tweet = services.post_tweet(ann, "plot twist")
    services.edit_tweet(ann, tweet, "plot twist", spoiler_text="spoilers")
    tweet = fresh(tweet)
    assert (tweet.spoiler_text, tweet.sensitive, tweet.edited_at is not None) == ("spoilers", True, True)
    version = TweetVersion.objects.get()
    assert (version.text, version.spoiler_text, version.sensitive) == ("plot twist", "", False)
    with pytest.raises(ValidationError, match="Content warnings"):
        services.edit_tweet(ann, tweet, "plot twist", spoiler_text="x" * 101)


def test_edit_of_the_language_alone_is_no_revision(ann):
    tweet = services.post_tweet(ann, "bonjour", language="en")
    services.edit_tweet(ann, tweet, "bonjour", language="fr")
    tweet = fresh(tweet)
    assert (tweet.language, tweet.edited_at) == ("fr", None)
    assert not TweetVersion.objects.exists()


def test_post_tweet_once_posts_once_per_author_and_key(ann, bob):
    first = services.post_tweet_once(ann, "key-1", "hello")
    assert services.post_tweet_once(ann, "key-1", "hello again").pk == first.pk
    assert services.post_tweet_once(bob, "key-1", "hello").pk != first.pk
    assert Tweet.objects.count() == 2
    # Once the tweet is deleted, the key posts anew.
    services.delete_tweet(ann, first)
    assert services.post_tweet_once(ann, "key-1", "hello").pk != first.pk
