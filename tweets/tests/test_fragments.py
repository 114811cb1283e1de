"""Rendered tweets cached for the lists (tweets.fragments), seen through
the home page and explore: a tweet renders once per distinct content and
viewer situation, every viewer gets their own CSRF token and buttons,
and a change to what a tweet shows renders it anew."""

import re
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db.models import F
from django.test import Client

from accounts import services as accounts
from media import services as media
from media.tests import conftest as media_fixtures
from tweets import cache, fragments, services
from tweets.models import Tweet

_media_root = media_fixtures._media_root
uploaded = media_fixtures.uploaded

TWEET_TEMPLATE = "tweets/_tweet.html"


def renders(response) -> int:
    """How many tweets the response rendered through the template (not from the cache)."""
    return [template.name for template in response.templates].count(TWEET_TEMPLATE)


def article(response, tweet) -> str | None:
    match = re.search(
        rf'<article class="tweet" id="tweet-{tweet.pk}".*?</article>', response.content.decode(), re.S
    )
    return match and match.group(0)


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html))


def like_button(html: str) -> str:
    match = re.search(r'<button type="submit" class="action[^"]*"[^>]*aria-label="(?:Un)?[Ll]ike[^>]*>', html)
    assert match, html
    return match.group(0)


def fragment_keys() -> list[bytes]:
    return redis.Redis.from_url(settings.REDIS_URL).keys("*tweet-html:*")


def aged(tweet: Tweet) -> Tweet:
    """Posted two hours ago: its relative time ("2 hours ago") reads the same
    from one request to the next, as a fresh tweet's seconds don't."""
    Tweet.objects.filter(pk=tweet.pk).update(created_at=F("created_at") - timedelta(hours=2))
    cache.forget(tweet.pk)
    tweet.refresh_from_db()
    return tweet


@pytest.fixture
def home(db):
    """home(user) -> GET / as `user`, with one client per user (its own
    session and CSRF cookie), CSRF checked as a browser's requests are."""
    clients = {}

    def get(user, path="/"):
        if user.pk not in clients:
            clients[user.pk] = Client(enforce_csrf_checks=True)
            clients[user.pk].force_login(user)
        response = clients[user.pk].get(path)
        assert response.status_code == 200
        return response

    get.clients = clients
    return get


@pytest.fixture
def carols_tweet(events, ann, bob, carol, post):
    """A tweet of carol's, which ann and bob follow."""
    with events():
        accounts.follow(ann, carol)
        accounts.follow(bob, carol)
    with events():
        tweet = post(carol, "hello followers")
    return aged(tweet)


def test_a_tweet_renders_once_and_then_comes_from_the_cache(home, ann, carols_tweet):
    first = home(ann)
    assert renders(first) == 1
    assert "hello followers" in article(first, carols_tweet)
    assert len(fragment_keys()) == 1

    second = home(ann)
    assert renders(second) == 0
    assert "hello followers" in article(second, carols_tweet)
    assert len(fragment_keys()) == 1


def test_viewers_in_the_same_situation_share_the_fragment(home, ann, bob, carols_tweet):
    assert renders(home(ann)) == 1

    for_bob = home(bob)

    assert renders(for_bob) == 0
    assert "hello followers" in article(for_bob, carols_tweet)


def test_each_request_gets_its_own_csrf_token_in_cached_fragments(home, ann, bob, carols_tweet):
    for_ann = article(home(ann), carols_tweet)
    served = home(bob)
    for_bob = article(served, carols_tweet)
    assert renders(served) == 0

    ann_tokens, bob_tokens = csrf_tokens(for_ann), csrf_tokens(for_bob)
    assert len(ann_tokens) == len(bob_tokens) == 1
    assert fragments.CSRF_MARKER not in for_ann + for_bob
    assert ann_tokens != bob_tokens

    # Each token is good for its own session's POST only, as the form sends it.
    like_url = f"/tweets/{carols_tweet.pk}/like/"
    assert f'action="{like_url}"' in for_bob
    refused = home.clients[bob.pk].post(like_url, {"csrfmiddlewaretoken": ann_tokens.pop()})
    assert refused.status_code == 403
    liked = home.clients[bob.pk].post(like_url, {"csrfmiddlewaretoken": bob_tokens.pop()})
    assert liked.status_code == 302
    assert carols_tweet.likes.filter(user=bob).exists()


def test_a_like_changes_the_likers_fragment_and_only_the_count_for_others(home, ann, bob, carols_tweet):
    home(ann)
    home(bob)

    services.like(ann, carols_tweet)

    liker = home(ann)
    assert renders(liker) == 1
    pressed = like_button(article(liker, carols_tweet))
    assert 'aria-pressed="true"' in pressed
    assert 'aria-label="Unlike (1 likes)"' in pressed

    other = home(bob)
    assert renders(other) == 1
    unpressed = like_button(article(other, carols_tweet))
    assert 'aria-pressed="false"' in unpressed
    assert 'aria-label="Like (1 likes)"' in unpressed
    assert '<span data-count="likes_count">1</span>' in article(other, carols_tweet)


def test_only_the_owner_sees_edit_and_delete(home, events, ann, bob, carol, post):
    with events():
        accounts.follow(bob, ann)
        accounts.follow(carol, ann)
    with events():
        tweet = aged(post(ann, "my own words"))

    owner = article(home(ann), tweet)
    assert f'href="/tweets/{tweet.pk}/edit/">Edit</a>' in owner
    assert ">Delete</button>" in owner

    first_reader = home(bob)
    assert renders(first_reader) == 1  # not the owner's fragment
    second_reader = home(carol)
    assert renders(second_reader) == 0
    for response in (first_reader, second_reader):
        shown = article(response, tweet)
        assert "my own words" in shown
        assert "Edit</a>" not in shown
        assert "Delete</button>" not in shown


def test_the_owner_sees_edit_after_a_reader_filled_the_cache(home, events, ann, bob, post):
    with events():
        accounts.follow(bob, ann)
    with events():
        tweet = aged(post(ann, "my own words"))
    assert "Edit</a>" not in article(home(bob), tweet)

    assert f'href="/tweets/{tweet.pk}/edit/">Edit</a>' in article(home(ann), tweet)


def test_a_deleted_tweet_no_longer_appears(home, events, ann, carol, post, carols_tweet):
    with events():
        kept = aged(post(carol, "this one stays"))
    assert article(home(ann), carols_tweet)

    with events():
        services.delete_tweet(carol, carols_tweet)

    after = home(ann)
    assert article(after, carols_tweet) is None
    assert "hello followers" not in after.content.decode()
    assert "this one stays" in article(after, kept)


def test_an_edit_and_a_new_author_name_render_anew(home, settings, ann, carol, carols_tweet):
    settings.TWEET_EDIT_WINDOW_SECONDS = 3 * 3600  # the tweet is two hours old
    home(ann)

    services.edit_tweet(carol, carols_tweet, "hello again, followers")
    accounts.update_profile(carol, display_name="Caroline")

    response = home(ann)
    assert renders(response) == 1
    shown = article(response, carols_tweet)
    assert "hello again, followers" in shown
    assert "<strong>Caroline</strong>" in shown
    assert "Edited" in shown


def test_media_that_finish_processing_render_anew(home, events, ann, bob, post, uploaded):
    item = uploaded(bob, processed=False, description="A red square")
    with events():
        accounts.follow(ann, bob)
    with events():
        tweet = aged(post(bob, "look", media=[str(item.pk)]))
    pending = article(home(ann), tweet)
    assert "Processing image" in pending
    assert "<img" not in pending

    media.process(item.pk)

    response = home(ann)
    assert renders(response) == 1
    ready = article(response, tweet)
    assert "Processing image" not in ready
    assert 'alt="A red square"' in ready


def test_a_new_follower_of_the_author_renders_nothing_anew(home, ann, carol, make_user, carols_tweet):
    """Counters are not shown in a tweet, so they are not part of its key."""
    home(ann)

    accounts.follow(make_user(), carol)

    assert renders(home(ann)) == 0


def test_a_display_name_stays_escaped_in_cached_output(home, events, ann, bob, make_user, post):
    mallory = make_user("mallory", display_name="<script>alert(1)</script>")
    with events():
        accounts.follow(ann, mallory)
        accounts.follow(bob, mallory)
    with events():
        tweet = aged(post(mallory, "<b>bold</b> claims"))

    rendered, cached = home(ann), home(bob)

    assert (renders(rendered), renders(cached)) == (1, 0)
    for response in (rendered, cached):
        shown = article(response, tweet)
        assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>" in shown
        assert "&lt;b&gt;bold&lt;/b&gt; claims" in shown
        assert "<script>alert" not in response.content.decode()
        assert "<b>bold</b>" not in response.content.decode()


def test_anonymous_visitors_get_cached_fragments_without_forms(client, bob, carols_tweet):
    first = client.get("/explore/")
    second = client.get("/explore/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert (renders(first), renders(second)) == (1, 0)
    shown = article(second, carols_tweet)
    assert "hello followers" in shown
    assert "<form" not in shown
    assert fragments.CSRF_MARKER not in second.content.decode()


def test_the_page_renders_when_the_cache_fails(home, ann, carols_tweet, broken_cache):
    first, second = home(ann), home(ann)

    assert (renders(first), renders(second)) == (1, 1)
    shown = article(second, carols_tweet)
    assert "hello followers" in shown
    assert fragments.CSRF_MARKER not in shown
    assert len(csrf_tokens(shown)) == 1
    assert not fragment_keys()


def test_a_tweet_quoting_the_marker_shows_its_own_text(home, events, ann, bob, post):
    with events():
        accounts.follow(ann, bob)
    with events():
        tweet = aged(post(bob, f"what is {fragments.CSRF_MARKER}?"))

    shown = article(home(ann), tweet)

    assert f"what is {fragments.CSRF_MARKER}?" in shown
