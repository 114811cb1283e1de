"""Search in a real browser: the search page's tabs and "Show more", and
the compose box's completion of @names and #tags by keyboard."""

import pytest
from playwright.sync_api import expect

from tweets.models import Tweet
from tweets.services import post_tweet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_from_the_box_then_switch_tabs_and_page(page, log_in, ann, bob, settings):
    settings.TIMELINE_PAGE_SIZE = 2
    for n in range(3):
        post_tweet(bob, f"gardening tip {n} #gardening")
    log_in(ann)
    page.goto("/search/")
    page.get_by_role("searchbox", name="Search").first.fill("gardening tip")
    page.get_by_role("button", name="Search").click()
    results = page.locator(".search-results")
    expect(results.locator("article.tweet")).to_have_count(2)
    page.get_by_role("link", name="Latest").click()
    expect(page.get_by_role("link", name="Latest")).to_have_attribute("aria-current", "page")
    expect(results.locator("article.tweet").first).to_contain_text("gardening tip 2")
    page.get_by_role("link", name="Show more").click()
    expect(results.locator("article.tweet")).to_have_count(3)
    page.get_by_role("link", name="Hashtags").click()
    expect(page.get_by_role("link", name="#gardening")).to_be_visible()
    page.get_by_role("link", name="People").click()
    expect(page.locator(".search-results")).to_contain_text("No results")


def test_a_query_that_cannot_run_says_why(page, db):
    page.goto("/search/?q=since:someday+tea")
    expect(page.get_by_role("alert")).to_contain_text("since: needs a date like 2026-01-31")


def test_compose_completes_a_mention_and_a_hashtag_by_keyboard(page, log_in, ann, bob, make_user):
    make_user("bobby", display_name="Bobby")
    post_tweet(bob, "#python is fun")
    log_in(ann)
    box = page.get_by_label("What's happening?")
    box.press_sequentially("Hello @bo")
    suggestions = page.get_by_role("listbox", name="Suggestions")
    expect(suggestions.get_by_role("option")).to_have_count(2)
    box.press("ArrowDown")
    expect(suggestions.get_by_role("option", selected=True)).to_contain_text("@bobby")
    box.press("Enter")
    expect(box).to_have_value("Hello @bobby ")
    expect(suggestions).to_be_hidden()
    box.press_sequentially("likes #py")
    expect(suggestions.get_by_role("option", name="#python")).to_be_visible()
    box.press("Tab")
    expect(box).to_have_value("Hello @bobby likes #python ")
    box.press_sequentially("x")
    box.press("Escape")
    page.get_by_role("button", name="Tweet").click()
    expect(page.locator("#timeline").get_by_role("link", name="@bobby")).to_be_visible()
    assert Tweet.objects.get(author=ann).text == "Hello @bobby likes #python x"
