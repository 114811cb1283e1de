"""Fixtures shared by every app's tests: users, tweets and a clean Redis.

The tests run against real PostgreSQL (pytest-django's test database) and
the real Redis at REDIS_URL; Celery tasks run eagerly here and in a real
worker in the integration tests (tests/integration).
"""

import itertools

import pytest
import redis
from django.conf import settings
from django.dispatch import Signal
from redis.backoff import NoBackoff
from redis.retry import Retry

from twitter.celery import app as celery_app

# Real servers and workers for the integration and browser tests.
pytest_plugins = ["tests.servers"]

_counter = itertools.count()


@pytest.fixture(autouse=True)
def _clean_redis():
    """Each test starts with an empty Redis database (cache, sessions, timelines)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture
def broken_cache(monkeypatch):
    """Every read and write of the row caches (accounts.stores) fails as it
    does when Redis is down; the rest of Redis (sessions, timelines) works."""
    from accounts import stores

    refusing = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    monkeypatch.setattr(stores, "redis_client", lambda **options: refusing)


@pytest.fixture(autouse=True)
def _impressions_at_once(settings):
    """Pages write their impressions as they are served, so that a test
    reads what its own pages counted and nothing arrives late in the next
    (trends/analytics/tests/test_counters.py tests the worker's batching)."""
    settings.IMPRESSIONS_FLUSH_SECONDS = 0


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Pages render without a prior collectstatic (the manifest is a deploy step)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs seconds per test and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _postgres_search(settings):
    """Search uses PostgreSQL unless a test asks for Elasticsearch
    (search/tests/conftest.py), whatever ELASTICSEARCH_URL says."""
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture(autouse=True)
def _eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def events(django_capture_on_commit_callbacks):
    """`with events():` runs the block's on-commit callbacks (the domain
    events, then their Celery tasks, eagerly) at its end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def record_events():
    """record_events(signals_module): a list that fills with (name, kwargs)
    for every domain event of that module sent during the test."""
    connected = []

    def record(module):
        log = []
        for name, signal in vars(module).items():
            if isinstance(signal, Signal):

                def receiver(sender, name=name, **kwargs):
                    kwargs.pop("signal", None)
                    log.append((name, kwargs))

                uid = f"test-{module.__name__}-{name}"
                signal.connect(receiver, weak=False, dispatch_uid=uid)
                connected.append((signal, uid))
        return log

    yield record
    for signal, uid in connected:
        signal.disconnect(dispatch_uid=uid)


@pytest.fixture
def make_user(db, django_user_model):
    """Make a user: make_user("ann", is_protected=True). Password is 'pw-<username>-123'."""

    def make(username=None, **fields):
        username = username or f"user{next(_counter)}"
        fields.setdefault("email", f"{username}@example.com")
        return django_user_model.objects.create_user(
            username=username, password=f"pw-{username}-123", **fields
        )

    return make


@pytest.fixture
def ann(make_user):
    return make_user("ann", display_name="Ann")


@pytest.fixture
def bob(make_user):
    return make_user("bob", display_name="Bob")


@pytest.fixture
def carol(make_user):
    return make_user("carol", display_name="Carol")


@pytest.fixture
def moderator(make_user):
    from accounts import roles
    from accounts.services import set_role

    user = make_user("mod")
    root = make_user("root", is_superuser=True, is_staff=True)
    set_role(root, user, roles.MODERATOR)
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def post(db):
    """Post a tweet through the service: post(author, "text", **options)."""
    from tweets.services import post_tweet

    def make(author, text="hello world", **options):
        return post_tweet(author, text, **options)

    return make


@pytest.fixture
def token_for(db):
    """token_for(user, "read write") -> a bearer token string of a registered app.

    user None gives an app-only token (the client_credentials grant's kind).
    """
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from accounts.applications import register_application

    app, _ = register_application(
        name="Test app", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write follow push profile"
    )

    def make(user, scopes="read write follow"):
        token = AccessToken.objects.create(
            user=user,
            application=app,
            token=f"test-token-{next(_counter)}",
            scope=scopes,
            expires=timezone.now() + timedelta(days=1),
        )
        return token.token

    return make


@pytest.fixture
def api(client, settings):
    """A Mastodon API client over Django's test client; every JSON response
    is validated against Mastodon's OpenAPI description.

    api.as_(token).get("/api/v1/timelines/home", {"limit": 5})
    """
    from api.testing import MastodonClient

    # Tests that are not about rate limits must not run into them.
    settings.API_RATE_LIMITS_ENABLED = False
    return MastodonClient(client)
