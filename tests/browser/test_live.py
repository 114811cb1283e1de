"""Live updates in real browsers: two people in two headless Chromium
pages; one likes the other's tweet and the other's page changes without a
reload. The pages are served by the test's live server, the streaming
server by uvicorn and the events by a Celery worker, all on the test
database: the same parts as in production."""

import re

import pytest
from playwright.sync_api import expect

from accounts import services as accounts
from tweets.services import like, post_tweet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Overrides the root fixture: events go through the broker to the worker."""
    from twitter.celery import app

    app.conf.task_always_eager = False


@pytest.fixture
def streaming(celery_worker_factory, site_factory, settings):
    celery_worker_factory()
    # The pages are on "localhost" (the live server); the streaming server
    # must take their Origin, and they find it on this port of their host.
    server = site_factory(asgi=True, ALLOWED_HOSTS="localhost,127.0.0.1")
    settings.STREAMING_URL = ""
    settings.STREAMING_PORT = str(server.port)
    return server


@pytest.fixture
def person(browser, live_server):
    """person(user) -> a page logged in as `user`, in a browser context of its own."""
    contexts = []

    def open_as(user):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username or email").fill(user.username)
        page.get_by_label("Password:", exact=True).fill(f"pw-{user.username}-123")
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("**/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def connected(page, transport="socket"):
    """The page's live connection is open (live.js marks <html data-live>)."""
    expect(page.locator("html")).to_have_attribute("data-live", transport)


@pytest.mark.parametrize("transport", ["socket", "sse", "poll"])
def test_a_like_shows_on_the_authors_page_without_a_reload(streaming, person, ann, bob, transport):
    tweet = post_tweet(bob, "Bob's tweet")
    bob_page = person(bob)
    query = "" if transport == "socket" else f"?live={transport}"
    bob_page.goto(f"/bob/status/{tweet.pk}/{query}")
    connected(bob_page, transport)
    badge = bob_page.locator("#notification-badge")
    expect(badge).to_be_hidden()

    ann_page = person(ann)
    ann_page.goto(f"/bob/status/{tweet.pk}/")
    ann_page.locator(f"#tweet-{tweet.pk}").get_by_role("button", name=re.compile(r"^Like")).click()

    expect(badge).to_be_visible()
    expect(badge).to_contain_text("1")
    if transport != "poll":  # long polling carries a person's own streams only
        expect(
            bob_page.locator(f'[data-counts-of="{tweet.pk}"] [data-count="likes_count"]').first
        ).to_have_text("1")


def test_new_tweets_bar_and_replies_arrive_live(streaming, person, ann, bob):
    accounts.follow(bob, ann)
    first = post_tweet(ann, "Ann's first")
    bob_page = person(bob)
    connected(bob_page)
    post_tweet(ann, "Ann again")
    expect(bob_page.locator("#new-tweets")).to_contain_text("Show 1 new tweet")

    bob_page.goto(f"/ann/status/{first.pk}/")
    connected(bob_page)
    post_tweet(ann, "@ann a note to myself", in_reply_to=first)
    expect(bob_page.locator("#timeline")).to_contain_text("a note to myself")


def test_the_page_reconnects_after_the_streaming_server_comes_back(streaming, person, ann, bob):
    tweet = post_tweet(bob, "Bob's tweet")
    bob_page = person(bob)
    connected(bob_page)
    streaming.stop()
    expect(bob_page.locator("html")).to_have_attribute("data-live", "offline")
    like(ann, tweet)  # while the page has no connection
    streaming.start()
    # Back, by the socket or (after failed attempts) a fallback, with what it missed.
    expect(bob_page.locator("html")).to_have_attribute(
        "data-live", re.compile("socket|sse|poll"), timeout=20_000
    )
    expect(bob_page.locator("#notification-badge")).to_contain_text("1")
