"""Fixtures of the tweets API tests."""

import pytest


@pytest.fixture
def as_user(api, token_for):
    """as_user(user, scopes="read write") -> an API client with that user's token."""

    def make(user, scopes="read write"):
        return api.as_(token_for(user, scopes))

    return make
