"""Fixtures and checks for the accounts API tests."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest


@pytest.fixture
def as_(api, token_for):
    """as_(user, "read write follow") -> the API client with a token of that user."""

    def make(user, scopes="read write follow"):
        return api.as_(token_for(user, scopes))

    return make


def error_of(response, status: int) -> str:
    """The `error` of a Mastodon error response, after checking its status and shape."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str)
    assert body["error"]
    return body["error"]


def link(response, rel: str) -> tuple[str, dict] | None:
    """The path and query of the `Link` header's `rel` ("next" / "prev"), None when absent."""
    for url, found in re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", "")):
        if found == rel:
            parts = urlsplit(url)
            return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}
    return None
