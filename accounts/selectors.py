"""Reads of accounts and the social graph, with visibility rules in one place."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Block, Follow, FollowRequest, Mute, User


def is_blocked_between(a: User, b: User) -> bool:
    """True when either user blocks the other."""
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def blocked_either_way_ids(viewer: User) -> QuerySet:
    """Subquery of the ids of users who block `viewer` or whom `viewer` blocks."""
    return User.objects.filter(Q(blocks_received__blocker=viewer) | Q(blocks_made__blocked=viewer)).values(
        "pk"
    )


def muted_ids(viewer: User) -> QuerySet:
    return Mute.objects.filter(muter=viewer).values("muted_id")


def following_ids(viewer: User) -> QuerySet:
    return Follow.objects.filter(follower=viewer).values("followee_id")


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
        )
        .values_list(
            "pk", "r_following", "r_followed_by", "r_requested", "r_blocking", "r_blocked_by", "r_muting"
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
