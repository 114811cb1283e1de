"""Home timeline reads (timelines.selectors.home_page) against the database truth.

`selectors.home_timeline(viewer)` is the read-time definition of a home
timeline; the page a viewer walks through with cursors, from Redis (fanout
plus the read-time merge of popular accounts) or from PostgreSQL, must
hold exactly its rows, each tweet once: where several followed accounts
retweeted a tweet, the oldest row stands for it (the one fanout keeps).
"""

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import User
from timelines import popular, selectors, store
from tweets import services as tweet_services
from tweets.models import Tweet, Visibility

SOURCES = ["redis", "database"]


@pytest.fixture
def events(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def expected_ids(viewer):
    """The database timeline, newest first, each original once (at its oldest row)."""
    rows = list(selectors.home_timeline(viewer).values_list("id", "retweet_of_id"))
    seen, kept = set(), []
    for pk, original in reversed(rows):
        if (original or pk) not in seen:
            seen.add(original or pk)
            kept.append(pk)
    return kept[::-1]


def walk(viewer, limit):
    """Every id of the home timeline, page by page with max_id; also the page sizes."""
    ids, sizes, cursor = [], [], None
    for _ in range(200):
        page = selectors.home_page(viewer, max_id=cursor, limit=limit)
        assert len(page.items) <= limit
        ids += [row.pk for row in page.items]
        sizes.append(len(page.items))
        if page.next_max_id is None:
            break
        assert page.next_max_id == page.items[-1].pk
        cursor = page.next_max_id
    return ids, sizes


def follow(events, *pairs):
    with events():
        for follower, followee in pairs:
            account_services.follow(follower, followee)


# --- A small random world ---------------------------------------------------------------------


WORLD_VIEWERS = 10


def make_world(make_user, events, seed, *, build_first):
    """10 users, follows, 60 tweets (replies, quotes, retweets, deletions), a block, a mute.

    Every write runs its domain events, so Redis timelines are filled by the
    real fanout. `build_first`: users whose timelines exist before anything
    happens (the others are built by their first read).
    """
    rng = random.Random(seed)
    users = [make_user(f"w{n}", is_protected=n == 9) for n in range(WORLD_VIEWERS)]

    def act(action, *args, **kwargs):
        try:
            with events():
                return action(*args, **kwargs)
        except (ValidationError, PermissionDenied, Tweet.DoesNotExist):
            return None

    act(account_services.follow, users[0], users[9])
    act(account_services.approve_follow_request, users[9], users[0])
    for user in users:
        for other in rng.sample(users, 4):
            if other != user:
                act(account_services.follow, user, other)  # a request, for users[9]
    for user in users[:build_first]:
        selectors.home_page(user)

    tweets = []
    for n in range(60):
        author = rng.choice(users)
        kind = rng.random()
        if n == 20:
            act(account_services.block, users[1], users[2])
        if n == 30:
            act(account_services.mute, users[0], users[3])
        if n == 40:
            act(account_services.unfollow, users[4], rng.choice(users[5:8]))
            act(account_services.follow, users[5], users[6])
        if tweets and kind < 0.3:
            shareable = [t for t in tweets if t.visibility != Visibility.PRIVATE] or tweets
            tweet = act(tweet_services.retweet, author, rng.choice(shareable))
        elif tweets and kind < 0.5:
            tweet = act(tweet_services.post_tweet, author, f"reply {n}", in_reply_to=rng.choice(tweets))
        elif tweets and kind < 0.6:
            tweet = act(tweet_services.post_tweet, author, f"quote {n}", quote_of=rng.choice(tweets))
        else:
            visibility = rng.choice([Visibility.PUBLIC] * 4 + [Visibility.UNLISTED, Visibility.PRIVATE])
            tweet = act(tweet_services.post_tweet, author, f"tweet {n}", visibility=visibility)
        if tweet is not None:
            tweets.append(tweet)
        if n % 12 == 11:  # now and then a tweet or a retweet goes again
            victim = rng.choice(tweets)
            act(tweet_services.delete_tweet, victim.author, victim)
    return users


@pytest.mark.parametrize("seed", [2, 3])
def test_home_page_walk_equals_the_database_timeline(settings, make_user, events, seed):
    settings.TIMELINE_FANOUT_THRESHOLD = 5  # the most followed in the world are merged at read
    users = make_world(make_user, events, seed, build_first=5)
    assert Tweet.objects.filter(deleted_at__isnull=False).exists()
    assert Tweet.objects.filter(retweet_of__isnull=False).count() >= 5
    assert User.objects.filter(followers_count__gte=5).exists()

    for source in SOURCES:
        settings.HOME_TIMELINE_SOURCE = source
        for viewer in users:
            got, sizes = walk(viewer, limit=7)
            assert got == expected_ids(viewer), (source, viewer)
            assert all(size == 7 for size in sizes[:-2]), sizes  # pages are full but at the end

    # Redis lost: every timeline is rebuilt by its next read, the same.
    settings.HOME_TIMELINE_SOURCE = "redis"
    store.client().flushdb()
    for viewer in users:
        assert walk(viewer, limit=9)[0] == expected_ids(viewer), viewer
        assert store.entries(viewer.pk) is not None


@pytest.mark.parametrize("source", SOURCES)
def test_a_retweeted_tweet_shows_once_across_pages_at_its_oldest_row(
    settings, events, ann, bob, carol, post, source
):
    settings.HOME_TIMELINE_SOURCE = source
    follow(events, (ann, bob), (ann, carol))
    with events():
        original = post(carol, "shared later")
        fillers = [post(carol, f"filler {n}").pk for n in range(4)]
    with events():
        retweet = tweet_services.retweet(bob, original)  # on the first page, were it shown

    got, _ = walk(ann, limit=2)

    assert got == [*fillers[::-1], original.pk]
    assert retweet.pk not in got


def test_a_tweet_retweeted_after_its_row_was_trimmed_shows_again(settings, events, ann, bob, carol, post):
    settings.TIMELINE_CAP = 3
    follow(events, (ann, bob), (ann, carol))
    selectors.home_page(ann)
    with events():
        original = post(carol, "an old tweet")
        for n in range(3):
            post(carol, f"newer {n}")  # pushes the original out of ann's timeline
    assert original.pk not in store.entries(ann.pk)

    with events():
        retweet = tweet_services.retweet(bob, original)

    page = ids(selectors.home_page(ann, limit=10))
    assert page[0] == retweet.pk
    assert original.pk not in page


# --- Cursors -------------------------------------------------------------------------------------


@pytest.fixture
def ten(events, ann, bob, post):
    """ann follows bob, who tweeted ten times; newest first."""
    follow(events, (ann, bob))
    with events():
        return [post(bob, f"tweet {n}").pk for n in range(10)][::-1]


def ids(page):
    return [row.pk for row in page.items]


@pytest.mark.parametrize("source", SOURCES)
def test_since_id_gives_the_newest_above_it(settings, ann, ten, source):
    settings.HOME_TIMELINE_SOURCE = source

    page = selectors.home_page(ann, since_id=ten[7], limit=3)

    assert ids(page) == ten[:3]


@pytest.mark.parametrize("source", SOURCES)
def test_min_id_gives_the_oldest_above_it_newest_first(settings, ann, ten, source):
    settings.HOME_TIMELINE_SOURCE = source

    page = selectors.home_page(ann, min_id=ten[7], limit=3)

    assert ids(page) == ten[4:7]


@pytest.mark.parametrize("source", SOURCES)
def test_walking_forward_with_min_id_sees_everything_once(settings, ann, ten, source):
    settings.HOME_TIMELINE_SOURCE = source
    seen, cursor = [], ten[-1] - 1
    while page_ids := ids(selectors.home_page(ann, min_id=cursor, limit=3)):
        seen = page_ids + seen
        cursor = page_ids[0]

    assert seen == ten


@pytest.mark.parametrize("source", SOURCES)
def test_max_id_and_since_id_together(settings, ann, ten, source):
    settings.HOME_TIMELINE_SOURCE = source

    page = selectors.home_page(ann, max_id=ten[1], since_id=ten[6], limit=10)

    assert ids(page) == ten[2:6]


@pytest.mark.parametrize("source", SOURCES)
def test_the_last_page_has_no_next_cursor(settings, ann, ten, source):
    settings.HOME_TIMELINE_SOURCE = source

    first = selectors.home_page(ann, limit=6)
    last = selectors.home_page(ann, max_id=first.next_max_id, limit=6)

    assert ids(first) == ten[:6]
    assert first.next_max_id == ten[5]
    assert ids(last) == ten[6:]
    assert last.next_max_id is None
    assert selectors.home_page(ann, limit=10).next_max_id is None


def test_limit_is_clamped_to_1_to_40(settings, ann, post):
    for n in range(45):
        post(ann, f"tweet {n}")

    for source in SOURCES:
        settings.HOME_TIMELINE_SOURCE = source
        for limit, size in [(0, 1), (-5, 1), (1, 1), (39, 39), (40, 40), (41, 40), (1000, 40)]:
            page = selectors.home_page(ann, limit=limit)
            assert len(page.items) == size, (source, limit)
            assert page.next_max_id == page.items[-1].pk


def test_count_new(events, ann, bob, ten, post):
    assert selectors.count_new(ann, ten[0]) == 0
    assert selectors.count_new(ann, ten[3]) == 3
    with events():
        post(bob, "one more")
        post(ann, "and mine")

    assert selectors.count_new(ann, ten[0]) == 2


# --- Hybrid: the read-time merge of popular accounts -------------------------------------------------


@pytest.fixture
def star(settings, events, make_user, ann):
    """An account above the fanout threshold, followed by ann."""
    settings.TIMELINE_FANOUT_THRESHOLD = 3
    user = make_user("star", display_name="Star")
    follow(events, (ann, user), *[(make_user(), user) for _ in range(3)])
    user.refresh_from_db()
    assert user.followers_count >= 3
    return user


def test_paging_across_the_merge_of_pushed_and_pulled_tweets(events, ann, bob, carol, star, post):
    follow(events, (ann, bob))
    selectors.home_page(ann)  # built: bob's tweets are pushed, star's are pulled
    with events():
        for n in range(15):
            author = star if n % 3 == 0 else bob
            post(author, f"tweet {n}")
            if n % 5 == 4:
                tweet_services.retweet(author, post(carol, f"carol {n}"))
    pushed = set(store.entries(ann.pk))
    pulled = set(Tweet.objects.filter(author=star).values_list("id", flat=True))
    assert not pushed & pulled

    pages, cursor = [], None
    while True:
        page = selectors.home_page(ann, max_id=cursor, limit=7)
        pages.append(ids(page))
        if page.next_max_id is None:
            break
        cursor = page.next_max_id

    assert len(pages) == 3
    assert [len(p) for p in pages] == [7, 7, 4]
    assert all(set(p) & pushed and set(p) & pulled for p in pages)
    assert [i for p in pages for i in p] == expected_ids(ann)


def test_a_tweet_retweeted_by_a_popular_and_a_pushed_account_shows_once(events, ann, bob, carol, star, post):
    follow(events, (ann, bob))
    selectors.home_page(ann)
    with events():
        original = post(carol, "everyone shares this")
        first = tweet_services.retweet(star, original)  # pulled at read
        for n in range(3):
            post(bob, f"filler {n}")
        tweet_services.retweet(bob, original)  # pushed
        for n in range(3):
            post(bob, f"more filler {n}")

    got, _ = walk(ann, limit=3)

    assert got == expected_ids(ann)
    assert first.pk in got
    assert [i for i in got if Tweet.objects.get(pk=i).retweet_of_id == original.pk] == [first.pk]


def test_popular_accounts_are_read_from_their_outboxes_not_postgresql(events, ann, star, post):
    selectors.home_page(ann)
    with events():
        tweets = [post(star, f"outbox {n}") for n in range(3)]
    assert [
        pk
        for pk, _ in store.read_outboxes([star.pk], max_id=None, since_id=None, min_id=None, count=5)[
            star.pk
        ].entries
    ] == [t.pk for t in reversed(tweets)]

    with CaptureQueriesContext(connection) as queries:
        page = selectors.home_page(ann)

    assert ids(page) == [t.pk for t in reversed(tweets)]
    assert not [q for q in queries.captured_queries if "LATERAL" in q["sql"]]


def test_a_deleted_popular_tweet_leaves_the_outbox(events, ann, star, post):
    with events():
        kept, deleted = post(star, "kept"), post(star, "deleted")
    selectors.home_page(ann)  # builds star's outbox

    with events():
        tweet_services.delete_tweet(star, deleted)

    outbox = store.read_outboxes([star.pk], max_id=None, since_id=None, min_id=None, count=5)[star.pk]
    assert [pk for pk, _ in outbox.entries] == [kept.pk]
    assert ids(selectors.home_page(ann)) == [kept.pk]


def test_a_lost_outbox_is_built_again_from_postgresql(events, ann, star, post):
    with events():
        tweets = [post(star, f"tweet {n}") for n in range(3)]
    selectors.home_page(ann)
    store.client().delete(store.outbox_key(star.pk))

    assert ids(selectors.home_page(ann)) == [t.pk for t in reversed(tweets)]
    assert store.client().exists(store.outbox_key(star.pk))


def test_pages_past_a_trimmed_outbox_come_from_postgresql(events, settings, ann, star, post):
    settings.TIMELINE_CAP = 4
    with events():
        tweets = [post(star, f"tweet {n}") for n in range(11)]

    got, _ = walk(ann, limit=3)

    assert got == expected_ids(ann) == [t.pk for t in reversed(tweets)]
    outbox = store.read_outboxes([star.pk], max_id=None, since_id=None, min_id=None, count=20)[star.pk]
    assert len(outbox.entries) == 4
    assert outbox.trimmed


def test_an_account_that_becomes_popular_is_merged_from_its_next_tweet(
    events, settings, make_user, ann, bob, post
):
    """Readers keep the list of popular accounts a while (popular_accounts);
    the first tweet of an account past the threshold, no longer pushed,
    makes them read it again."""
    settings.TIMELINE_FANOUT_THRESHOLD = 3
    follow(events, (ann, bob))
    selectors.home_page(ann)
    assert bob.pk not in popular.popular_accounts()

    follow(events, *[(make_user(), bob) for _ in range(3)])
    with events():
        tweet = post(bob, "now popular")

    assert tweet.pk not in store.entries(ann.pk)  # not pushed
    assert bob.pk in popular.popular_accounts()
    assert ids(selectors.home_page(ann)) == [tweet.pk]


def test_an_unsuspended_popular_account_is_merged_again(events, moderator, ann, star, post):
    with events():
        tweet = post(star, "before the suspension")
        account_services.suspend(moderator, star)
    assert ids(selectors.home_page(ann)) == []
    assert star.pk not in popular.popular_accounts()

    with events():
        account_services.unsuspend(moderator, User.objects.get(pk=star.pk))

    assert ids(selectors.home_page(ann)) == [tweet.pk]


def test_a_popular_accounts_replies_to_strangers_do_not_end_the_timeline(events, ann, bob, carol, star, post):
    follow(events, (ann, bob))
    with events():
        old = post(bob, "an older tweet")
        question = post(carol, "a question for the star")
        for n in range(12):  # none of them is for ann: she doesn't follow carol
            post(star, f"answer {n}", in_reply_to=question)

    got, _ = walk(ann, limit=1)

    assert got == expected_ids(ann) == [old.pk]


# --- Redis flushed or down --------------------------------------------------------------------------


def test_a_flushed_redis_is_rebuilt_on_the_next_read(events, ann, bob, carol, post):
    follow(events, (ann, bob), (ann, carol))
    with events():
        original = post(carol, "shared")
        tweet_services.retweet(bob, original)
        post(bob, "bob's")
    before = ids(selectors.home_page(ann))

    store.client().flushdb()
    after = ids(selectors.home_page(ann))

    assert after == before == expected_ids(ann)
    assert store.entries(ann.pk) == before


def test_redis_down_falls_back_to_the_database(settings, events, ann, bob, carol, star, post):
    follow(events, (ann, bob))
    tweets = [post(bob, "bob's"), post(star, "star's"), post(carol, "not followed")]
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    page = selectors.home_page(ann)

    assert ids(page) == [tweets[1].pk, tweets[0].pk] == expected_ids(ann)


def test_redis_down_pages_like_the_database(make_user, events, settings, ann, bob, post):
    follow(events, (ann, bob))
    with events():
        for n in range(9):
            post(bob, f"tweet {n}")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    got, sizes = walk(ann, limit=4)

    assert got == expected_ids(ann)
    assert sizes == [4, 4, 1]


# --- Query count -------------------------------------------------------------------------------------


def fill(events, ann, bob, carol, star, post):
    """A home timeline of 30 rows: originals, retweets, quotes, replies, and a merged popular account."""
    follow(events, (ann, bob), (ann, carol))
    base = post(carol, "carol's base")
    stranger = User.objects.create_user("stranger")  # ann doesn't follow: its tweets show as retweets
    with events():
        for i in range(30):
            author = (bob, carol, star)[i % 3]
            kind = i % 4
            if kind == 0:
                post(author, f"plain {i} #tag @ann https://example.com/{i}")
            elif kind == 1:
                tweet_services.retweet(author, post(stranger, f"stranger {i}"))
            elif kind == 2:
                post(author, f"quote {i}", quote_of=base)
            else:
                post(author, f"reply {i}", in_reply_to=base)
            tweet_services.like(ann, base)


def count_queries(function):
    with CaptureQueriesContext(connection) as queries:
        result = function()
    return len(queries), result


def test_home_page_query_count_does_not_depend_on_page_size(events, ann, bob, carol, star, post):
    fill(events, ann, bob, carol, star, post)
    selectors.home_page(ann)  # builds the timeline

    small, small_page = count_queries(lambda: selectors.home_page(ann, limit=5))
    large, large_page = count_queries(lambda: selectors.home_page(ann, limit=20))

    assert len(small_page.items) == 5
    assert len(large_page.items) == 20
    assert {row.author_id for row in large_page.items} >= {bob.pk, carol.pk, star.pk}
    assert any(row.retweet_of_id for row in large_page.items)
    assert any(row.quote_of_id for row in large_page.items)
    assert any(row.in_reply_to_id for row in large_page.items)
    assert small == large
    # The audience, the popular accounts, the pulled ids and the rows come
    # from Redis once read: left are the viewer's likes/retweets/bookmarks
    # and the earlier popular retweets of the page's retweets.
    assert large <= 2

    def render():
        for row in large_page.items:
            original = row.retweet_of or row
            _ = (row.author.username, original.author.username, original.text, row.liked, row.retweeted)
            if original.quote_of_id:
                _ = original.quote_of.author.username
            if original.in_reply_to_author_id:
                _ = original.in_reply_to_author.username

    assert count_queries(render)[0] == 0  # everything a row shows came with the page


@pytest.mark.parametrize("source", SOURCES)
def test_a_deleted_tweet_is_never_shown_even_if_still_in_redis(settings, events, ann, bob, post, source):
    settings.HOME_TIMELINE_SOURCE = source
    follow(events, (ann, bob))
    selectors.home_page(ann)
    with events():
        tweets = [post(bob, f"tweet {n}") for n in range(5)]
    for tweet in tweets[1:4]:
        tweet_services.delete_tweet(bob, tweet)  # no events: not retracted

    page = selectors.home_page(ann, limit=2)

    assert ids(page) == [tweets[4].pk, tweets[0].pk]
    assert page.next_max_id is None
