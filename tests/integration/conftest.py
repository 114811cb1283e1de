"""The integration tests run real servers and workers (tests/servers.py)."""

import pytest


@pytest.fixture(autouse=True)
def _eager_celery():
    """Overrides the root fixture: here tasks go through the broker to a worker."""
    from twitter.celery import app

    app.conf.task_always_eager = False
