"""The core flows in a real browser: sign up, post, follow, like, reply, edit, delete."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tweets.models import Tweet
from tweets.services import post_tweet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_then_post_with_the_live_counter(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("newbie@example.com")
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Password:", exact=True).fill("a-long-pass-phrase-42")
    page.get_by_label("Password (again)").fill("a-long-pass-phrase-42")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()

    box = page.get_by_label("What's happening?")
    box.fill("日本 is lovely #travel")
    # twitter-text weights: 2 CJK characters count 4, the other 18 count 1.
    expect(page.locator("#compose-counter")).to_contain_text("258")
    page.get_by_role("button", name="Tweet").click()
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("日本 is lovely")).to_be_visible()
    expect(timeline.get_by_role("link", name="#travel")).to_have_attribute("href", "/hashtag/travel/")
    expect(box).to_have_value("")
    assert Tweet.objects.get(author__username="newbie").text == "日本 is lovely #travel"


def test_overweight_tweet_shows_an_error_and_stores_nothing(page, log_in, ann):
    log_in(ann)
    page.get_by_label("What's happening?").fill("x" * 281)
    expect(page.locator("#compose-counter")).to_contain_text("-1")
    page.get_by_role("button", name="Tweet").click()
    expect(page.get_by_role("alert")).to_contain_text("too long")
    assert not Tweet.objects.filter(author=ann).exists()


def test_follow_like_and_reply(page, log_in, ann, bob):
    tweet = post_tweet(bob, "Bob's first tweet")
    log_in(ann)
    page.goto("/bob/")
    page.get_by_role("button", name="Follow @bob").click()
    expect(page.get_by_role("button", name="Unfollow @bob")).to_be_visible()
    assert User.objects.get(pk=bob.pk).followers_count == 1

    page.goto("/")
    row = page.locator(f"#tweet-{tweet.pk}")
    expect(row).to_contain_text("Bob's first tweet")
    row.get_by_role("button", name=re.compile(r"^Like")).click()
    liked = row.get_by_role("button", name=re.compile(r"^Unlike"))
    expect(liked).to_have_attribute("aria-pressed", "true")
    expect(liked).to_contain_text("1")

    row.locator("a.tweet-time").click()  # the timestamp links to the tweet's page
    page.wait_for_url(f"**/bob/status/{tweet.pk}/")
    page.get_by_label("What's happening?").fill("@bob welcome!")
    page.get_by_role("button", name="Reply").click()
    expect(page.locator("#timeline")).to_contain_text("welcome!")
    reply = Tweet.objects.get(author=ann)
    assert reply.in_reply_to_id == tweet.pk


def test_edit_shows_history_then_delete(page, log_in, ann):
    tweet = post_tweet(ann, "first draft")
    log_in(ann)
    page.goto(f"/ann/status/{tweet.pk}/")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Edit tweet").fill("second draft")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".focused")).to_contain_text("second draft")
    page.get_by_role("link", name=re.compile("^Edited")).click()
    expect(page.locator(".versions")).to_contain_text("first draft")
    expect(page.locator(".versions")).to_contain_text("second draft")

    page.goto(f"/ann/status/{tweet.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".focused").get_by_role("button", name="Delete").click()
    expect(page.locator(f".focused #tweet-{tweet.pk}")).to_have_count(0)
    assert Tweet.objects.get(pk=tweet.pk).deleted_at is not None


def test_keyboard_only_posting(page, log_in, ann):
    log_in(ann)
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("What's happening?").focus()
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Tweet")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#timeline")).to_contain_text("typed without a mouse")


def test_phone_sized_screen_has_no_horizontal_scroll(page, log_in, ann, bob):
    post_tweet(bob, "a-very-long-word-" * 10)
    log_in(ann)
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", "/bob/", "/explore/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
