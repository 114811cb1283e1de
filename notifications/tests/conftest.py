"""Fixtures for the notifications tests."""

import pytest


@pytest.fixture
def events(django_capture_on_commit_callbacks):
    """`with events():` runs the block's on-commit callbacks (the domain
    events, then their Celery tasks, eagerly) at its end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def pat(make_user):
    """A protected account."""
    return make_user("pat", display_name="Pat", is_protected=True)


@pytest.fixture
def as_(api, token_for):
    """as_(user, "read write") -> the API client with a token of that user."""

    def make(user, scopes="read write follow push"):
        return api.as_(token_for(user, scopes))

    return make
