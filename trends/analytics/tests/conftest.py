"""Fixtures for the analytics tests."""

import pytest

from trends.analytics import counters, services


@pytest.fixture
def today():
    return counters.today()


@pytest.fixture
def roll_up(today):
    """roll_up() rolls today up; roll_up(day) that day."""

    def run(day=None):
        return services.roll_up(day or today)

    return run


@pytest.fixture
def as_(api, token_for):
    """as_(user) -> the API client with a token of that user."""

    def make(user, scopes="read write follow"):
        return api.as_(token_for(user, scopes))

    return make


@pytest.fixture
def impressions(today):
    """impressions() -> {tweet id: count} counted in Redis today."""

    def read():
        return dict(counters.impressions_on(today))

    return read


@pytest.fixture
def visits(today):
    """visits() -> {user id: count} counted in Redis today."""

    def read():
        return dict(counters.visits_on(today))

    return read
