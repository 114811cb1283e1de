"""The trends page, the trends panel beside the other pages, and Twitter's short counts."""

import re

import pytest

from trends import counters, services
from trends.templatetags.trends import compact_count

from .conftest import NOW


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0"),
        (1, "1"),
        (999, "999"),
        (1234, "1,234"),
        (9999, "9,999"),
        (10_000, "10K"),
        (12_345, "12.3K"),
        (12_399, "12.3K"),
        (99_999, "99.9K"),
        (123_456, "123K"),
        (999_999, "999K"),
        (1_000_000, "1M"),
        (1_250_000, "1.2M"),
        (45_600_000, "45.6M"),
        (3_400_000_000, "3.4B"),
        ("12", "12"),
        (None, None),
        ("many", "many"),
    ],
)
def test_compact_count(count, shown):
    assert compact_count(count) == shown


@pytest.fixture
def trending(use, tag):
    """#python trends first (12,345 posts by 5 accounts), #django second."""
    python = tag("python")
    authors = use(python, 5)
    counters.count(
        counters.TaggedTweet(10_000_000 + n, authors[n % 5], (python.pk,), NOW) for n in range(12_340)
    )
    use(tag("django"), 3)
    services.compute_trends(now=NOW)


def test_the_trends_page_lists_rank_tag_and_posts_for_anyone(client, trending):
    response = client.get("/trends/")
    assert response.status_code == 200
    page = response.content.decode()
    first = r'href="/hashtag/python/">\s*<span class="trend-meta">1 · Trending</span>\s*'
    assert re.search(first + r'<span class="trend-name">#python</span>', page)
    assert 'title="12,345 posts in the last 24 hours">12.3K posts</span>' in page
    assert re.search(r"2 · Trending</span>\s*<span class=\"trend-name\">#django</span>", page)
    assert "3 posts</span>" in page
    assert 'aria-current="page">Trends</a>' in page
    assert "trends-panel" not in page  # the page is the list; no panel beside it


def test_the_trends_page_with_nothing_trending(client, db):
    page = client.get("/trends/").content.decode()
    assert "Nothing is trending right now" in page


def test_the_panel_is_beside_other_pages(client, ann, trending):
    explore = client.get("/explore/").content.decode()
    panel = explore[explore.index('<aside class="aside">') :]
    assert '<h2 id="trends-panel-title">Trends</h2>' in panel
    assert panel.index("#python") < panel.index("#django")
    assert 'href="/trends/">Show more</a>' in panel
    client.force_login(ann)
    home = client.get("/").content.decode()
    assert "trends-panel" in home
    assert 'href="/trends/"' in home  # the nav link


def test_the_panel_shows_the_top_five(client, use, tag):
    for n in range(7):
        use(tag(f"tag{n}"), 3 + n)
    services.compute_trends(now=NOW)
    panel = client.get("/explore/").content.decode().split('<aside class="aside">')[1]
    assert panel.count('class="trend"') == 5
    assert "#tag6" in panel
    assert "#tag1" not in panel


def test_the_panel_says_when_nothing_trends(client, db):
    assert "Nothing is trending right now" in client.get("/explore/").content.decode()


def test_pages_render_from_postgresql_when_redis_lost_the_list(client, trending):
    counters.client().flushdb()
    page = client.get("/trends/").content.decode()
    assert "#python" in page
    assert "12.3K posts" in page
