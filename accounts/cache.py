"""Loaded accounts kept in the cache (Redis), by id: the authors of every
tweet a page shows, without a query per page; and each viewer's audience
(accounts.selectors.audience_of), which every signed-in read starts with.

Entries are model instances as loaded (the password hash left out, the
session check's digest of it kept: `session_auth_hash`), under a version
that changes with the model's fields, so a deploy that adds a column never
unpickles old rows. Every write to a user row forgets its
entry: saves through the signals below, the counters through `forget`
where they are bumped. Forgetting happens at once and again after the
transaction commits, so a reader that loaded the old row in between can't
keep it; ACCOUNT_CACHE_SECONDS bounds any staleness a missed path leaves.
A cache that fails is a miss: the rows come from PostgreSQL.
"""

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from oauth2_provider.models import get_access_token_model

from .models import Block, Follow, Mute, User
from .stores import Memo, cached, cached_together, forget_cached, store, unstamp, version_of

VERSION = version_of(User, layout=1)  # 1: with the session digest
PREFIX = "user"  # the accounts' keys, for readers that batch them (stores.cached_together)


# What a cached row knows of its password: the digest a signed-in session
# holds (Django's get_session_auth_hash, an HMAC of the hash under
# SECRET_KEY), so that accounts.middleware checks a session without the
# row's password hash, which stays out of the cache. Tagged with the key
# it was computed under: after a key rotation old entries don't match and
# the check goes to PostgreSQL, where the fallback keys are tried.
_SESSION_HASH = "_session_auth_hash"


def _secret_tag() -> bytes:
    return hashlib.blake2b(settings.SECRET_KEY.encode(), digest_size=8).digest()


def _load(ids: list[int]) -> dict[int, User]:
    loaded = {}
    for user in User.objects.filter(id__any=ids):
        setattr(user, _SESSION_HASH, (_secret_tag(), user.get_session_auth_hash()))
        del user.__dict__["password"]  # deferred: reading it loads it, as with .defer()
        loaded[user.pk] = user
    return loaded


def session_auth_hash(user: User) -> str | None:
    """The digest a session of `user` must hold, if a cached row knows it
    under the current SECRET_KEY; None when it must be computed instead."""
    if "password" in user.__dict__:
        return None  # loaded or set since (set_password): the cached digest may be old
    tag, digest = getattr(user, _SESSION_HASH, (None, None))
    return digest if tag == _secret_tag() else None


def users(ids: Iterable[int]) -> dict[int, User]:
    """Active and suspended accounts by id, as loaded from PostgreSQL."""
    found, missing = cached(PREFIX, ids, version=VERSION)
    if missing:
        loaded = _load(missing)
        store(PREFIX, loaded, version=VERSION, timeout=settings.ACCOUNT_CACHE_SECONDS)
        found.update(loaded)
    return found


def forget(*user_ids: int) -> None:
    """Call after changing a user row other than by `save()` (an UPDATE of counters)."""
    forget_cached(PREFIX, user_ids, version=VERSION)


def _forget_saved(sender, instance, **kwargs):
    unstamp(instance)
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


# A token's user never changes: once a worker has seen a token, it asks
# for the token's row and its user's in one MGET. The token's row (its
# expiry, whether it still exists) is read fresh every time.
_TOKEN_USERS = Memo(size=10_000)


def access_token(checksum: str):
    """The AccessToken whose token has this SHA-256 hex digest, with its
    application and user loaded, or None."""
    known_user = _TOKEN_USERS.get(checksum)
    batch = cached_together({"token": ([checksum], TOKEN_VERSION), PREFIX: ([known_user], VERSION)})
    found, missing = batch["token"]
    if missing:
        row = AccessToken.objects.select_related("application").filter(token_checksum=checksum).first()
        if row is None:
            return None  # not cached: a guessed token must not fill the cache
        store("token", {checksum: row}, version=TOKEN_VERSION, timeout=settings.ACCOUNT_CACHE_SECONDS)
        found[checksum] = row
    token = found[checksum]
    if token.user_id is not None:
        user = batch[PREFIX][0].get(token.user_id) or users([token.user_id]).get(token.user_id)
        if user is None:
            return None
        _TOKEN_USERS.put(checksum, token.user_id)
        AccessToken._meta.get_field("user").set_cached_value(token, user)
    return token


def _forget_token(sender, instance, **kwargs):
    forget_cached("token", [instance.token_checksum], version=TOKEN_VERSION)


post_save.connect(_forget_token, sender=AccessToken, dispatch_uid="accounts.cache.token_saved")
post_delete.connect(_forget_token, sender=AccessToken, dispatch_uid="accounts.cache.token_deleted")


# --- Audiences ----------------------------------------------------------------
#
# Who a viewer follows, blocks, is blocked by and mutes: asked by every
# signed-in read, changed by a few clicks. Every Follow, Block and Mute row
# saved or deleted forgets the audiences it is part of (a block both
# sides'), through the signals below; a queryset delete sends them too.

AUDIENCE_VERSION = version_of(Follow, Block, Mute)


def audience(viewer_id: int) -> dict | None:
    """The fields of the viewer's cached accounts.selectors.Audience, or None.

    Kept as a dict of its fields, not the object: a field added with a
    default then reads old entries.
    """
    found, _ = cached("audience", [viewer_id], version=AUDIENCE_VERSION)
    return found.get(viewer_id)


def keep_audience(audience) -> None:
    store(
        "audience",
        {audience.viewer_id: vars(audience)},
        version=AUDIENCE_VERSION,
        timeout=settings.ACCOUNT_CACHE_SECONDS,
    )


def forget_audiences(*user_ids: int) -> None:
    forget_cached("audience", user_ids, version=AUDIENCE_VERSION)


_SIDES = {Follow: ("follower_id",), Block: ("blocker_id", "blocked_id"), Mute: ("muter_id",)}


def _forget_edge(sender, instance, **kwargs):
    forget_audiences(*(getattr(instance, side) for side in _SIDES[sender]))


for _model in _SIDES:
    post_save.connect(_forget_edge, sender=_model, dispatch_uid=f"accounts.cache.{_model.__name__}_saved")
    post_delete.connect(_forget_edge, sender=_model, dispatch_uid=f"accounts.cache.{_model.__name__}_deleted")
