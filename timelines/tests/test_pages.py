"""Timeline pages through the test client: home, explore, hashtags, profiles.

Each permission path (owner, approved follower, other user, blocked user,
anonymous) is checked on what the HTML shows, and bad cursors are a 400.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from tweets import services as tweet_services
from tweets.models import Tweet

HTMX = {"HX-Request": "true"}


@pytest.fixture
def dora(make_user):
    """A protected account."""
    return make_user("dora", display_name="Dora", is_protected=True)


def logged_in(client, user):
    client.force_login(user)
    return client


# --- Home ------------------------------------------------------------------


def test_home_redirects_anonymous_to_explore(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/explore/"


def test_home_shows_own_and_followed_tweets_only(client, ann, bob, carol, post):
    account_services.follow(ann, bob)
    post(ann, "ann says hi")
    post(bob, "bob says hi")
    post(carol, "carol says hi")

    response = logged_in(client, ann).get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "ann says hi" in html
    assert "bob says hi" in html
    assert "carol says hi" not in html
    assert 'class="compose"' in html


def test_home_shows_replies_only_when_following_both_ends(client, ann, bob, carol, post):
    account_services.follow(ann, bob)
    to_carol = post(carol, "carol root")
    to_ann = post(ann, "ann root")
    to_bob = post(bob, "bob root")
    post(bob, "reply to a stranger", in_reply_to=to_carol)
    post(bob, "reply to ann", in_reply_to=to_ann)
    post(bob, "reply to himself", in_reply_to=to_bob)

    html = logged_in(client, ann).get("/").content.decode()

    assert "reply to a stranger" not in html
    assert "reply to ann" in html
    assert "reply to himself" in html


def test_home_hides_muted_accounts_and_their_retweets(client, ann, bob, carol, post):
    account_services.follow(ann, bob)
    account_services.follow(ann, carol)
    account_services.mute(ann, carol)
    carols = post(carol, "muted voice")
    tweet_services.retweet(bob, carols)
    post(bob, "bob is audible")

    html = logged_in(client, ann).get("/").content.decode()

    assert "bob is audible" in html
    assert "muted voice" not in html


def test_home_shows_followed_retweets_and_quotes(client, ann, bob, carol, post):
    account_services.follow(ann, bob)
    original = post(carol, "worth sharing")
    tweet_services.retweet(bob, original)
    post(bob, "my take", quote_of=original)

    html = logged_in(client, ann).get("/").content.decode()

    assert "Bob</a> retweeted" in html
    assert "worth sharing" in html
    assert "my take" in html
    assert 'class="quoted"' in html


# --- Explore and hashtags ------------------------------------------------------


@pytest.mark.parametrize("as_user", [False, True])
def test_explore_lists_public_tweets_only(client, ann, bob, dora, carol, post, as_user):
    account_services.follow(carol, bob)
    account_services.follow(carol, dora)
    post(ann, "public words")
    post(bob, "for followers", visibility="private")
    post(bob, "quietly unlisted", visibility="unlisted")
    post(dora, "protected words")
    if as_user:
        client.force_login(carol)  # follows bob and dora, still only the public timeline

    response = client.get("/explore/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "public words" in html
    assert "for followers" not in html
    assert "quietly unlisted" not in html
    assert "protected words" not in html


def test_hashtag_page_is_case_insensitive(client, ann, dora, post):
    post(ann, "learning #Django today")
    post(ann, "no tag here")
    post(dora, "secret #django notes")

    for path in ("/hashtag/django/", "/hashtag/DJANGO/", "/hashtag/DjAnGo/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "learning" in html
        assert "no tag here" not in html
        assert "secret" not in html
        assert "#django</h1>" in html


def test_hashtag_page_shows_protected_tweets_to_followers(client, bob, dora, post):
    account_services.follow(bob, dora)
    account_services.approve_follow_request(dora, bob)
    post(dora, "secret #django notes")

    html = logged_in(client, bob).get("/hashtag/Django/").content.decode()

    assert "secret" in html


@pytest.mark.parametrize("path", ["/explore/", "/hashtag/django/"])
def test_explore_and_hashtags_hide_muted_accounts(client, ann, bob, carol, post, path):
    account_services.mute(carol, bob)
    post(ann, "ann on #django")
    post(bob, "bob on #django")

    muter = logged_in(client, carol).get(path).content.decode()
    client.logout()
    others = logged_in(client, ann).get(path).content.decode()

    assert "ann on" in muter
    assert "bob on" not in muter
    assert "bob on" in others


# --- Profiles --------------------------------------------------------------------


def test_profile_tabs(client, ann, bob, post):
    root = post(bob, "bob root")
    post(ann, "ann original")
    post(ann, "ann reply to bob", in_reply_to=root)
    tweet_services.like(ann, root)

    tweets = client.get("/ann/").content.decode()
    replies = client.get("/ann/with_replies/").content.decode()
    likes = client.get("/ann/likes/").content.decode()

    assert "ann original" in tweets
    assert "ann reply to bob" not in tweets
    assert "ann original" in replies
    assert "ann reply to bob" in replies
    assert "bob root" in likes
    assert "ann original" not in likes
    assert re.search(r'href="/ann/likes/"\s+aria-current="page"', likes)


def test_profile_own_thread_stays_on_main_tab(client, ann, post):
    first = post(ann, "thread start")
    post(ann, "thread continues", in_reply_to=first)

    html = client.get("/ann/").content.decode()

    assert "thread continues" in html


@pytest.mark.parametrize(
    ("viewer", "sees_tweets"),
    [("owner", True), ("follower", True), ("requester", False), ("stranger", False), ("anonymous", False)],
)
def test_protected_profile(client, dora, bob, carol, ann, post, viewer, sees_tweets):
    account_services.follow(bob, dora)
    account_services.approve_follow_request(dora, bob)
    account_services.follow(ann, dora)  # pending, not approved
    post(dora, "for my followers")
    users = {"owner": dora, "follower": bob, "requester": ann, "stranger": carol}
    if viewer in users:
        client.force_login(users[viewer])

    response = client.get("/dora/")

    assert response.status_code == 200
    html = response.content.decode()
    assert ("for my followers" in html) is sees_tweets
    assert ("These tweets are protected" in html) is not sees_tweets
    for tab in ("/dora/with_replies/", "/dora/likes/"):
        assert ("These tweets are protected" in client.get(tab).content.decode()) is not sees_tweets


def test_requester_sees_cancel_button_on_protected_profile(client, ann, dora):
    account_services.follow(ann, dora)

    html = logged_in(client, ann).get("/dora/").content.decode()

    assert "Cancel request to @dora" in html


def test_blocked_profile_both_directions(client, ann, bob, post):
    post(ann, "ann's words")
    post(bob, "bob's words")
    account_services.block(ann, bob)

    as_bob = logged_in(client, bob).get("/ann/")
    assert as_bob.status_code == 200
    assert "@ann blocked you" in as_bob.content.decode()
    assert "ann&#x27;s words" not in as_bob.content.decode()

    as_ann = logged_in(client, ann).get("/bob/")
    assert as_ann.status_code == 200
    html = as_ann.content.decode()
    assert "You blocked @bob" in html
    assert "bob&#x27;s words" not in html
    assert "Unblock @bob" in html


def test_suspended_profile_is_404(client, moderator, bob):
    account_services.suspend(moderator, bob)

    for path in ("/bob/", "/bob/with_replies/", "/bob/likes/"):
        assert client.get(path).status_code == 404


def test_unknown_profile_is_404(client, db):
    assert client.get("/nobody_here/").status_code == 404
    assert client.get("/nobody_here/likes/").status_code == 404


@pytest.mark.parametrize(
    ("path", "canonical"),
    [("/ANN/", "/ann/"), ("/Ann/with_replies/", "/ann/with_replies/"), ("/aNN/likes/", "/ann/likes/")],
)
def test_profile_in_other_case_redirects_to_canonical(client, ann, path, canonical):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == canonical


# --- Paging ----------------------------------------------------------------------


@pytest.fixture
def small_pages(settings):
    settings.TIMELINE_PAGE_SIZE = 2


def next_link(html):
    match = re.search(r'href="\?max_id=(\d+)"', html)
    return match and match.group(1)


def test_profile_pages_with_max_id(client, ann, post, small_pages):
    tweets = [post(ann, f"tweet number {n}") for n in range(3)]

    first = client.get("/ann/").content.decode()
    assert "tweet number 2" in first
    assert "tweet number 1" in first
    assert "tweet number 0" not in first
    max_id = next_link(first)
    assert max_id == str(tweets[1].pk)

    second = client.get(f"/ann/?max_id={max_id}").content.decode()
    assert "tweet number 0" in second
    assert "tweet number 1" not in second
    assert next_link(second) is None


def test_no_next_link_when_everything_fits(client, ann, post, small_pages):
    post(ann, "one")
    post(ann, "two")

    assert next_link(client.get("/ann/").content.decode()) is None


def test_htmx_load_more_returns_the_fragment_only(client, ann, post, small_pages):
    tweets = [post(ann, f"tweet number {n}") for n in range(3)]

    response = client.get(f"/ann/?max_id={tweets[1].pk}", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "profile-header" not in html
    assert 'id="timeline"' not in html
    assert "tweet number 0" in html


def test_htmx_first_page_is_the_full_page(client, ann, post):
    post(ann, "hello")

    html = client.get("/ann/", headers=HTMX).content.decode()

    assert "<html" in html


def test_likes_tab_pages_by_like(client, ann, bob, post, small_pages):
    tweets = [post(bob, f"liked number {n}") for n in range(3)]
    for tweet in reversed(tweets):  # liked newest tweet first: like order differs from tweet order
        tweet_services.like(ann, tweet)

    first = client.get("/ann/likes/").content.decode()
    assert "liked number 0" in first
    assert "liked number 1" in first
    assert "liked number 2" not in first
    cursor = next_link(first)
    assert cursor

    second = client.get(f"/ann/likes/?max_id={cursor}").content.decode()
    assert "liked number 2" in second
    assert "liked number 0" not in second


def test_home_and_explore_page_too(client, ann, post, small_pages):
    for n in range(3):
        post(ann, f"tweet number {n}")

    for path in ("/", "/explore/"):
        html = logged_in(client, ann).get(path).content.decode()
        cursor = next_link(html)
        assert cursor
        rest = client.get(f"{path}?max_id={cursor}", headers=HTMX).content.decode()
        assert "tweet number 0" in rest
        assert "<html" not in rest


@pytest.mark.parametrize(
    "cursor", ["abc", "-1", "1.5", "99999999999999999999", "%C2%B2", "%EF%BC%91", "1e5", "0x10"]
)
@pytest.mark.parametrize("path", ["/explore/", "/ann/", "/ann/likes/", "/hashtag/x/", "/"])
def test_bad_cursor_is_400(client, ann, path, cursor):
    client.force_login(ann)

    response = client.get(f"{path}?max_id={cursor}")

    assert response.status_code == 400


@pytest.mark.parametrize("cursor", ["0", "9223372036854775807", "9999999999999999999", ""])
def test_extreme_but_numeric_cursors_are_fine(client, ann, post, cursor):
    post(ann, "hello")

    assert client.get(f"/ann/?max_id={cursor}").status_code == 200


# --- Escaping ------------------------------------------------------------------------


SCRIPT = "<script>alert(1)</script>"
EVIL_NAME = '<img src=x onerror="alert(2)">'


def test_timeline_pages_escape_text_and_names(client, make_user, ann, post):
    evil = make_user("evil", display_name=EVIL_NAME, bio=SCRIPT, location="<b>here</b>")
    account_services.follow(ann, evil)
    original = post(evil, f"{SCRIPT} #tag")
    tweet_services.retweet(evil, post(ann, "ann's tweet"))
    post(ann, "quoting", quote_of=original)
    tweet_services.like(evil, original)

    client.force_login(ann)
    for path in ("/", "/explore/", "/evil/", "/evil/with_replies/", "/evil/likes/", "/hashtag/tag/"):
        html = client.get(path).content.decode()
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert "<b>here" not in html, path
    home = client.get("/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in home


# --- Session of a suspended user ---------------------------------------------------------


def test_session_of_suspended_user_ends_on_next_request(client, bob, moderator):
    client.force_login(bob)
    assert client.get("/").status_code == 200

    account_services.suspend(moderator, bob)

    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/explore/"
    assert response.wsgi_request.user.is_anonymous
    posted = client.post("/compose/", {"text": "still here?"})
    assert posted.status_code == 302
    assert posted.url.startswith("/accounts/login/")
    assert not Tweet.objects.filter(author=bob).exists()


# --- Query counts ------------------------------------------------------------------------


def _fill_home(ann, bob, carol, post, n):
    """n timeline rows for ann: originals, retweets, quotes and replies of two authors."""
    base = post(carol, "carol's base")
    for i in range(n):
        author = bob if i % 2 else carol
        kind = i % 4
        if kind == 0:
            post(author, f"plain {i} #tag @ann https://example.com/{i}")
        elif kind == 1:
            tweet_services.retweet(author, post(ann, f"ann {i}"))
        elif kind == 2:
            post(author, f"quote {i}", quote_of=base)
        else:
            post(author, f"reply {i}", in_reply_to=base)
        tweet_services.like(ann, base)


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def test_home_query_count_does_not_grow_with_tweets(client, make_user, post, django_user_model):
    counts = []
    for n in (5, 20):
        ann, bob, carol = (make_user() for _ in range(3))
        account_services.follow(ann, bob)
        account_services.follow(ann, carol)
        _fill_home(ann, bob, carol, post, n)
        client.force_login(ann)
        _home_queries(client)  # warm the session
        counts.append(_home_queries(client))
        html = client.get("/").content.decode()
        assert html.count('class="tweet"') >= n

    assert counts[0] == counts[1]
    # Session user + the timeline, the notifications badge (2) and the
    # messages badge (1), with some slack.
    assert counts[1] <= 8
