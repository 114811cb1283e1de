"""The reads of tweets.selectors, above all who may see what."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import cache as accounts_cache
from accounts import services as accounts
from accounts.models import User
from tweets import selectors, services
from tweets.models import Tweet


def ids(rows):
    return [row.pk for row in rows]


def follow_approved(follower, target):
    accounts.follow(follower, target)
    if target.is_protected:
        accounts.approve_follow_request(target, follower)


# --- the visibility matrix ----------------------------------------------------------


@pytest.fixture
def world(make_user):
    """One open author (ann), one protected (pat), and people around them.

    fan follows both (approved by pat); carol and staff follow no one; bkr
    blocks ann, ann blocks bkd; carol retweets ann's public tweet; fan likes
    everything it can.
    """
    w = SimpleNamespace()
    w.ann = make_user("ann")
    w.pat = make_user("pat", is_protected=True)
    w.fan = make_user("fan")
    w.carol = make_user("carol")
    w.bkr = make_user("bkr")
    w.bkd = make_user("bkd")
    w.staff = make_user("staff", is_staff=True)
    follow_approved(w.fan, w.ann)
    follow_approved(w.fan, w.pat)
    follow_approved(w.bkr, w.ann)
    follow_approved(w.bkd, w.ann)
    w.tweets = {
        "public": services.post_tweet(w.ann, "public #World", visibility="public"),
        "unlisted": services.post_tweet(w.ann, "unlisted #world", visibility="unlisted"),
        "private": services.post_tweet(w.ann, "followers #world", visibility="private"),
        "protected": services.post_tweet(w.pat, "protected #world"),
    }
    w.tweets["retweet"] = services.retweet(w.carol, w.tweets["public"])
    for name in ("public", "private", "protected", "unlisted"):
        services.like(w.fan, w.tweets[name])
    accounts.block(w.bkr, w.ann)
    accounts.block(w.ann, w.bkd)
    w.viewers = {
        "ann": w.ann,
        "pat": w.pat,
        "fan": w.fan,
        "carol": w.carol,
        "staff": w.staff,
        "anonymous": None,
        "anonymous_user": AnonymousUser(),
        "blocker": w.bkr,
        "blocked": w.bkd,
    }
    return w


EXPECTED = {
    "ann": {"public", "unlisted", "private", "retweet"},
    "pat": {"public", "unlisted", "protected", "retweet"},
    "fan": {"public", "unlisted", "private", "protected", "retweet"},
    "carol": {"public", "unlisted", "retweet"},
    "staff": {"public", "unlisted", "retweet"},
    "anonymous": {"public", "unlisted", "retweet"},
    "anonymous_user": {"public", "unlisted", "retweet"},
    "blocker": set(),
    "blocked": set(),
}


def names(world, rows):
    by_id = {tweet.pk: name for name, tweet in world.tweets.items()}
    return {by_id[row.pk] for row in rows if row.pk in by_id}


@pytest.mark.parametrize("viewer_name", EXPECTED)
def test_visibility_matrix(world, viewer_name):
    viewer = world.viewers[viewer_name]
    expected = EXPECTED[viewer_name]
    originals = expected - {"retweet"}

    assert names(world, selectors.visible_tweets(viewer)) == expected
    for name, tweet in world.tweets.items():
        found = selectors.get_tweet(viewer, tweet.pk)
        assert (found is not None) == (name in expected), name
        assert found is None or found.pk == tweet.pk

    ann_tweets = {"public", "unlisted", "private"}
    assert names(world, selectors.user_tweets(viewer, world.ann)) == expected & ann_tweets
    assert names(world, selectors.user_tweets(viewer, world.ann, with_replies=True)) == expected & ann_tweets
    assert names(world, selectors.user_tweets(viewer, world.pat)) == expected & {"protected"}
    assert names(world, selectors.user_tweets(viewer, world.carol)) == expected & {"retweet"}

    assert names(world, selectors.public_tweets(viewer)) == expected & {"public"}
    assert names(world, selectors.hashtag_tweets(viewer, "WORLD")) == originals
    assert names(world, selectors.hashtag_tweets(viewer, "world")) == originals
    assert not selectors.hashtag_tweets(viewer, "nothing").exists()

    liked = list(selectors.liked_tweets(viewer, world.fan))
    assert names(world, liked) == originals
    assert len(liked) == len(set(ids(liked)))


# --- deleted, suspended, invisible originals ------------------------------------------


def test_deleted_tweets_are_hidden_from_everyone(world):
    tweet = world.tweets["public"]
    services.delete_tweet(world.ann, tweet)
    for viewer_name in EXPECTED:
        viewer = world.viewers[viewer_name]
        assert tweet.pk not in ids(selectors.visible_tweets(viewer))
        assert selectors.get_tweet(viewer, tweet.pk) is None
        assert tweet.pk not in ids(selectors.user_tweets(viewer, world.ann, with_replies=True))
        assert tweet.pk not in ids(selectors.hashtag_tweets(viewer, "world"))
        assert tweet.pk not in ids(selectors.liked_tweets(viewer, world.fan))
        assert not selectors.public_tweets(viewer).exists()
    assert not Tweet.objects.filter(pk=world.tweets["retweet"].pk).exists()


def test_suspended_authors_are_hidden(world, moderator):
    retweet_by_ann = services.retweet(world.ann, services.post_tweet(world.carol, "carol's"))
    accounts.suspend(moderator, world.ann)
    ann = User.objects.get(pk=world.ann.pk)
    for viewer in [*world.viewers.values(), ann]:
        visible = set(ids(selectors.visible_tweets(viewer)))
        ann_rows = {t.pk for n, t in world.tweets.items() if n not in {"protected"}}
        assert not visible & ann_rows  # ann's tweets, and carol's retweet of one
        assert retweet_by_ann.pk not in visible
        assert not selectors.user_tweets(viewer, ann, with_replies=True).exists()
        assert not selectors.public_tweets(viewer).filter(author=ann).exists()
    accounts.unsuspend(moderator, ann)
    assert selectors.get_tweet(world.carol, world.tweets["retweet"].pk) is not None
    assert selectors.get_tweet(None, retweet_by_ann.pk) is not None


def test_retweet_of_an_original_that_became_invisible_is_hidden(ann, bob, carol, make_user):
    dora = make_user("dora")
    follow_approved(dora, bob)
    tweet = services.post_tweet(bob, "soon protected")
    rt = services.retweet(ann, tweet)
    assert selectors.get_tweet(carol, rt.pk) is not None
    accounts.update_profile(bob, is_protected=True)
    assert selectors.get_tweet(carol, rt.pk) is None
    assert selectors.get_tweet(None, rt.pk) is None
    assert rt.pk not in ids(selectors.user_tweets(carol, ann))
    # Approved followers of the original's author still see it.
    assert selectors.get_tweet(dora, rt.pk) is not None
    assert selectors.get_tweet(ann, rt.pk) is None  # ann doesn't follow bob


def test_retweet_of_a_blocking_author_is_hidden(ann, bob, carol):
    tweet = services.post_tweet(bob, "hi")
    rt = services.retweet(ann, tweet)
    accounts.block(bob, carol)
    assert selectors.get_tweet(carol, rt.pk) is None
    assert rt.pk not in ids(selectors.user_tweets(carol, ann))
    assert selectors.get_tweet(carol, services.post_tweet(ann, "own").pk) is not None


def test_retweet_by_a_blocked_retweeter_is_hidden(ann, bob, carol):
    tweet = services.post_tweet(ann, "hi")
    rt = services.retweet(bob, tweet)
    accounts.block(carol, bob)
    assert selectors.get_tweet(carol, rt.pk) is None
    assert selectors.get_tweet(carol, tweet.pk) is not None


def test_private_tweet_of_an_open_account_reaches_followers_only(ann, bob, carol):
    follow_approved(bob, ann)
    tweet = services.post_tweet(ann, "followers only", visibility="private")
    assert selectors.get_tweet(bob, tweet.pk) is not None
    assert selectors.get_tweet(carol, tweet.pk) is None
    assert selectors.get_tweet(None, tweet.pk) is None
    accounts.unfollow(bob, ann)
    assert selectors.get_tweet(bob, tweet.pk) is None


def test_pending_request_is_not_enough(pat_and_requester):
    pat, requester, tweet = pat_and_requester
    assert selectors.get_tweet(requester, tweet.pk) is None
    accounts.approve_follow_request(pat, requester)
    assert selectors.get_tweet(requester, tweet.pk) is not None


@pytest.fixture
def pat_and_requester(make_user):
    pat = make_user("pat", is_protected=True)
    requester = make_user("req")
    accounts.follow(requester, pat)
    return pat, requester, services.post_tweet(pat, "secret")


def test_mutes_do_not_hide_tweets_here(ann, bob):
    # Muting is a timeline filter, not visibility: a profile or a link still shows.
    tweet = services.post_tweet(bob, "muted but visible")
    accounts.mute(ann, bob)
    assert selectors.get_tweet(ann, tweet.pk) is not None


# --- profile tabs, likes, hashtags ---------------------------------------------------


def test_user_tweets_with_and_without_replies(ann, bob):
    first = services.post_tweet(ann, "thread 1/2")
    self_reply = services.post_tweet(ann, "thread 2/2", in_reply_to=first)
    other = services.post_tweet(bob, "bob's")
    reply_to_bob = services.post_tweet(ann, "@bob hi", in_reply_to=other)
    rt = services.retweet(ann, other)
    main = ids(selectors.user_tweets(bob, ann))
    assert main == [rt.pk, self_reply.pk, first.pk]
    everything = ids(selectors.user_tweets(bob, ann, with_replies=True))
    assert everything == [rt.pk, reply_to_bob.pk, self_reply.pk, first.pk]


def test_liked_tweets_most_recently_liked_first(ann, bob, carol):
    tweets = [services.post_tweet(bob, f"t{i}") for i in range(4)]
    for i in (1, 3, 0, 2):
        services.like(ann, tweets[i])
        services.like(carol, tweets[i])  # others' likes don't duplicate rows
    expected = [tweets[2].pk, tweets[0].pk, tweets[3].pk, tweets[1].pk]
    assert ids(selectors.liked_tweets(None, ann)) == expected
    page = selectors.page_by_id(selectors.liked_tweets(carol, ann), limit=3, key="like_id")
    assert ids(page.items) == expected[:3]
    rest = selectors.page_by_id(
        selectors.liked_tweets(carol, ann), max_id=page.next_max_id, limit=3, key="like_id"
    )
    assert ids(rest.items) == expected[3:]
    assert rest.next_max_id is None
    services.unlike(ann, tweets[0])
    assert ids(selectors.liked_tweets(None, ann)) == [tweets[2].pk, tweets[3].pk, tweets[1].pk]


def test_hashtag_tweets_newest_first_without_retweets(ann, bob):
    first = services.post_tweet(ann, "#Tag one")
    second = services.post_tweet(bob, "two #tag")
    services.retweet(bob, first)
    services.post_tweet(ann, "#other")
    assert ids(selectors.hashtag_tweets(None, "tag")) == [second.pk, first.pk]
    services.edit_tweet(ann, first, "edited away")
    assert ids(selectors.hashtag_tweets(None, "TAG")) == [second.pk]


def test_public_tweets_are_public_originals_only(ann, bob, make_user):
    pat = make_user("pat", is_protected=True)
    public = services.post_tweet(ann, "public")
    services.post_tweet(ann, "unlisted", visibility="unlisted")
    services.post_tweet(ann, "private", visibility="private")
    services.post_tweet(pat, "protected")
    services.retweet(bob, public)
    reply = services.post_tweet(bob, "a public reply", in_reply_to=public)
    assert ids(selectors.public_tweets(None)) == [reply.pk, public.pk]
    assert ids(selectors.public_tweets(pat)) == [reply.pk, public.pk]


# --- threads and versions -----------------------------------------------------------


@pytest.fixture
def conversation(ann, bob, carol):
    root = services.post_tweet(ann, "root")
    r1 = services.post_tweet(bob, "r1", in_reply_to=root)
    r2 = services.post_tweet(carol, "r2", in_reply_to=r1)
    r1b = services.post_tweet(ann, "r1b", in_reply_to=root)
    r3 = services.post_tweet(bob, "r3", in_reply_to=r2)
    r1c = services.post_tweet(carol, "r1c", in_reply_to=root)
    services.retweet(carol, r1)  # retweets are not part of the thread
    return SimpleNamespace(root=root, r1=r1, r2=r2, r1b=r1b, r3=r3, r1c=r1c)


def test_thread_order(conversation, ann):
    c = conversation
    whole = selectors.thread(None, c.root)
    assert whole.ancestors == []
    assert whole.tweet == c.root
    assert ids(whole.replies) == [c.r1.pk, c.r2.pk, c.r3.pk, c.r1b.pk, c.r1c.pk]
    middle = selectors.thread(ann, c.r2)
    assert ids(middle.ancestors) == [c.root.pk, c.r1.pk]
    assert ids(middle.replies) == [c.r3.pk]
    leaf = selectors.thread(ann, c.r3)
    assert ids(leaf.ancestors) == [c.root.pk, c.r1.pk, c.r2.pk]
    assert leaf.replies == []


def test_thread_max_replies(conversation):
    c = conversation
    assert ids(selectors.thread(None, c.root, max_replies=2).replies) == [c.r1.pk, c.r2.pk]


def test_thread_hides_what_the_viewer_may_not_see(conversation, ann, carol):
    c = conversation
    accounts.block(ann, carol)
    for_ann = selectors.thread(ann, c.root)
    # carol's r2 and r1c are hidden; bob's r3 below r2 keeps its place.
    assert ids(for_ann.replies) == [c.r1.pk, c.r3.pk, c.r1b.pk]
    for_carol = selectors.thread(carol, c.r2)
    assert ids(for_carol.ancestors) == [c.r1.pk]  # carol may not see ann's root
    assert ids(for_carol.replies) == [c.r3.pk]


def test_thread_never_returns_an_invisible_row(conversation, ann, bob, carol, make_user):
    c = conversation
    pat = make_user("pat", is_protected=True)
    follow_approved(bob, pat)
    hidden = services.post_tweet(pat, "protected reply", in_reply_to=c.r2)
    below = services.post_tweet(bob, "reply to the protected one", in_reply_to=hidden)
    accounts.block(bob, carol)
    services.delete_tweet(ann, c.r1b)
    for viewer in (None, ann, bob, carol, pat):
        visible = set(ids(selectors.visible_tweets(viewer)))
        for tweet in (c.root, c.r2, c.r3, below):
            result = selectors.thread(viewer, tweet)
            assert set(ids(result.ancestors + result.replies)) <= visible
    assert ids(selectors.thread(None, c.root).replies) == [c.r1.pk, c.r2.pk, c.r3.pk, below.pk, c.r1c.pk]
    assert ids(selectors.thread(None, below).ancestors) == [c.root.pk, c.r1.pk, c.r2.pk]


def test_thread_viewer_state(conversation, bob):
    c = conversation
    services.like(bob, c.r1b)
    result = selectors.thread(bob, c.root)
    state = {row.pk: (row.liked, row.retweeted) for row in result.replies}
    assert state[c.r1b.pk] == (True, False)
    assert state[c.r1.pk] == (False, False)


def test_thread_is_two_queries(conversation, django_assert_num_queries):
    def read():
        result = selectors.thread(conversation.r1.author, conversation.r2)
        for row in [*result.ancestors, *result.replies]:
            assert row.author.username
            assert row.in_reply_to_author is None or row.in_reply_to_author.username

    # One for the viewer's audience (follows, blocks, mutes), one for the thread;
    # then the audience comes from the cache.
    accounts_cache.forget_audiences(conversation.r1.author_id)
    with django_assert_num_queries(2):
        read()
    with django_assert_num_queries(1):
        read()


def test_thread_survives_a_deleted_middle_reply(conversation, ann, bob):
    c = conversation
    services.delete_tweet(bob, c.r1)
    below = selectors.thread(None, c.r2)
    assert ids(below.ancestors) == [c.root.pk]
    assert ids(selectors.thread(None, c.root).replies) == [c.r2.pk, c.r3.pk, c.r1b.pk, c.r1c.pk]
    services.delete_tweet(ann, c.root)
    assert ids(selectors.thread(None, c.r3).ancestors) == [c.r2.pk]


def test_versions_oldest_first_ending_with_the_current(ann):
    tweet = services.post_tweet(ann, "v1")
    assert [v.text for v in selectors.versions(tweet)] == ["v1"]
    assert selectors.edits_left(tweet) == 5
    services.edit_tweet(ann, tweet, "v2")
    tweet = services.edit_tweet(ann, tweet, "v3")
    versions = selectors.versions(tweet)
    assert [v.text for v in versions] == ["v1", "v2", "v3"]
    assert versions[0].created_at == tweet.created_at
    assert versions[-1].created_at == tweet.edited_at
    assert [v.created_at for v in versions] == sorted(v.created_at for v in versions)
    assert selectors.edits_left(tweet) == 3


def test_edits_left_never_negative(ann, settings):
    tweet = services.post_tweet(ann, "v1")
    services.edit_tweet(ann, tweet, "v2")
    settings.TWEET_MAX_EDITS = 0
    assert selectors.edits_left(tweet) == 0


# --- viewer state and query counts --------------------------------------------------


def test_with_viewer_state_flags(ann, bob, carol):
    tweet = services.post_tweet(ann, "state")
    other = services.post_tweet(ann, "other")
    rt = services.retweet(carol, tweet)
    services.like(bob, tweet)
    services.retweet(bob, tweet)
    services.bookmark(bob, tweet)
    rows = {row.pk: row for row in selectors.with_viewer_state(Tweet.objects.all(), bob)}
    for pk in (tweet.pk, rt.pk):  # a retweet row answers for its original
        assert (rows[pk].liked, rows[pk].retweeted, rows[pk].bookmarked) == (True, True, True)
    assert (rows[other.pk].liked, rows[other.pk].retweeted, rows[other.pk].bookmarked) == (False,) * 3
    for_carol = selectors.get_tweet(carol, rt.pk)
    assert (for_carol.liked, for_carol.retweeted, for_carol.bookmarked) == (False, True, False)
    anonymous = selectors.get_tweet(None, tweet.pk)
    assert not hasattr(anonymous, "liked")


def test_quote_visible(ann, bob, carol, make_user):
    pat = make_user("pat", is_protected=True)
    follow_approved(bob, pat)
    secret = services.post_tweet(pat, "secret")
    quote_of_secret = services.post_tweet(pat, "quoting myself", quote_of=secret)
    public = services.post_tweet(ann, "public")
    quote = services.post_tweet(bob, "look", quote_of=public)
    rt_of_quote = services.retweet(carol, quote)
    assert selectors.get_tweet(bob, quote_of_secret.pk).quote_visible
    assert selectors.get_tweet(carol, quote.pk).quote_visible
    assert selectors.get_tweet(None, rt_of_quote.pk).quote_visible
    services.delete_tweet(ann, public)
    assert not selectors.get_tweet(carol, quote.pk).quote_visible
    assert not selectors.get_tweet(None, rt_of_quote.pk).quote_visible
    plain = selectors.get_tweet(carol, services.post_tweet(carol, "no quote").pk)
    assert not plain.quote_visible


def render(rows):
    """Touch everything tweets/_tweet.html reads from a row."""
    out = []
    for row in rows:
        original = row.retweet_of if row.retweet_of_id else row
        out.append(row.author.username)
        out.append(original.author.username)
        if original.in_reply_to_author_id:
            out.append(original.in_reply_to_author.username)
        if original.quote_of_id and row.quote_visible:
            out.append(original.quote_of.author.username)
        out.append(getattr(row, "liked", None))
        out.append(getattr(row, "retweeted", None))
        out.append(getattr(row, "bookmarked", None))
    return out


@pytest.fixture
def busy_timeline(make_user):
    """About 60 rows from 6 authors: originals, replies, quotes, retweets of each."""
    people = [make_user() for _ in range(6)]
    viewer = people[0]
    for person in people[1:]:
        follow_approved(viewer, person)
    made = []
    for i in range(10):
        author = people[i % 6]
        other = people[(i + 1) % 6]
        tweet = services.post_tweet(author, f"tweet {i} #busy")
        reply = services.post_tweet(other, f"reply {i}", in_reply_to=tweet)
        quote = services.post_tweet(other, f"quote {i}", quote_of=tweet)
        services.retweet(people[(i + 2) % 6], tweet)
        services.retweet(people[(i + 3) % 6], quote)
        services.retweet(people[(i + 4) % 6], reply)
        services.like(viewer, tweet)
        made.extend([tweet, reply, quote])
    return viewer, made


def test_a_page_is_one_query_whatever_its_size(busy_timeline, django_assert_num_queries):
    for viewer in (busy_timeline[0], None):
        queryset = selectors.with_viewer_state(selectors.visible_tweets(viewer), viewer)
        for limit in (5, 20, 40):
            with django_assert_num_queries(1):
                page = selectors.page_by_id(queryset, limit=limit)
                rendered = render(page.items)
            assert len(page.items) == limit
            assert rendered
            assert any(row.retweet_of_id for row in page.items)
            assert any(
                row.quote_of_id or (row.retweet_of_id and row.retweet_of.quote_of_id) for row in page.items
            )


LIST_SELECTORS = {
    "user": (lambda viewer: selectors.user_tweets(viewer, viewer, with_replies=True), "id"),
    "public": (selectors.public_tweets, "id"),
    "hashtag": (lambda viewer: selectors.hashtag_tweets(viewer, "busy"), "id"),
    "liked": (lambda viewer: selectors.liked_tweets(viewer, viewer), "like_id"),
}


def test_every_list_selector_is_two_queries_per_page(busy_timeline, django_assert_num_queries):
    viewer, _ = busy_timeline
    for name, (make_queryset, key) in LIST_SELECTORS.items():
        for limit in (3, 20):
            # The viewer's audience, then the page, whatever its size.
            accounts_cache.forget_audiences(viewer.pk)
            with django_assert_num_queries(2):
                page = selectors.page_by_id(make_queryset(viewer), limit=limit, key=key)
                render(page.items)
            assert page.items, name


# --- paging -------------------------------------------------------------------------


@pytest.fixture
def ten(ann):
    return [services.post_tweet(ann, f"t{i}") for i in range(10)]


def page_ids(ten, **kwargs):
    page = selectors.page_by_id(Tweet.objects.all(), **kwargs)
    index = {tweet.pk: i for i, tweet in enumerate(ten)}
    return [index[pk] for pk in ids(page.items)], page.next_max_id


def test_page_by_id_walks_back_with_max_id(ten):
    assert page_ids(ten, limit=4) == ([9, 8, 7, 6], ten[6].pk)
    assert page_ids(ten, limit=4, max_id=ten[6].pk) == ([5, 4, 3, 2], ten[2].pk)
    assert page_ids(ten, limit=4, max_id=ten[2].pk) == ([1, 0], None)


def test_page_by_id_last_full_page_has_no_next(ten):
    assert page_ids(ten, limit=5, max_id=ten[5].pk) == ([4, 3, 2, 1, 0], None)
    assert page_ids(ten, limit=10) == (list(range(9, -1, -1)), None)
    assert page_ids(ten, limit=4, max_id=ten[0].pk) == ([], None)


def test_page_by_id_since_id_is_newest_first(ten):
    assert page_ids(ten, since_id=ten[6].pk) == ([9, 8, 7], None)
    assert page_ids(ten, since_id=ten[2].pk, limit=3) == ([9, 8, 7], ten[7].pk)
    assert page_ids(ten, since_id=ten[9].pk) == ([], None)


def test_page_by_id_min_id_fetches_the_oldest_newer_rows(ten):
    # Ascending fetch (no gap after min_id), returned newest first.
    assert page_ids(ten, min_id=ten[2].pk, limit=3) == ([5, 4, 3], None)
    assert page_ids(ten, min_id=ten[5].pk, limit=3) == ([8, 7, 6], None)
    assert page_ids(ten, min_id=ten[8].pk, limit=3) == ([9], None)


def test_page_by_id_combines_cursors(ten):
    assert page_ids(ten, since_id=ten[2].pk, max_id=ten[6].pk) == ([5, 4, 3], None)
    assert page_ids(ten, since_id=ten[2].pk, max_id=ten[8].pk, limit=2) == ([7, 6], ten[6].pk)
    assert page_ids(ten, min_id=ten[2].pk, max_id=ten[6].pk, limit=10) == ([5, 4, 3], None)


def test_page_by_id_on_an_empty_queryset(db):
    page = selectors.page_by_id(Tweet.objects.none(), max_id=10)
    assert page.items == []
    assert page.next_max_id is None
