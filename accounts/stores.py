"""The Redis client every app's stores and counters share (accounts is the
lowest layer), and the row caches built on it (accounts.cache, tweets.cache,
tweets.fragments).

A row cache keeps pickles under CACHE_KEY_PREFIX, read with one MGET and
written with one pipeline. Django's cache API would do the same, but it
checks every key character by character: for a page's 20 keys that cost
five times the round trip. Writers forget what they change at once and
again after their transaction commits, so a reader that loaded the old
row in between can't keep it; a cache that fails is a miss.
"""

import contextlib
import hashlib
import logging
import pickle
from collections.abc import Iterable
from functools import cache, partial

import django
import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Model

logger = logging.getLogger(__name__)


@cache
def _client(url: str, timeout: float, connect_timeout: float) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=connect_timeout)


def redis_client(*, timeout: float = 2, connect_timeout: float = 2) -> redis.Redis:
    """A client of REDIS_URL, one per URL and timeouts (tests switch the URL);
    each keeps its own connection pool."""
    return _client(settings.REDIS_URL, timeout, connect_timeout)


def version_of(*models: type[Model], layout: int = 0) -> int:
    """A cache version that changes when any of these models gains, loses
    or renames a column, or Django changes, or the caller's `layout` (what
    else an entry carries) does: entries of the old shape are then never
    read back, by a deploy or by an older version running beside it."""
    shape = ";".join(
        f"{model._meta.label}:{','.join(field.attname for field in model._meta.concrete_fields)}"
        for model in models
    )
    digest = hashlib.blake2b(f"{django.__version__};{shape};{layout}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def _key(prefix: str, version: int, pk) -> str:
    return f"{settings.CACHE_KEY_PREFIX}:{prefix}:{version}:{pk}"


def cached(prefix: str, ids: Iterable, *, version: int) -> tuple[dict, list]:
    """({id: object} the cache holds under `prefix`, [the ids it doesn't]).
    None among `ids` is left out (an empty relation); a cache that fails
    holds nothing."""
    return cached_together({prefix: (ids, version)})[prefix]


def cached_together(wanted: dict[str, tuple[Iterable, int]]) -> dict[str, tuple[dict, list]]:
    """`cached` of several prefixes in one MGET: {prefix: (ids, version)} ->
    {prefix: (found, missing)}."""
    keys, slots = [], []
    for prefix, (ids, version) in wanted.items():
        for pk in dict.fromkeys(ids):
            if pk is not None:
                keys.append(_key(prefix, version, pk))
                slots.append((prefix, pk))
    results: dict[str, tuple[dict, list]] = {prefix: ({}, []) for prefix in wanted}
    if not keys:
        return results
    try:
        values = redis_client().mget(keys)
    except redis.RedisError:
        logger.warning("Cache unavailable; %s rows read from PostgreSQL", ", ".join(wanted))
        values = [None] * len(keys)
    for (prefix, pk), value in zip(slots, values, strict=True):
        found, missing = results[prefix]
        if value:
            # Only this module writes these keys: the pickles are our own.
            found[pk] = _stamped(pickle.loads(value), value)  # noqa: S301
        else:
            missing.append(pk)
    return results


# A row read from or written to a row cache carries a digest of its pickle:
# two rows with the same stamp hold the same values, so what is computed
# from a row (a Status's JSON) can be kept by the stamps of the rows it was
# computed from, with nothing to forget.
_STAMP = "_cache_stamp"


def _stamped(obj, pickled: bytes):
    if isinstance(obj, Model):
        setattr(obj, _STAMP, hashlib.blake2b(pickled, digest_size=16).digest())
    return obj


def unstamp(obj: Model) -> None:
    """A row saved has changed: what was kept by its old stamp is not its own."""
    obj.__dict__.pop(_STAMP, None)


def stamp(obj: Model | None) -> bytes | None:
    """The digest of the cached pickle `obj` came from (or was stored as);
    None for a row that didn't pass through a row cache."""
    return getattr(obj, _STAMP, None)


def store(prefix: str, objects: dict, *, version: int, timeout: int) -> None:
    if not objects:
        return
    pipe = redis_client().pipeline(transaction=False)
    for pk, obj in objects.items():
        pickled = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        pipe.set(_key(prefix, version, pk), pickled, ex=timeout)
        _stamped(obj, pickled)
    # Served from PostgreSQL this time if the cache fails; the next read tries again.
    with contextlib.suppress(redis.RedisError):
        pipe.execute()


def forget_now(keys: list[str]) -> None:
    try:
        redis_client().delete(*keys)
    except redis.RedisError:
        # The entries age out (their timeout); readers meanwhile may see the
        # old row, as they would through any stale replica.
        logger.warning("Cache unavailable; could not forget %s", keys)


def forget_cached(prefix: str, ids: Iterable, *, version: int) -> None:
    """Drop `ids` from the cache now and, inside a transaction, again after it commits."""
    keys = [_key(prefix, version, pk) for pk in set(ids) if pk is not None]
    if not keys:
        return
    forget_now(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(forget_now, keys))


class Memo:
    """A worker process's bounded dict: past `size` entries, the oldest
    goes. For what may be kept without forgetting: values computed from
    stamped rows (keyed by their stamps), facts that never change."""

    def __init__(self, size: int):
        self.size = size
        self.entries: dict = {}

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, value) -> None:
        if len(self.entries) >= self.size:
            # Another thread of an ASGI worker may change the dict between
            # iter() and next(); an entry too many for a moment is harmless.
            with contextlib.suppress(StopIteration, RuntimeError, KeyError):
                del self.entries[next(iter(self.entries))]
        self.entries[key] = value
