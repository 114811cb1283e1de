"""manage.py seed_demo: demo data made through the services, so every counter adds up."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count, Q

from accounts.models import Block, Follow, FollowRequest, Mute, User
from tweets.models import Hashtag, Like, Tweet, TweetVersion, Visibility

SMALL = ("--users", "30", "--tweets", "120")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed(*SMALL)


def _counts(queryset, field: str) -> dict:
    return dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())


def assert_counters_match_rows():
    followers = _counts(Follow.objects, "followee")
    following = _counts(Follow.objects, "follower")
    tweets = _counts(Tweet.objects.filter(deleted_at__isnull=True), "author")  # retweets included
    for user in User.objects.all():
        assert (user.followers_count, user.following_count, user.tweets_count) == (
            followers.get(user.pk, 0),
            following.get(user.pk, 0),
            tweets.get(user.pk, 0),
        ), user.username

    likes = _counts(Like.objects, "tweet")
    retweets = _counts(Tweet.objects.filter(retweet_of__isnull=False), "retweet_of")
    replies = _counts(Tweet.objects.filter(in_reply_to__isnull=False, deleted_at__isnull=True), "in_reply_to")
    quotes = _counts(Tweet.objects.filter(quote_of__isnull=False, deleted_at__isnull=True), "quote_of")
    for tweet in Tweet.objects.all():
        assert (tweet.likes_count, tweet.retweets_count, tweet.replies_count, tweet.quotes_count) == (
            likes.get(tweet.pk, 0),
            retweets.get(tweet.pk, 0),
            replies.get(tweet.pk, 0),
            quotes.get(tweet.pk, 0),
        ), tweet.pk


def test_fixed_accounts_exist_and_can_log_in(seeded, client):
    demo = User.objects.get(username="demo")
    assert demo.display_name == "Demo User"
    assert demo.bio
    assert not demo.is_staff
    assert not demo.is_superuser
    assert not demo.is_protected
    assert demo.following_count >= 10
    assert demo.followers_count >= 5
    assert demo.tweets_count > 0
    admin = User.objects.get(username="staff")
    assert admin.is_superuser
    assert admin.is_staff

    assert client.login(username="demo", password="demo-password")
    client.logout()
    assert client.login(username="staff", password="staff-password")
    assert "demo / demo-password" in seeded
    assert "staff / staff-password" in seeded

    # Every account's address counts as verified for allauth.
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == User.objects.count()


def test_generated_profiles_are_valid_and_plausible(seeded):
    users = list(User.objects.exclude(username__in=["demo", "staff"]))
    assert len(users) == 30
    assert len({u.username.lower() for u in users}) == 30
    # Every generated profile passes the model's own rules.
    for user in users:
        user.full_clean(exclude=["password"])
        assert user.display_name
        assert user.email.endswith("@example.com")
    assert sum(bool(u.bio) for u in users) >= len(users) // 2
    assert sum(bool(u.location) for u in users) >= len(users) // 2


def test_sizes_graph_and_counters(seeded):
    originals = Tweet.objects.filter(retweet_of__isnull=True)
    assert User.objects.count() == 32
    assert originals.count() == 120
    assert 15 <= originals.filter(in_reply_to__isnull=False).count() <= 50
    assert originals.filter(quote_of__isnull=False).exists()
    assert Tweet.objects.filter(retweet_of__isnull=False).exists()
    assert Like.objects.count() >= 30
    assert Follow.objects.count() >= 90

    # Popularity is skewed (Zipf): the top account is followed by at least half
    # the users and by far more than the median one. (At the default 150 users
    # it is about 120 to 6; 30 users flatten it.)
    followers = sorted(User.objects.values_list("followers_count", flat=True))
    assert followers[-1] >= len(followers) // 2
    assert followers[-1] >= 2 * followers[len(followers) // 2]

    assert User.objects.filter(is_protected=True).exists()
    assert FollowRequest.objects.exists()
    assert not FollowRequest.objects.filter(target__is_protected=False).exists()
    assert FollowRequest.objects.filter(requester__username="demo").exists()
    assert not Tweet.objects.filter(author__is_protected=True).exclude(visibility=Visibility.PRIVATE).exists()

    assert Block.objects.exists()
    assert Mute.objects.exists()
    for blocker, blocked in Block.objects.values_list("blocker", "blocked"):
        assert not Follow.objects.filter(
            Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
        ).exists()

    assert_counters_match_rows()


def test_tweets_have_entities_threads_quotes_and_edits(seeded):
    tweets = {t.pk: t for t in Tweet.objects.filter(retweet_of__isnull=True).prefetch_related("mentions")}

    assert Hashtag.objects.count() >= 10
    top_tag = Hashtag.objects.annotate(n=Count("tweets")).order_by("-n").first()
    assert top_tag.n >= 5
    with_mentions = [t for t in tweets.values() if t.entities["mentions"]]
    assert with_mentions
    for tweet in with_mentions:
        assert {m["username"].lower() for m in tweet.entities["mentions"]} == {
            u.username.lower() for u in tweet.mentions.all()
        }
    assert any(t.entities["urls"] for t in tweets.values())
    assert any(ord(c) > 0x2E80 for t in tweets.values() for c in t.text)  # CJK or emoji
    assert not any("lorem" in t.text.lower() for t in tweets.values())

    replies = [t for t in tweets.values() if t.in_reply_to_id]
    assert replies
    for reply in replies:
        parent = tweets[reply.in_reply_to_id]
        assert reply.conversation_id == parent.conversation_id
        assert reply.in_reply_to_author_id == parent.author_id
        assert reply.pk > parent.pk
    for tweet in tweets.values():
        if not tweet.in_reply_to_id:
            assert tweet.conversation_id == tweet.pk

    def depth(tweet):
        return 0 if not tweet.in_reply_to_id else 1 + depth(tweets[tweet.in_reply_to_id])

    assert max(depth(t) for t in replies) >= 2

    for retweet in Tweet.objects.filter(retweet_of__isnull=False).select_related("retweet_of"):
        assert retweet.text == ""
        assert retweet.retweet_of.visibility != Visibility.PRIVATE
        assert retweet.conversation_id == retweet.retweet_of.conversation_id

    version = TweetVersion.objects.select_related("tweet").first()
    assert version is not None
    assert version.tweet.edited_at is not None
    assert version.text != version.tweet.text


def test_if_empty_does_nothing_when_there_are_users(make_user):
    make_user("someone")
    out = seed("--if-empty", "--users", "5", "--tweets", "5")
    assert "nothing seeded" in out
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]
    assert not Tweet.objects.exists()
    assert not Follow.objects.exists()


def test_if_empty_seeds_an_empty_database(db):
    seed("--if-empty", "--users", "3", "--tweets", "5")
    assert User.objects.count() == 5
    assert Tweet.objects.filter(retweet_of__isnull=True).count() == 5


def test_same_seed_gives_same_usernames(db):
    def usernames(seed_value: str) -> list[str]:
        seed("--users", "12", "--tweets", "5", "--seed", seed_value)
        names = list(User.objects.order_by("pk").values_list("username", flat=True))
        User.objects.all().delete()
        return names

    first = usernames("7")
    assert usernames("7") == first
    assert usernames("8") != first


def test_running_twice_adds_new_accounts_and_keeps_counters_right(db):
    seed("--users", "6", "--tweets", "15")
    seed("--users", "6", "--tweets", "15")
    assert User.objects.filter(username__in=["demo", "staff"]).count() == 2
    assert User.objects.count() == 14
    assert Tweet.objects.filter(retweet_of__isnull=True).count() == 30
    assert_counters_match_rows()
