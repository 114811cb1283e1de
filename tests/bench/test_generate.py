"""bench.generate: a synthetic world loaded with COPY whose rows and counters agree."""

import itertools
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.db import connection
from django.db.models import Count, F, Q

from accounts.models import Follow, User
from accounts.validators import username_validator
from bench import generate
from tweets import snowflake
from tweets.models import Hashtag, Tweet, Visibility
from tweets.text import parse

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = ["--users", "300", "--follows", "3000", "--tweets", "2000", "--seed", "7"]


def run(*args: str) -> tuple[dict, str]:
    out = StringIO()
    summary = generate.main([*SIZES, *args], out=out)
    return summary, out.getvalue()


@pytest.fixture
def world():
    return run()[0]


def scalar(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _counts(queryset, field: str) -> dict:
    return dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())


def test_creates_the_rows_it_reports():
    summary, output = run()
    assert json.loads(output.strip().splitlines()[-1]) == summary
    assert "COPY accounts_follow" in output
    assert User.objects.count() == summary["users"] == 300
    assert Follow.objects.count() == summary["follows"] == 3000
    assert Tweet.objects.count() == summary["tweets"] == 2000
    assert Tweet.objects.filter(in_reply_to__isnull=False).count() == summary["replies"]
    assert Tweet.objects.filter(retweet_of__isnull=False).count() == summary["retweets"]
    assert 200 <= summary["replies"] <= 400  # about 15%
    assert 50 <= summary["retweets"] <= 150  # about 5%
    assert Hashtag.objects.count() == summary["hashtags"] == 200
    assert Tweet.hashtags.through.objects.count() == summary["tweet_hashtags"] > 0


def test_users_are_valid_and_plain(world):
    for user in User.objects.all():
        username_validator(user.username)
        assert user.email == f"{user.username}@bench.invalid"
        assert user.display_name
        assert user.is_active
        assert not user.is_staff
        assert not user.is_superuser
        assert user.last_login is None
        assert user.suspended_at is None
        assert user.bio == user.location == user.website == user.first_name == user.last_name == ""
    assert set(User.objects.values_list("username", flat=True)) == {f"u{n}" for n in range(1, 301)}


def test_every_user_can_log_in(world, client):
    passwords = set(User.objects.values_list("password", flat=True))
    assert len(passwords) == 1  # one precomputed hash
    for username in ("u1", "u150", "u300"):
        assert User.objects.get(username=username).check_password("bench-password")
    assert not User.objects.get(username="u2").check_password("wrong")
    assert client.login(username="u42", password="bench-password")


def test_follow_graph_has_no_self_follows_or_duplicates(world):
    assert not Follow.objects.filter(follower=F("followee")).exists()
    assert scalar("SELECT count(DISTINCT (follower_id, followee_id)) FROM accounts_follow") == 3000
    assert not Follow.objects.filter(
        Q(created_at__lt=F("follower__date_joined")) | Q(created_at__lt=F("followee__date_joined"))
    ).exists()


def test_user_counters_equal_real_counts(world):
    followers = _counts(Follow.objects, "followee")
    following = _counts(Follow.objects, "follower")
    tweets = _counts(Tweet.objects, "author")  # retweets count, as tweets.services counts them
    for user in User.objects.all():
        assert (user.followers_count, user.following_count, user.tweets_count) == (
            followers.get(user.pk, 0),
            following.get(user.pk, 0),
            tweets.get(user.pk, 0),
        ), user.username


def test_tweet_counters_equal_real_counts(world):
    replies = _counts(Tweet.objects.filter(in_reply_to__isnull=False), "in_reply_to")
    retweets = _counts(Tweet.objects.filter(retweet_of__isnull=False), "retweet_of")
    assert sum(replies.values()) > 0
    assert sum(retweets.values()) > 0
    for tweet in Tweet.objects.all():
        assert (tweet.replies_count, tweet.retweets_count, tweet.likes_count, tweet.quotes_count) == (
            replies.get(tweet.pk, 0),
            retweets.get(tweet.pk, 0),
            0,
            0,
        ), tweet.pk


def test_ids_are_worker_1_snowflakes_of_created_at(world):
    rows = list(Tweet.objects.order_by("id").values_list("id", "created_at"))
    assert len({pk for pk, _ in rows}) == len(rows)
    for pk, created_at in rows:
        assert abs(snowflake.timestamp_of(pk) - created_at) <= timedelta(milliseconds=1)
        assert (pk >> snowflake.SEQUENCE_BITS) & ((1 << snowflake.WORKER_BITS) - 1) == 1
    times = [created_at for _, created_at in rows]
    assert all(a < b for a, b in itertools.pairwise(times))  # strictly increasing with the id
    newest, oldest = times[-1], times[0]
    assert newest - oldest <= timedelta(days=30)


def test_follower_distribution_is_skewed(world):
    counts = sorted(User.objects.values_list("followers_count", flat=True))
    median = counts[len(counts) // 2]
    assert counts[-1] >= 10 * max(median, 1)
    assert world["max_followers"] == counts[-1]
    assert world["top_accounts"][0][1] == counts[-1]


def test_protected_accounts_are_few_and_not_the_most_followed(world):
    protected = User.objects.filter(is_protected=True)
    assert protected.count() == round(300 * 0.02)
    top = set(User.objects.order_by("-followers_count", "pk").values_list("pk", flat=True)[:200])
    threshold = min(User.objects.filter(pk__in=top).values_list("followers_count", flat=True))
    assert all(user.followers_count <= threshold for user in protected)
    assert not Tweet.objects.filter(author__is_protected=True).exclude(visibility=Visibility.PRIVATE).exists()
    assert not Tweet.objects.filter(author__is_protected=False).exclude(visibility=Visibility.PUBLIC).exists()


def test_replies_and_retweets_point_to_earlier_tweets(world):
    replies = Tweet.objects.filter(in_reply_to__isnull=False).select_related("in_reply_to")
    assert replies.exists()
    for reply in replies:
        parent = reply.in_reply_to
        assert parent.pk < reply.pk
        assert parent.retweet_of_id is None
        assert reply.in_reply_to_author_id == parent.author_id
        assert reply.conversation_id == parent.conversation_id
        assert reply.retweet_of_id is None
    roots = Tweet.objects.filter(in_reply_to__isnull=True, retweet_of__isnull=True)
    assert not roots.exclude(conversation_id=F("id")).exists()

    retweets = Tweet.objects.filter(retweet_of__isnull=False).select_related("retweet_of")
    assert retweets.exists()
    pairs = set()
    for retweet in retweets:
        original = retweet.retweet_of
        assert original.pk < retweet.pk
        assert original.retweet_of_id is None
        assert original.in_reply_to_id is None
        assert original.visibility == Visibility.PUBLIC
        assert retweet.text == ""
        assert retweet.entities == {}
        assert retweet.conversation_id == original.conversation_id
        assert (retweet.author_id, original.pk) not in pairs
        pairs.add((retweet.author_id, original.pk))


def test_entities_are_what_the_parser_finds(world):
    tagged = 0
    for tweet in Tweet.objects.filter(retweet_of__isnull=True).prefetch_related("hashtags"):
        parsed = parse(tweet.text)
        assert parsed.text == tweet.text
        assert not parsed.is_too_long
        assert tweet.entities == parsed.entities()
        assert tweet.entities["mentions"] == []
        assert tweet.entities["urls"] == []
        names = {tag["tag"].lower() for tag in tweet.entities["hashtags"]}
        assert {h.name for h in tweet.hashtags.all()} == names
        tagged += bool(names)
    assert tagged > 200


def test_refuses_a_loaded_database_unless_reset(world):
    with pytest.raises(SystemExit, match="--reset"):
        run()
    summary, _ = run("--reset")
    assert User.objects.count() == 300
    assert Tweet.objects.count() == summary["tweets"]
    assert Follow.objects.count() == 3000
