"""The home page and its "N new tweets" bar, rendered from the timeline service.

Writes run their domain events (`django_capture_on_commit_callbacks`), so the
pages read what the real fanout put in Redis; assertions are on the HTML.
"""

import re

import pytest

from accounts import services as account_services
from timelines import selectors, store
from tweets import services as tweet_services

HTMX = {"HX-Request": "true"}


@pytest.fixture
def events(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def small_pages(settings):
    settings.TIMELINE_PAGE_SIZE = 3


def follow(events, *pairs):
    with events():
        for follower, followee in pairs:
            account_services.follow(follower, followee)


def tweet_ids(html):
    return [int(i) for i in re.findall(r'<article class="tweet" id="tweet-(\d+)"', html)]


def show_more(html):
    match = re.search(r'class="load-more button" href="\?max_id=(\d+)"', html)
    return match and int(match.group(1))


def new_tweets_bar(html):
    match = re.search(r'<div class="new-tweets" id="new-tweets".*?</div>', html, re.S)
    assert match, html
    return match.group(0)


def expected_ids(viewer):
    rows = list(selectors.home_timeline(viewer).values_list("id", "retweet_of_id"))
    seen, kept = set(), []
    for pk, original in reversed(rows):
        if (original or pk) not in seen:
            seen.add(original or pk)
            kept.append(pk)
    return kept[::-1]


# --- Access ---------------------------------------------------------------------------


def test_anonymous_home_goes_to_explore(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/explore/"


def test_anonymous_new_tweets_bar_goes_to_login(client, db):
    response = client.get("/home/new/?since_id=1")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("query", ["max_id=abc", "max_id=-1", "max_id=12345678901234567890", "max_id=%C2%B2"])
def test_bad_max_id_is_400(client, ann, query):
    client.force_login(ann)

    assert client.get(f"/?{query}").status_code == 400
    assert client.get(f"/?{query}", headers=HTMX).status_code == 400


@pytest.mark.parametrize("since_id", ["abc", "1.5", "-3"])
def test_bad_since_id_is_400(client, ann, since_id):
    client.force_login(ann)

    assert client.get(f"/home/new/?since_id={since_id}").status_code == 400


# --- Paging -----------------------------------------------------------------------------


def test_show_more_pages_through_the_whole_timeline(client, events, small_pages, ann, bob, carol, post):
    follow(events, (ann, bob), (ann, carol))
    client.force_login(ann)
    client.get("/")  # builds ann's timeline: what follows arrives by fanout
    with events():
        original = post(carol, "carol's first")
        for n in range(4):
            post(bob, f"bob {n}")
        tweet_services.retweet(bob, original)  # not shown again: the original is there
        post(carol, "carol's reply", in_reply_to=original)
        post(ann, "ann's own")

    first = client.get("/")
    assert first.status_code == 200
    html = first.content.decode()
    assert "<html" in html
    seen = tweet_ids(html)
    assert len(seen) == 3
    cursor = show_more(html)
    assert cursor == seen[-1]
    pages = 1
    while cursor:
        fragment = client.get(f"/?max_id={cursor}", headers=HTMX)
        assert fragment.status_code == 200
        html = fragment.content.decode()
        assert "<html" not in html
        assert 'id="new-tweets"' not in html
        seen += tweet_ids(html)
        cursor = show_more(html)
        pages += 1

    assert pages == 3
    assert seen == expected_ids(ann)
    assert len(seen) == len(set(seen)) == 7


def test_show_more_without_htmx_is_a_full_page(client, events, small_pages, ann, bob, post):
    follow(events, (ann, bob))
    tweets = [post(bob, f"tweet {n}") for n in range(5)]

    client.force_login(ann)
    second = client.get(f"/?max_id={tweets[2].pk}").content.decode()

    assert "<html" in second
    assert tweet_ids(second) == [tweets[1].pk, tweets[0].pk]
    assert show_more(second) is None


def test_home_shows_a_popular_accounts_tweets_and_a_shared_tweet_once(
    client, events, settings, make_user, ann, bob, carol, post
):
    settings.TIMELINE_FANOUT_THRESHOLD = 3
    star = make_user("star", display_name="Star")
    follow(events, (ann, star), (ann, bob), *[(make_user(), star) for _ in range(3)])
    client.force_login(ann)
    client.get("/")
    with events():
        shared = post(carol, "everyone shares this")
        star_retweet = tweet_services.retweet(star, shared)
        tweet_services.retweet(bob, shared)
        starred = post(star, "from the star")

    html = client.get("/").content.decode()

    assert starred.pk not in store.entries(ann.pk)  # merged at read, not pushed
    assert tweet_ids(html) == [starred.pk, star_retweet.pk]
    assert html.count("everyone shares this") == 1
    assert "Star</a> retweeted" in html


# --- The "N new tweets" bar ---------------------------------------------------------------------


def test_the_bar_counts_tweets_posted_since_the_page_loaded(client, events, make_user, ann, bob, carol, post):
    follow(events, (ann, bob), (ann, carol))
    with events():
        post(bob, "already here")
    client.force_login(ann)
    home = client.get("/").content.decode()
    newest = tweet_ids(home)[0]
    assert f'hx-get="/home/new/?since_id={newest}"' in home
    assert "new tweet" not in new_tweets_bar(home)

    empty = client.get(f"/home/new/?since_id={newest}")
    assert empty.status_code == 200
    assert "<a" not in new_tweets_bar(empty.content.decode())

    with events():
        post(bob, "news one")
    one = new_tweets_bar(client.get(f"/home/new/?since_id={newest}").content.decode())
    assert "Show 1 new tweet<" in one

    with events():
        post(carol, "news two")
        post(carol, "a reply nobody follows", in_reply_to=post(make_user("stranger"), "hi"))
    html = client.get(f"/home/new/?since_id={newest}").content.decode()
    bar = new_tweets_bar(html)
    assert "Show 2 new tweets<" in bar
    assert f'hx-get="/home/new/?since_id={newest}"' in bar  # keeps polling from the same place
    assert 'href="/"' in bar


def test_the_bar_ignores_muted_accounts_and_counts_popular_ones(
    client, events, settings, make_user, ann, bob, carol, post
):
    settings.TIMELINE_FANOUT_THRESHOLD = 3
    star = make_user("star")
    follow(events, (ann, star), (ann, bob), (ann, carol), *[(make_user(), star) for _ in range(3)])
    with events():
        account_services.mute(ann, carol)
        first = post(bob, "first")
    client.force_login(ann)
    client.get("/")

    with events():
        post(carol, "muted")
        post(star, "merged at read")
        post(bob, "pushed")

    bar = new_tweets_bar(client.get(f"/home/new/?since_id={first.pk}").content.decode())
    assert "Show 2 new tweets<" in bar


def test_the_bar_says_40_plus_past_a_page(client, events, ann, bob, post):
    follow(events, (ann, bob))
    for n in range(41):
        post(bob, f"news {n}")  # (ann's timeline is built by this first read)

    client.force_login(ann)
    bar = new_tweets_bar(client.get("/home/new/?since_id=0").content.decode())

    assert "Show 40+ new tweets<" in bar


def test_since_id_zero_counts_from_the_start(client, events, ann, bob, post):
    follow(events, (ann, bob))
    with events():
        post(bob, "one")
        post(bob, "two")
    client.force_login(ann)

    for query in ("?since_id=0", "?since_id=", ""):
        bar = new_tweets_bar(client.get(f"/home/new/{query}").content.decode())
        assert "Show 2 new tweets<" in bar, query


def test_an_empty_home_has_an_empty_bar(client, ann):
    client.force_login(ann)

    home = client.get("/").content.decode()

    assert 'hx-get="/home/new/?since_id=0"' in home
    assert "<a" not in new_tweets_bar(home)
    assert "Nothing here yet" in home


# --- Redis flushed or down ----------------------------------------------------------------------------


def test_home_is_the_same_after_redis_is_flushed(client, events, ann, bob, post):
    follow(events, (ann, bob))
    with events():
        for n in range(3):
            post(bob, f"tweet {n}")
    client.force_login(ann)
    before = tweet_ids(client.get("/").content.decode())

    store.client().flushdb()
    response = client.get("/")

    assert response.status_code == 200
    assert tweet_ids(response.content.decode()) == before
    assert store.entries(ann.pk) == before


def test_home_renders_from_the_database_when_redis_is_down(client, events, settings, ann, bob, post):
    follow(events, (ann, bob))
    with events():
        tweets = [post(bob, f"tweet {n}") for n in range(3)]
    client.force_login(ann)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = client.get("/")
    bar = client.get(f"/home/new/?since_id={tweets[0].pk}")

    assert response.status_code == 200
    assert tweet_ids(response.content.decode()) == [t.pk for t in reversed(tweets)]
    assert bar.status_code == 200
    assert "Show 2 new tweets<" in new_tweets_bar(bar.content.decode())
