"""The search page, its tabs and paging, and the compose box's completion."""

import re

import pytest

from accounts import services as accounts


@pytest.fixture
def world(post, ann, bob, make_user):
    make_user("annabel", display_name="Annabel Lee")
    for n in range(3):
        post(bob, f"tea time number {n} #teatime")
    post(ann, "coffee, not tea")


def test_the_empty_page_explains_the_query_language(client, db):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "from:ann" in response.content.decode()


@pytest.mark.parametrize("tab", ["top", "latest"])
def test_tweets_tabs_find_tweets(client, world, tab):
    response = client.get("/search/", {"q": "tea", "f": tab})
    assert response.status_code == 200
    assert response.content.decode().count('<article class="tweet') == 4


def test_people_tab_finds_accounts_followed_first(client, world, ann, make_user):
    annette = make_user("annette", display_name="Annette")
    accounts.follow(ann, annette)
    client.force_login(ann)
    page = client.get("/search/", {"q": "ann", "f": "people"}).content.decode()
    order = re.findall(r"@(ann\w*)</span>", page)
    assert order[0] == "annette"
    assert set(order) == {"ann", "annabel", "annette"}


def test_people_tab_forgives_misspellings(client, world):
    page = client.get("/search/", {"q": "anabel", "f": "people"}).content.decode()
    assert "@annabel" in page


def test_hashtags_tab_completes_prefixes(client, world):
    page = client.get("/search/", {"q": "#tea", "f": "hashtags"}).content.decode()
    assert 'href="/hashtag/teatime/"' in page


def test_show_more_keeps_the_query_and_tab(client, world, settings):
    settings.TIMELINE_PAGE_SIZE = 2
    first = client.get("/search/", {"q": "tea time", "f": "latest"}).content.decode()
    more = re.search(r'class="load-more button" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "q=tea+time" in more
    assert "f=latest" in more
    assert "max_id=" in more
    rest = client.get("/search/" + more, HTTP_HX_REQUEST="true")
    assert rest.status_code == 200
    assert "<html" not in rest.content.decode()
    assert rest.content.decode().count('<article class="tweet') == 1


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("since:2026-99-01 tea", "since: needs a date"),
        ("x" * 600, "at most 512"),
        ("-tea", "Add a word"),
    ],
)
def test_a_query_that_cannot_run_gets_a_message(client, world, q, message):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "tea", "f": "nonsense"},
        {"q": "tea", "offset": "-5"},
        {"q": "tea", "offset": "9" * 30},
        {"q": "'; DROP TABLE tweets_tweet;--"},
        {"q": "a & !b | c:*"},
        {"q": "\u0000tea"},
    ],
)
def test_odd_input_is_never_an_error_page(client, world, params):
    assert client.get("/search/", params).status_code in (200, 400)


def test_a_cursor_that_is_not_an_id_is_a_bad_request(client, world):
    assert client.get("/search/", {"q": "tea", "f": "latest", "max_id": "abc"}).status_code == 400


def test_what_the_viewer_may_not_see_is_not_found(client, world, ann, bob, post):
    post(bob, "secret tea", visibility="private")
    accounts.block(bob, ann)
    client.force_login(ann)
    assert "secret" not in client.get("/search/", {"q": "tea", "f": "latest"}).content.decode()
    assert "@bob" not in client.get("/search/", {"q": "bob", "f": "people"}).content.decode()


def test_completion_suggests_accounts_and_hashtags(client, world, ann):
    client.force_login(ann)
    people = client.get("/search/complete/", {"q": "@anna"}).content.decode()
    assert 'data-value="@annabel"' in people
    tags = client.get("/search/complete/", {"q": "#tea"}).content.decode()
    assert 'data-value="#teatime"' in tags
    assert client.get("/search/complete/", {"q": "tea"}).content.decode().strip() == ""
    assert client.get("/search/complete/", {"q": "@"}).content.decode().strip() == ""


def test_the_compose_box_asks_for_completions(client, ann):
    client.force_login(ann)
    assert 'data-complete-url="/search/complete/"' in client.get("/").content.decode()


@pytest.mark.parametrize("scan", [200, 2])
def test_completion_ranks_followed_then_exact_then_most_followed(client, ann, make_user, monkeypatch, scan):
    """Both of complete_accounts' paths: ranking every match, and walking
    the most followed for a prefix with more than COMPLETION_SCAN matches."""
    from accounts import selectors

    monkeypatch.setattr(selectors, "COMPLETION_SCAN", scan)
    make_user("dan", followers_count=1)
    make_user("dana", followers_count=500)
    make_user("danny", followers_count=50)
    friend = make_user("daniel", followers_count=0)
    hater = make_user("dante", followers_count=9000)
    accounts.follow(ann, friend)
    accounts.block(hater, ann)
    client.force_login(ann)
    page = client.get("/search/complete/", {"q": "@dan"}).content.decode()
    assert re.findall(r'data-value="@(\w+)"', page) == ["daniel", "dan", "dana", "danny"]
