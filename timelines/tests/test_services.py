"""Fanout, retraction, backfill and purges, driven by the real domain events.

Writes happen through the accounts and tweets services inside
`django_capture_on_commit_callbacks(execute=True)`, so each test runs the
whole path: service -> on_commit event -> timelines.receivers -> Celery task
(eager) -> timelines.services -> Redis. Assertions read Redis itself
(timelines.store) and the page a reader gets (timelines.selectors.home_page).
"""

import pytest

from accounts import services as account_services
from accounts import stores
from accounts.models import User
from timelines import selectors, services, store
from tweets import services as tweet_services
from tweets.models import Tweet


@pytest.fixture
def events(django_capture_on_commit_callbacks):
    """`with events():` runs the block's on-commit callbacks (the domain events) at its end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def dan(make_user):
    return make_user("dan", display_name="Dan")


@pytest.fixture
def eve(make_user):
    return make_user("eve", display_name="Eve")


def follow(events, *pairs):
    with events():
        for follower, followee in pairs:
            account_services.follow(follower, followee)


def build(*users):
    """Read each user's home timeline once, which builds it in Redis."""
    for user in users:
        selectors.home_page(user)
        assert store.entries(user.pk) is not None


def page_ids(user, **cursors):
    return [row.pk for row in selectors.home_page(user, limit=40, **cursors).items]


def in_redis(user):
    return store.entries(user.pk)


def snapshot(users):
    """Every Redis key of these users' timelines, with contents."""
    redis = store.client()
    state = {}
    for user in users:
        for name in (store.key(user.pk), store.retweets_key(user.pk)):
            kind = redis.type(name).decode()
            if kind == "zset":
                state[name] = redis.zrange(name, 0, -1)
            elif kind == "hash":
                state[name] = redis.hgetall(name)
            else:
                state[name] = kind
    return state


# --- Posting ------------------------------------------------------------------------


def test_a_tweet_reaches_every_follower_whose_timeline_is_built(events, ann, bob, carol, dan, post):
    follow(events, (ann, dan), (bob, dan), (carol, dan))
    build(ann, bob, dan)  # carol has never read hers

    with events():
        tweet = post(dan, "hello followers")

    assert in_redis(ann) == [tweet.pk]
    assert in_redis(bob) == [tweet.pk]
    assert in_redis(dan) == [tweet.pk]  # the author's own timeline
    assert in_redis(carol) is None  # skipped: no timeline to keep warm


def test_a_follower_without_a_timeline_sees_the_tweet_on_the_next_read(events, ann, dan, post):
    follow(events, (ann, dan))

    with events():
        tweet = post(dan, "while you were away")

    assert in_redis(ann) is None
    assert page_ids(ann) == [tweet.pk]  # rebuilt from PostgreSQL
    assert in_redis(ann) == [tweet.pk]


def test_an_expired_timeline_is_rebuilt_with_what_fanout_skipped(events, ann, dan, post):
    follow(events, (ann, dan))
    with events():
        first = post(dan, "one")
    build(ann)
    store.drop(ann.pk)  # as if it expired after TIMELINE_INACTIVE_DAYS

    with events():
        second = post(dan, "two")

    assert in_redis(ann) is None
    assert page_ids(ann) == [second.pk, first.pk]


def test_non_followers_get_nothing(events, ann, bob, dan, post):
    follow(events, (ann, dan))
    build(ann, bob)

    with events():
        post(dan, "only for my followers")

    assert in_redis(bob) == []
    assert page_ids(bob) == []


def test_fan_out_is_idempotent(events, ann, dan, post):
    follow(events, (ann, dan))
    build(ann)
    with events():
        tweet = post(dan, "once")

    assert services.fan_out(tweet.pk) == 2  # dan and ann
    assert services.fan_out(tweet.pk) == 2

    assert in_redis(ann) == [tweet.pk]
    assert page_ids(ann) == [tweet.pk]


def test_fan_out_writes_in_batches(events, settings, make_user, dan, post):
    settings.TIMELINE_FANOUT_BATCH_SIZE = 2
    readers = [make_user() for _ in range(5)]
    follow(events, *[(reader, dan) for reader in readers])
    build(*readers)

    with events():
        tweet = post(dan, "to five readers in three batches")

    assert services.fan_out(tweet.pk) == 6
    assert all(in_redis(reader) == [tweet.pk] for reader in readers)


def test_fan_out_of_a_deleted_tweet_or_a_missing_one_writes_nothing(events, ann, dan, post):
    follow(events, (ann, dan))
    build(ann)
    tweet = post(dan, "gone before the worker ran")  # no events: fanout still to come
    tweet_services.delete_tweet(dan, tweet)

    assert services.fan_out(tweet.pk) == 0
    assert services.fan_out(123) == 0
    assert in_redis(ann) == []


# --- Replies --------------------------------------------------------------------------


def test_a_reply_reaches_only_followers_of_both_ends(events, ann, bob, carol, dan, eve, post):
    # bob answers carol. ann follows both; dan follows bob only; eve follows
    # carol only; carol, the answered account, follows bob.
    follow(events, (ann, bob), (ann, carol), (dan, bob), (eve, carol), (carol, bob))
    root = post(carol, "a question")
    build(ann, bob, carol, dan, eve)

    with events():
        reply = post(bob, "an answer", in_reply_to=root)

    assert reply.pk in in_redis(ann)
    assert reply.pk in in_redis(carol)
    assert reply.pk not in in_redis(dan)
    assert reply.pk not in in_redis(eve)
    # Nor in bob's own: he doesn't follow carol, so his home timeline doesn't show it.
    assert reply.pk not in in_redis(bob)
    for user in (ann, bob, carol, dan, eve):
        assert (reply.pk in page_ids(user)) == (reply.pk in in_redis(user)), user


def test_a_reply_to_oneself_reaches_every_follower(events, ann, bob, dan, post):
    follow(events, (ann, bob), (dan, bob))
    root = post(bob, "a thread 1/2")
    build(ann, dan)

    with events():
        reply = post(bob, "a thread 2/2", in_reply_to=root)

    assert reply.pk in in_redis(ann)
    assert reply.pk in in_redis(dan)


def test_a_reply_to_a_followed_account_is_in_the_authors_own_timeline(events, ann, bob, post):
    follow(events, (bob, ann))
    root = post(ann, "a question")
    build(bob)

    with events():
        reply = post(bob, "an answer", in_reply_to=root)

    assert in_redis(bob) == [reply.pk, root.pk]
    assert page_ids(bob) == [reply.pk, root.pk]


# --- Mutes and retweets ------------------------------------------------------------------


def test_muted_authors_and_retweets_of_them_are_not_pushed(events, ann, bob, carol, post):
    follow(events, (ann, bob), (ann, carol))
    with events():
        account_services.mute(ann, carol)
    build(ann)

    with events():
        carols = post(carol, "muted voice")
        retweet = tweet_services.retweet(bob, carols)
        bobs = post(bob, "audible")

    assert in_redis(ann) == [bobs.pk]
    assert carols.pk not in page_ids(ann)
    assert retweet.pk not in page_ids(ann)


def test_a_retweet_by_two_followed_accounts_appears_once(events, ann, bob, carol, dan, post):
    follow(events, (ann, bob), (ann, dan))
    original = post(carol, "worth sharing")  # ann doesn't follow carol
    build(ann)

    with events():
        first = tweet_services.retweet(bob, original)
        tweet_services.retweet(dan, original)

    assert in_redis(ann) == [first.pk]
    items = selectors.home_page(ann).items
    assert [(row.pk, row.retweet_of_id) for row in items] == [(first.pk, original.pk)]


def test_a_retweet_of_a_tweet_already_in_the_timeline_is_not_shown_again(events, ann, bob, carol, post):
    follow(events, (ann, bob), (ann, carol))
    build(ann)

    with events():
        original = post(carol, "seen it")
        tweet_services.retweet(bob, original)

    assert in_redis(ann) == [original.pk]
    assert page_ids(ann) == [original.pk]


def test_own_retweet_goes_to_own_timeline_and_followers(events, ann, bob, carol, post):
    follow(events, (carol, bob))
    original = post(ann, "ann's tweet")
    build(bob, carol)

    with events():
        retweet = tweet_services.retweet(bob, original)

    assert in_redis(bob) == [retweet.pk]
    assert in_redis(carol) == [retweet.pk]


# --- Deletion ---------------------------------------------------------------------------


def test_a_deleted_tweet_is_hidden_at_once_and_then_retracted(
    django_capture_on_commit_callbacks, events, ann, bob, dan, post
):
    follow(events, (ann, dan), (bob, dan))
    build(ann, bob)
    with events():
        tweet = post(dan, "regrettable")
        kept = post(dan, "fine")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tweet_services.delete_tweet(dan, tweet)

    # The retraction hasn't run: Redis still holds the id, the page hides it.
    assert tweet.pk in in_redis(ann)
    assert page_ids(ann) == [kept.pk]
    assert page_ids(bob) == [kept.pk]

    for callback in callbacks:
        callback()

    for user in (ann, bob):
        assert in_redis(user) == [kept.pk]


def test_deleting_an_original_retracts_its_retweets(events, ann, bob, carol, post):
    follow(events, (ann, bob))
    original = post(carol, "soon gone")
    build(ann, bob)
    with events():
        retweet = tweet_services.retweet(bob, original)
    assert in_redis(ann) == [retweet.pk]

    with events():
        tweet_services.delete_tweet(carol, original)

    assert in_redis(ann) == []
    assert in_redis(bob) == []
    assert not Tweet.objects.filter(pk=retweet.pk).exists()


def test_a_moderator_removal_is_retracted_too(events, ann, bob, moderator, post):
    follow(events, (ann, bob))
    build(ann)
    with events():
        tweet = post(bob, "against the rules")

    with events():
        tweet_services.delete_tweet(moderator, tweet)

    assert in_redis(ann) == []


def test_an_unretweet_is_retracted(events, ann, bob, carol, post):
    follow(events, (ann, bob))
    original = post(carol, "shared for a while")
    build(ann)
    with events():
        tweet_services.retweet(bob, original)

    with events():
        tweet_services.unretweet(bob, original)

    assert in_redis(ann) == []
    assert page_ids(ann) == []


def test_after_an_unretweet_another_followed_retweet_of_the_tweet_shows(events, ann, bob, carol, dan, post):
    follow(events, (ann, bob), (ann, dan))
    original = post(carol, "shared twice")
    build(ann)
    with events():
        tweet_services.retweet(bob, original)
        second = tweet_services.retweet(dan, original)  # skipped: bob's is there

    with events():
        tweet_services.unretweet(bob, original)

    assert page_ids(ann) == [second.pk]
    assert page_ids(ann) == [
        row[0] for row in selectors.home_timeline(ann).values_list("id", "retweet_of_id")
    ]


def test_an_unretweet_resurfaces_whatever_order_its_tasks_run_in(
    django_capture_on_commit_callbacks, events, ann, bob, carol, dan, post
):
    follow(events, (ann, bob), (ann, dan))
    original = post(carol, "shared twice")
    build(ann)
    with events():
        first = tweet_services.retweet(bob, original)
        second = tweet_services.retweet(dan, original)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tweet_services.unretweet(bob, original)
    # The domain events, without the cache's forgetting after commit.
    callbacks = [c for c in callbacks if getattr(c, "func", None) is not stores.forget_now]
    assert len(callbacks) == 2  # tweet_deleted (retract), then tweet_unretweeted

    for callback in reversed(callbacks):  # a worker may well take them the other way round
        callback()

    assert in_redis(ann) == [second.pk]
    assert first.pk not in in_redis(ann)
    assert page_ids(ann) == [second.pk]


def test_an_unretweet_does_not_resurface_a_muted_accounts_retweet(events, ann, bob, carol, dan, eve, post):
    follow(events, (ann, bob), (ann, dan), (ann, eve))
    with events():
        account_services.mute(ann, eve)
    original = post(carol, "shared by three")
    build(ann)
    with events():
        tweet_services.retweet(eve, original)  # not pushed: ann mutes eve
        tweet_services.retweet(bob, original)
        third = tweet_services.retweet(dan, original)  # skipped: bob's is there

    with events():
        tweet_services.unretweet(bob, original)

    assert in_redis(ann) == [third.pk]
    assert page_ids(ann) == [third.pk]


# --- Unfollow, block, mute -------------------------------------------------------------------


def test_unfollow_removes_the_authors_tweets_but_not_others_retweets_of_them(
    events, ann, bob, carol, dan, post
):
    follow(events, (ann, bob), (ann, carol))
    build(ann)
    with events():
        bobs = post(bob, "bob's tweet")
        other = post(bob, "bob's other tweet")
        carols = post(carol, "carol's tweet")
    original = post(dan, "dan's tweet")
    with events():
        bob_retweet = tweet_services.retweet(bob, original)
        carol_retweet = tweet_services.retweet(carol, other)  # skipped: bob's own is there

    with events():
        account_services.unfollow(ann, bob)

    assert bobs.pk not in in_redis(ann)
    assert bob_retweet.pk not in in_redis(ann)
    assert carols.pk in in_redis(ann)
    # carol's retweet of bob's tweet is still ann's to see
    assert page_ids(ann) == [carol_retweet.pk, carols.pk]


def test_unfollow_keeps_tweets_of_other_authors(events, ann, bob, carol, post):
    follow(events, (ann, bob), (ann, carol))
    build(ann)
    with events():
        bobs = post(bob, "bob's")
        carols = post(carol, "carol's")

    with events():
        account_services.unfollow(ann, bob)

    assert in_redis(ann) == [carols.pk]
    assert bobs.pk not in page_ids(ann)


def test_block_removes_both_ways_with_retweets(events, ann, bob, carol, post):
    # bob follows ann; both follow carol, who retweets each of them.
    follow(events, (bob, ann), (ann, carol), (bob, carol))
    build(ann, bob)
    with events():
        anns = post(ann, "ann's")
        bobs = post(bob, "bob's")
        carols = post(carol, "carol's")
    with events():
        carol_rt_of_bob = tweet_services.retweet(carol, bobs)  # reaches ann
        tweet_services.retweet(carol, anns)  # skipped for bob: ann's original is there
    assert in_redis(ann) == [carol_rt_of_bob.pk, carols.pk, anns.pk]
    assert in_redis(bob) == [carols.pk, bobs.pk, anns.pk]

    with events():
        account_services.block(ann, bob)

    assert in_redis(ann) == [carols.pk, anns.pk]
    assert in_redis(bob) == [carols.pk, bobs.pk]
    assert page_ids(ann) == [carols.pk, anns.pk]
    assert page_ids(bob) == [carols.pk, bobs.pk]


def test_a_blocked_accounts_tweets_are_hidden_even_if_left_in_redis(events, ann, bob, carol, post):
    follow(events, (ann, carol))
    build(ann)
    bobs = post(bob, "bob's")
    with events():
        retweet = tweet_services.retweet(carol, bobs)
    account_services.block(bob, ann)  # no events: the purge hasn't run

    assert retweet.pk in in_redis(ann)
    assert page_ids(ann) == []


def test_mute_removes_the_authors_tweets_and_retweets_of_them(events, ann, bob, carol, dan, post):
    follow(events, (ann, bob), (ann, carol))  # not dan
    build(ann)
    dans = post(dan, "dan's")
    with events():
        bobs = post(bob, "bob's")
        carols = post(carol, "carol's")
        carol_rt_of_dan = tweet_services.retweet(carol, dans)
    assert in_redis(ann) == [carol_rt_of_dan.pk, carols.pk, bobs.pk]

    with events():
        account_services.mute(ann, bob)  # followed: his tweets go
        account_services.mute(ann, dan)  # not followed: retweets of her go

    assert in_redis(ann) == [carols.pk]
    assert page_ids(ann) == [carols.pk]
    with events():
        later = post(bob, "said while muted")
        carol_rt_of_bob = tweet_services.retweet(carol, later)
    assert in_redis(ann) == [carols.pk]
    assert carol_rt_of_bob.pk not in page_ids(ann)


def test_unmute_backfills(events, ann, bob, post):
    follow(events, (ann, bob))
    with events():
        account_services.mute(ann, bob)
    build(ann)
    with events():
        bobs = post(bob, "said while muted")
    assert in_redis(ann) == []

    with events():
        account_services.unmute(ann, bob)

    assert in_redis(ann) == [bobs.pk]


def test_unmute_brings_back_followed_retweets_of_the_unmuted(events, ann, bob, carol, post):
    follow(events, (ann, bob))  # ann doesn't follow carol, and mutes her
    with events():
        account_services.mute(ann, carol)
    build(ann)
    original = post(carol, "carol's")
    with events():
        retweet = tweet_services.retweet(bob, original)  # not pushed to ann
    assert in_redis(ann) == []

    with events():
        account_services.unmute(ann, carol)

    assert in_redis(ann) == [retweet.pk]
    assert page_ids(ann) == [retweet.pk]


# --- Follow: backfill ------------------------------------------------------------------------


def test_a_new_follow_backfills_the_recent_tweets(events, settings, ann, bob, carol, post):
    settings.TIMELINE_BACKFILL_COUNT = 3
    follow(events, (ann, carol))  # and not bob, yet
    build(ann)
    with events():
        carols = post(carol, "carol's")
    bobs = [post(bob, f"bob {n}").pk for n in range(5)]
    stranger = post(carol, "to a stranger", in_reply_to=post(bob, "q"))
    bobs.append(stranger.in_reply_to_id)

    with events():
        account_services.follow(ann, bob)

    # The newest three about bob: carol's reply to him (which ann's timeline
    # shows only now that she follows both), then his own.
    assert in_redis(ann) == [stranger.pk, bobs[-1], bobs[-2], carols.pk]
    assert page_ids(ann) == in_redis(ann)


def test_backfill_skips_a_timeline_that_is_not_built(events, ann, bob, post):
    post(bob, "bob's")

    with events():
        account_services.follow(ann, bob)

    assert in_redis(ann) is None


def test_backfill_of_a_retweeted_tweet_keeps_one_entry(events, ann, bob, carol, post):
    follow(events, (ann, bob))
    original = post(carol, "carol's")
    build(ann)
    with events():
        retweet = tweet_services.retweet(bob, original)
    assert in_redis(ann) == [retweet.pk]

    with events():
        account_services.follow(ann, carol)

    # One row for the tweet, where the database timeline puts it: the original, oldest.
    assert page_ids(ann) == [original.pk]


# --- Protected accounts ------------------------------------------------------------------------


def test_protected_tweets_reach_only_approved_followers(events, make_user, ann, bob, carol, post):
    dora = make_user("dora", is_protected=True)
    with events():
        account_services.follow(bob, dora)
        account_services.follow(ann, dora)
        account_services.follow(carol, dora)
        account_services.approve_follow_request(dora, bob)
    build(ann, bob, carol, dora)

    with events():
        tweet = post(dora, "for my followers")

    assert in_redis(bob) == [tweet.pk]
    assert in_redis(dora) == [tweet.pk]
    assert in_redis(ann) == []  # a pending request gets nothing
    assert in_redis(carol) == []
    assert page_ids(ann) == []
    assert page_ids(bob) == [tweet.pk]


def test_approving_a_request_backfills(events, make_user, ann, post):
    dora = make_user("dora", is_protected=True)
    with events():
        account_services.follow(ann, dora)
    build(ann)
    tweet = post(dora, "before you were approved")

    with events():
        account_services.approve_follow_request(dora, ann)

    assert in_redis(ann) == [tweet.pk]


# --- Suspension -----------------------------------------------------------------------------------


def test_suspension_hides_at_once_purges_and_unsuspension_restores(
    django_capture_on_commit_callbacks, events, moderator, ann, bob, carol, post
):
    follow(events, (ann, bob), (ann, carol))
    build(ann)
    with events():
        bobs = [post(bob, f"bob {n}").pk for n in range(3)]
        carols = post(carol, "carol's")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        account_services.suspend(moderator, bob)

    assert set(bobs) <= set(in_redis(ann))  # the purge hasn't run yet
    assert page_ids(ann) == [carols.pk]

    for callback in callbacks:
        callback()

    assert in_redis(ann) == [carols.pk]
    assert page_ids(ann) == [carols.pk]

    with events():
        account_services.unsuspend(moderator, User.objects.get(pk=bob.pk))

    assert in_redis(ann) == [carols.pk, *reversed(bobs)]
    assert page_ids(ann) == [carols.pk, *reversed(bobs)]


def test_suspending_a_retweeter_resurfaces_other_followed_retweets(
    events, moderator, ann, bob, carol, dan, post
):
    follow(events, (ann, bob), (ann, carol))
    original = post(dan, "dan's")
    build(ann)
    with events():
        tweet_services.retweet(bob, original)
        carols = tweet_services.retweet(carol, original)  # skipped: bob's is there

    with events():
        account_services.suspend(moderator, bob)

    assert in_redis(ann) == [carols.pk]
    assert page_ids(ann) == [carols.pk]


def test_a_suspended_authors_queued_tweet_is_not_fanned_out(events, moderator, ann, bob, post):
    follow(events, (ann, bob))
    build(ann)
    tweet = post(bob, "posted just before")  # no events yet
    account_services.suspend(moderator, bob)

    assert services.fan_out(tweet.pk) == 0
    assert in_redis(ann) == []


# --- Hybrid: popular accounts are merged at read time ------------------------------------------------


@pytest.fixture
def threshold(settings):
    settings.TIMELINE_FANOUT_THRESHOLD = 3
    return 3


def test_an_author_above_the_threshold_is_not_pushed(events, threshold, make_user, ann, bob, post):
    star = make_user("star")
    fans = [make_user() for _ in range(threshold)]
    follow(events, *[(fan, star) for fan in fans], (ann, bob))
    build(*fans, ann)
    with events():
        post(bob, "a small account")  # fans don't follow bob: nothing changes for them
    star.refresh_from_db()
    assert star.followers_count == threshold
    before = snapshot(fans)

    with events():
        tweet = post(star, "to my many fans")

    assert snapshot(fans) == before  # zero writes to any follower's timeline
    assert services.fan_out(tweet.pk) == 1  # only the author's own timeline
    assert snapshot(fans) == before
    for fan in fans:
        assert tweet.pk not in in_redis(fan)
        assert page_ids(fan) == [tweet.pk]  # merged in at read time


def test_an_author_below_the_threshold_is_pushed(events, threshold, make_user, post):
    small = make_user("small")
    fans = [make_user() for _ in range(threshold - 1)]
    follow(events, *[(fan, small) for fan in fans])
    build(*fans)

    with events():
        tweet = post(small, "to my few fans")

    assert all(in_redis(fan) == [tweet.pk] for fan in fans)


def test_a_million_follower_account_is_never_pushed(events, make_user, post):
    star = make_user("star")
    fans = [make_user() for _ in range(3)]
    follow(events, *[(fan, star) for fan in fans])
    User.objects.filter(pk=star.pk).update(followers_count=1_000_000)
    build(*fans, star)
    before = snapshot(fans)

    fans_tweet = post(fans[0], "a fan's tweet")  # (no events: fans[0]'s timeline stays as it is)

    with events():
        tweet = post(star, "hello, world")
        retweet = tweet_services.retweet(star, fans_tweet)

    assert snapshot(fans) == before
    assert services.fan_out(tweet.pk) == 1
    assert in_redis(star) == [retweet.pk, tweet.pk]
    assert snapshot(fans) == before
    for fan in fans[1:]:
        assert page_ids(fan) == [retweet.pk, tweet.pk]


def test_following_a_popular_account_backfills_nothing_and_still_shows_it(
    events, threshold, make_user, ann, post
):
    star = make_user("star")
    follow(events, *[(make_user(), star) for _ in range(threshold)])
    tweet = post(star, "old news")
    build(ann)

    with events():
        account_services.follow(ann, star)

    assert in_redis(ann) == []
    assert page_ids(ann) == [tweet.pk]


def test_popular_authors_deleted_tweets_vanish_from_the_merge(events, threshold, make_user, ann, post):
    star = make_user("star")
    follow(events, (ann, star), *[(make_user(), star) for _ in range(threshold)])
    build(ann)
    with events():
        kept = post(star, "stays")
        gone = post(star, "goes")

    tweet_services.delete_tweet(star, gone)

    assert page_ids(ann) == [kept.pk]
