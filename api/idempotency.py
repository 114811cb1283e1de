"""Mastodon's Idempotency-Key: a client that retries a request (a post, a
direct message) gets what the first request made, not a second one.

The key is claimed with an atomic cache add before the work, so two
concurrent requests cannot both do it; the second waits briefly for the
first and is refused if it is still running. A failed attempt frees the
key for another try; what was made is remembered for an hour.
"""

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import ValidationError

SECONDS = 3600
WAIT_SECONDS = 2.0
WAIT_STEPS = 20
_PENDING = "pending"

Made = TypeVar("Made")


def cache_key(kind: str, user_id: int, key: str) -> str:
    """Where `once` keeps the id of what `user_id`'s `key` made, for a `kind` of request."""
    return f"{kind}:idempotency:{user_id}:{hashlib.sha256(key.encode()).hexdigest()}"


def once(
    kind: str,
    user_id: int,
    key: str,
    *,
    make: Callable[[], Made],
    find: Callable[[int], Made | None],
) -> Made:
    """`make()`, at most once per (kind, user, key) for an hour.

    `make` returns something with a `pk`; a repeat gets `find(pk)`, or makes
    it again when `find` says it is gone (deleted since). Raises
    ValidationError (code "in_progress") when another request holds the key
    past the wait, and whatever `make` raises.
    """
    claim = cache_key(kind, user_id, key)
    for _ in range(WAIT_STEPS):
        if cache.add(claim, _PENDING, SECONDS):
            break
        stored = cache.get(claim)
        if stored not in (None, _PENDING):
            earlier = find(stored)
            if earlier is not None:
                return earlier
            cache.delete(claim)  # gone since: the key is free again
        elif stored == _PENDING:
            time.sleep(WAIT_SECONDS / WAIT_STEPS)
    else:
        raise ValidationError("A request with this Idempotency-Key is in progress.", code="in_progress")
    try:
        made = make()
    except BaseException:
        cache.delete(claim)
        raise
    cache.set(claim, made.pk, SECONDS)
    return made
