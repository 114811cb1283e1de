"""The Redis client every app's stores and counters share (accounts is the lowest layer)."""

from functools import cache

import redis
from django.conf import settings


@cache
def _client(url: str, timeout: float, connect_timeout: float) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=connect_timeout)


def redis_client(*, timeout: float = 2, connect_timeout: float = 2) -> redis.Redis:
    """A client of REDIS_URL, one per URL and timeouts (tests switch the URL);
    each keeps its own connection pool."""
    return _client(settings.REDIS_URL, timeout, connect_timeout)
