"""Reads of accounts and the social graph, with visibility rules in one place."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Block, Follow, FollowRequest, Mute, User


def is_blocked_between(a: User, b: User) -> bool:
    """True when either user blocks the other."""
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


@dataclass(frozen=True)
class Audience:
    """What decides what a viewer may see: the ids of the accounts they
    follow, block or are blocked by, and mute. Anonymous: viewer_id None."""

    viewer_id: int | None = None
    following: frozenset[int] = frozenset()
    blocked: frozenset[int] = frozenset()
    muted: frozenset[int] = frozenset()


ANONYMOUS = Audience()


def audience_of(viewer: User | None) -> Audience:
    """The viewer's Audience, in one query (none for anonymous).

    Visibility filters use these ids as literal lists: a plan over a few
    indexed lookups instead of the same subqueries repeated per column.
    """
    if viewer is None or not viewer.is_authenticated:
        return ANONYMOUS
    tables = {model: model._meta.db_table for model in (Follow, Block, Mute)}
    sql = f"""
        SELECT 'f', followee_id FROM {tables[Follow]} WHERE follower_id = %(id)s
        UNION ALL SELECT 'b', blocked_id FROM {tables[Block]} WHERE blocker_id = %(id)s
        UNION ALL SELECT 'b', blocker_id FROM {tables[Block]} WHERE blocked_id = %(id)s
        UNION ALL SELECT 'm', muted_id FROM {tables[Mute]} WHERE muter_id = %(id)s
    """  # noqa: S608 - table names come from the models, the id is a parameter
    kinds: dict[str, set[int]] = {"f": set(), "b": set(), "m": set()}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"id": viewer.pk})
        for kind, user_id in cursor.fetchall():
            kinds[kind].add(user_id)
    return Audience(
        viewer_id=viewer.pk,
        following=frozenset(kinds["f"]),
        blocked=frozenset(kinds["b"]),
        muted=frozenset(kinds["m"]),
    )


def can_see_tweets_of(viewer: User | None, author: User) -> bool:
    """Whether `viewer` (None: anonymous) may read `author`'s tweets at all."""
    if not author.is_active:
        return False
    if viewer is None or not viewer.is_authenticated:
        return not author.is_protected
    if viewer.pk == author.pk:
        return True
    if is_blocked_between(viewer, author):
        return False
    return not author.is_protected or Follow.objects.filter(follower=viewer, followee=author).exists()


def active_users() -> QuerySet:
    """Users whose accounts are not suspended."""
    return User.objects.filter(is_active=True)


def get_active_user(username: str) -> User | None:
    return active_users().filter(username__iexact=username).first()


@dataclass(frozen=True)
class Relationship:
    following: bool = False
    followed_by: bool = False
    requested: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    requested_by: bool = False
    is_self: bool = False


def relationship(viewer: User | None, target: User) -> Relationship:
    """How `viewer` relates to `target`, in one query."""
    if viewer is None or not viewer.is_authenticated:
        return Relationship()
    if viewer.pk == target.pk:
        return Relationship(is_self=True)
    return relationships(viewer, [target])[target.pk]


def relationships(viewer: User, targets) -> dict[int, Relationship]:
    """Relationships of `viewer` to many users, in one query."""
    ids = [t.pk for t in targets]
    rows = (
        User.objects.filter(pk__in=ids)
        .annotate(
            r_following=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("pk"))),
            r_followed_by=Exists(Follow.objects.filter(follower=OuterRef("pk"), followee=viewer)),
            r_requested=Exists(FollowRequest.objects.filter(requester=viewer, target=OuterRef("pk"))),
            r_blocking=Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))),
            r_blocked_by=Exists(Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer)),
            r_muting=Exists(Mute.objects.filter(muter=viewer, muted=OuterRef("pk"))),
            r_requested_by=Exists(FollowRequest.objects.filter(requester=OuterRef("pk"), target=viewer)),
        )
        .values_list(
            "pk",
            "r_following",
            "r_followed_by",
            "r_requested",
            "r_blocking",
            "r_blocked_by",
            "r_muting",
            "r_requested_by",
        )
    )
    result = {pk: Relationship(*flags) for pk, *flags in rows}
    if viewer.pk in result:
        result[viewer.pk] = Relationship(is_self=True)
    return result


def followers(user: User) -> QuerySet:
    """Active accounts following `user`, most recent first."""
    return active_users().filter(following_set__followee=user).order_by("-following_set__created_at", "-pk")


def following(user: User) -> QuerySet:
    """Active accounts `user` follows, most recent first."""
    return active_users().filter(follower_set__follower=user).order_by("-follower_set__created_at", "-pk")


def pending_follow_requests(user: User) -> QuerySet:
    """Requests waiting for `user`'s answer, from active accounts, oldest first."""
    return (
        FollowRequest.objects.filter(target=user, requester__is_active=True)
        .select_related("requester")
        .order_by("created_at", "pk")
    )


def blocked_users(user: User) -> QuerySet:
    return User.objects.filter(blocks_received__blocker=user).order_by("-blocks_received__created_at")


def muted_users(user: User) -> QuerySet:
    return User.objects.filter(mutes_received__muter=user).order_by("-mutes_received__created_at")
