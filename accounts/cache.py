"""Loaded accounts kept in the cache (Redis), by id: the authors of every
tweet a page shows, without a query per page.

The entries are pickles under CACHE_KEY_PREFIX in the shared Redis
(accounts.stores), read with one MGET: Django's cache API checks every key
character by character and cost five times the round trip for 20 keys.

Entries are model instances as loaded (the password hash left out), under
a version that changes with the model's fields, so a deploy that adds a
column never unpickles old rows. Every write to a user row forgets its
entry: saves through the signals below, the counters through `forget`
where they are bumped. Forgetting happens at once and again after the
transaction commits, so a reader that loaded the old row in between can't
keep it; ACCOUNT_CACHE_SECONDS bounds any staleness a missed path leaves.
A cache that fails is a miss: the rows come from PostgreSQL.
"""

import contextlib
import hashlib
import logging
import pickle
from collections.abc import Iterable
from functools import partial

import django
import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from oauth2_provider.models import get_access_token_model

from .models import User
from .stores import redis_client

logger = logging.getLogger(__name__)


def version_of(*models: type[Model]) -> int:
    """A cache version that changes when any of these models gains, loses
    or renames a column, or Django changes: pickles of the old shape are
    then never read back."""
    shape = ";".join(
        f"{model._meta.label}:{','.join(field.attname for field in model._meta.concrete_fields)}"
        for model in models
    )
    digest = hashlib.blake2b(f"{django.__version__};{shape}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


VERSION = version_of(User)


def _key(prefix: str, version: int, pk) -> str:
    return f"{settings.CACHE_KEY_PREFIX}:{prefix}:{version}:{pk}"


def cached(prefix: str, ids: Iterable, *, version: int) -> tuple[dict, list]:
    """({id: object} the cache holds under `prefix`, [the ids it doesn't]).
    None among `ids` is left out (an empty relation); a cache that fails
    holds nothing."""
    ids = [pk for pk in dict.fromkeys(ids) if pk is not None]
    if not ids:
        return {}, []
    try:
        values = redis_client().mget([_key(prefix, version, pk) for pk in ids])
    except redis.RedisError:
        logger.warning("Cache unavailable; %s rows read from PostgreSQL", prefix)
        return {}, ids
    # Only this module writes these keys: the pickles are our own.
    found = {pk: pickle.loads(value) for pk, value in zip(ids, values, strict=True) if value}  # noqa: S301
    return found, [pk for pk in ids if pk not in found]


def store(prefix: str, objects: dict, *, version: int, timeout: int) -> None:
    if not objects:
        return
    pipe = redis_client().pipeline(transaction=False)
    for pk, obj in objects.items():
        pipe.set(_key(prefix, version, pk), pickle.dumps(obj, pickle.HIGHEST_PROTOCOL), ex=timeout)
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


def _load(ids: list[int]) -> dict[int, User]:
    return {user.pk: user for user in User.objects.filter(id__any=ids).defer("password")}


def users(ids: Iterable[int]) -> dict[int, User]:
    """Active and suspended accounts by id, as loaded from PostgreSQL."""
    found, missing = cached("user", ids, version=VERSION)
    if missing:
        loaded = _load(missing)
        store("user", loaded, version=VERSION, timeout=settings.ACCOUNT_CACHE_SECONDS)
        found.update(loaded)
    return found


def forget(*user_ids: int) -> None:
    """Call after changing a user row other than by `save()` (an UPDATE of counters)."""
    forget_cached("user", user_ids, version=VERSION)


def _forget_saved(sender, instance, **kwargs):
    forget(instance.pk)


post_save.connect(_forget_saved, sender=User, dispatch_uid="accounts.cache.saved")
post_delete.connect(_forget_saved, sender=User, dispatch_uid="accounts.cache.deleted")


# --- API access tokens --------------------------------------------------------
#
# Every API request looks its bearer token up (django-oauth-toolkit, by the
# token's SHA-256); the row comes from here, with its application, and the
# user from the accounts above. Expiry is checked on each use; a revoked
# token is deleted, which forgets it. A changed application (its name,
# its redirect URIs) matters to no token check and is not forgotten.

AccessToken = get_access_token_model()
TOKEN_VERSION = version_of(AccessToken, User)


def access_token(checksum: str):
    """The AccessToken whose token has this SHA-256 hex digest, with its
    application and user loaded, or None."""
    found, missing = cached("token", [checksum], version=TOKEN_VERSION)
    if missing:
        row = AccessToken.objects.select_related("application").filter(token_checksum=checksum).first()
        if row is None:
            return None  # not cached: a guessed token must not fill the cache
        store("token", {checksum: row}, version=TOKEN_VERSION, timeout=settings.ACCOUNT_CACHE_SECONDS)
        found[checksum] = row
    token = found[checksum]
    if token.user_id is not None:
        user = users([token.user_id]).get(token.user_id)
        if user is None:
            return None
        AccessToken._meta.get_field("user").set_cached_value(token, user)
    return token


def _forget_token(sender, instance, **kwargs):
    forget_cached("token", [instance.token_checksum], version=TOKEN_VERSION)


post_save.connect(_forget_token, sender=AccessToken, dispatch_uid="accounts.cache.token_saved")
post_delete.connect(_forget_token, sender=AccessToken, dispatch_uid="accounts.cache.token_deleted")
