"""GET /api/v1/trends/tags and /api/v1/trends: Mastodon's trending Tags,
checked against Mastodon's OpenAPI description by the `api` fixture."""

import pytest

from trends import services

from .conftest import NOW


@pytest.fixture
def five_trends(use, tag):
    for n in range(5):
        use(tag(f"tag{n}"), 3 + n)
    services.compute_trends(now=NOW)


def test_trending_tags_for_anyone_with_history(api, use, tag):
    python = tag("python")
    use(python, 4)
    services.compute_trends(now=NOW)
    response = api.get("/api/v1/trends/tags")
    assert response.status_code == 200
    [entity] = response.json()
    assert entity["id"] == str(python.pk)
    assert entity["name"] == "python"
    assert entity["url"] == "http://testserver/hashtag/python/"
    assert "following" not in entity  # anonymous
    midnight = int(NOW.replace(hour=0, minute=0, second=0).timestamp())
    assert entity["history"][0] == {"day": str(midnight), "uses": "4", "accounts": "4"}
    assert [day["day"] for day in entity["history"]] == [str(midnight - n * 86400) for n in range(7)]
    assert entity["history"][1:] == [
        {"day": day["day"], "uses": "0", "accounts": "0"} for day in entity["history"][1:]
    ]
    assert api.checked == 1


def test_the_old_path_and_any_token_work(api, token_for, ann, five_trends):
    for scopes in ("read", "write", "push", "profile"):
        response = api.as_(token_for(ann, scopes)).get("/api/v1/trends")
        assert response.status_code == 200
        assert [tag["name"] for tag in response.json()] == [f"tag{n}" for n in range(4, -1, -1)]
        assert all(tag["following"] is False for tag in response.json())


def test_limit_and_offset_page_with_link_headers(api, five_trends):
    first = api.get("/api/v1/trends/tags", {"limit": 2})
    assert [tag["name"] for tag in first.json()] == ["tag4", "tag3"]
    assert first["Link"] == '<http://testserver/api/v1/trends/tags?limit=2&offset=2>; rel="next"'
    middle = api.get("/api/v1/trends/tags", {"limit": 2, "offset": 2})
    assert [tag["name"] for tag in middle.json()] == ["tag2", "tag1"]
    assert middle["Link"] == (
        '<http://testserver/api/v1/trends/tags?limit=2&offset=4>; rel="next", '
        '<http://testserver/api/v1/trends/tags?limit=2&offset=0>; rel="prev"'
    )
    last = api.get("/api/v1/trends/tags", {"limit": 2, "offset": 4})
    assert [tag["name"] for tag in last.json()] == ["tag0"]
    assert 'rel="next"' not in last["Link"]
    assert api.get("/api/v1/trends/tags", {"offset": 50}).json() == []


def test_limit_over_the_maximum_is_clamped(api, use, tag, settings):
    settings.TRENDS_LIMIT = 30
    for n in range(25):
        use(tag(f"tag{n}"), 3)
    services.compute_trends(now=NOW)
    assert len(api.get("/api/v1/trends/tags").json()) == 10
    assert len(api.get("/api/v1/trends/tags", {"limit": 1000}).json()) == 20


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, "limit: must be at least 1"),
        ({"limit": "-3"}, "limit: must be at least 1"),
        ({"limit": "ten"}, "limit: must be a whole number"),
        ({"offset": "-1"}, "offset: must be between 0 and 10000"),
        ({"offset": "1.5"}, "offset: must be a whole number"),
    ],
)
def test_bad_parameters_are_a_json_error(api, db, params, message):
    response = api.get("/api/v1/trends/tags", params)
    assert response.status_code == 422
    assert response.json()["error"] == message


def test_nothing_trending_is_an_empty_list(api, db):
    response = api.get("/api/v1/trends/tags")
    assert response.status_code == 200
    assert response.json() == []
    assert "Link" not in response
