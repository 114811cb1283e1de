"""Every write a person can make to accounts and the social graph.

Each function is one transaction. Bad input raises ValidationError (shown
as a form message or a 422), a forbidden action raises PermissionDenied.
Domain events (accounts.signals) are sent only after commit.
"""

from functools import partial

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import cache, roles, signals
from .models import Block, Follow, FollowRequest, Mute, User
from .selectors import is_blocked_between
from .validators import validate_avatar, validate_header


def _send_on_commit(signal, **kwargs) -> None:
    transaction.on_commit(partial(signal.send, sender=User, **kwargs))


def _adjust_follow_counts(follower_id: int, followee_id: int, delta: int) -> None:
    User.objects.filter(pk=follower_id).update(following_count=F("following_count") + delta)
    User.objects.filter(pk=followee_id).update(followers_count=F("followers_count") + delta)
    cache.forget(follower_id, followee_id)


def _create_follow(follower: User, followee: User, *, approved: bool = False) -> Follow:
    follow = Follow.objects.create(follower=follower, followee=followee)
    _adjust_follow_counts(follower.pk, followee.pk, +1)
    _send_on_commit(
        signals.user_followed, follower_id=follower.pk, followee_id=followee.pk, approved=approved
    )
    return follow


def _delete_follow(follower_id: int, followee_id: int) -> bool:
    deleted, _ = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).delete()
    if deleted:
        _adjust_follow_counts(follower_id, followee_id, -1)
        _send_on_commit(signals.user_unfollowed, follower_id=follower_id, followee_id=followee_id)
    return bool(deleted)


@transaction.atomic
def follow(actor: User, target: User) -> str:
    """Follow `target`, or ask to when the account is protected.

    Returns "following" or "requested". Raises ValidationError for oneself,
    a suspended account or a repeat, PermissionDenied across a block.
    """
    if actor.pk == target.pk:
        raise ValidationError("You can't follow yourself.", code="follow_self")
    if target.is_suspended:
        raise ValidationError("This account is suspended.", code="suspended")
    if is_blocked_between(actor, target):
        raise PermissionDenied("You can't follow this account.")
    if Follow.objects.filter(follower=actor, followee=target).exists():
        raise ValidationError(f"You already follow @{target.username}.", code="already_following")
    try:
        with transaction.atomic():
            if target.is_protected:
                FollowRequest.objects.create(requester=actor, target=target)
                _send_on_commit(signals.follow_requested, requester_id=actor.pk, target_id=target.pk)
                return "requested"
            _create_follow(actor, target)
            return "following"
    except IntegrityError as exc:
        # A concurrent click won the race: the same row already exists.
        raise ValidationError(
            f"You already asked to follow @{target.username}."
            if target.is_protected
            else f"You already follow @{target.username}.",
            code="already_following",
        ) from exc


@transaction.atomic
def unfollow(actor: User, target: User) -> bool:
    """Stop following `target` (or withdraw a pending request). Idempotent."""
    withdrawn = cancel_follow_request(actor, target)
    return _delete_follow(actor.pk, target.pk) or withdrawn


@transaction.atomic
def cancel_follow_request(actor: User, target: User) -> bool:
    deleted, _ = FollowRequest.objects.filter(requester=actor, target=target).delete()
    if deleted:
        _send_on_commit(signals.follow_request_closed, requester_id=actor.pk, target_id=target.pk)
    return bool(deleted)


@transaction.atomic
def approve_follow_request(actor: User, requester: User) -> Follow:
    """The protected account `actor` lets `requester` follow it."""
    request = FollowRequest.objects.select_for_update().filter(requester=requester, target=actor).first()
    if request is None:
        raise ValidationError("There is no such follow request.", code="no_request")
    request.delete()
    follow = _create_follow(requester, actor, approved=True)
    _send_on_commit(signals.follow_request_accepted, requester_id=requester.pk, target_id=actor.pk)
    return follow


@transaction.atomic
def reject_follow_request(actor: User, requester: User) -> None:
    deleted, _ = FollowRequest.objects.filter(requester=requester, target=actor).delete()
    if not deleted:
        raise ValidationError("There is no such follow request.", code="no_request")
    _send_on_commit(signals.follow_request_closed, requester_id=requester.pk, target_id=actor.pk)


@transaction.atomic
def remove_follower(actor: User, follower: User) -> bool:
    """Make `follower` stop following `actor` (a soft block)."""
    return _delete_follow(follower.pk, actor.pk)


@transaction.atomic
def block(actor: User, target: User) -> Block:
    """Block `target`: follows and requests both ways end. Idempotent."""
    if actor.pk == target.pk:
        raise ValidationError("You can't block yourself.", code="block_self")
    block_row, created = Block.objects.get_or_create(blocker=actor, blocked=target)
    if created:
        _delete_follow(actor.pk, target.pk)
        _delete_follow(target.pk, actor.pk)
        FollowRequest.objects.filter(
            Q(requester=actor, target=target) | Q(requester=target, target=actor)
        ).delete()
        _send_on_commit(signals.user_blocked, blocker_id=actor.pk, blocked_id=target.pk)
    return block_row


@transaction.atomic
def unblock(actor: User, target: User) -> bool:
    deleted, _ = Block.objects.filter(blocker=actor, blocked=target).delete()
    return bool(deleted)


@transaction.atomic
def mute(actor: User, target: User) -> Mute:
    """Hide `target`'s tweets from `actor`'s timelines. Idempotent."""
    if actor.pk == target.pk:
        raise ValidationError("You can't mute yourself.", code="mute_self")
    mute_row, created = Mute.objects.get_or_create(muter=actor, muted=target)
    if created:
        _send_on_commit(signals.user_muted, muter_id=actor.pk, muted_id=target.pk)
    return mute_row


@transaction.atomic
def unmute(actor: User, target: User) -> bool:
    deleted, _ = Mute.objects.filter(muter=actor, muted=target).delete()
    if deleted:
        _send_on_commit(signals.user_unmuted, muter_id=actor.pk, muted_id=target.pk)
    return bool(deleted)


PROFILE_FIELDS = ("display_name", "bio", "location", "website", "is_protected")


@transaction.atomic
def update_profile(user: User, *, avatar=None, header=None, **fields) -> User:
    """Change profile fields and images of `user` (the caller checks it is theirs).

    Making a protected account public approves its pending follow requests,
    as Twitter does. Returns the saved user, counts included. Raises
    ValidationError for a bad value or image (and then changes nothing).
    """
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    user = User.objects.select_for_update().get(pk=user.pk)
    was_protected = user.is_protected
    for name, value in fields.items():
        setattr(user, name, value)
    if avatar is not None:
        validate_avatar(avatar)
        user.avatar = avatar
    if header is not None:
        validate_header(header)
        user.header = header
    user.full_clean(exclude=["password", "username", "email"])
    user.save()
    if was_protected and not user.is_protected:
        requests = FollowRequest.objects.filter(target=user).select_related("requester")
        for request in requests:
            approve_follow_request(user, request.requester)
        if requests:
            user.refresh_from_db(fields=["followers_count"])  # counted in SQL by the approvals
    return user


PROFILE_IMAGES = ("avatar", "header")


@transaction.atomic
def remove_profile_image(user: User, which: str) -> User:
    """Go back to the default avatar or header; the file is deleted after commit.

    Raises ValidationError for anything but "avatar" or "header".
    """
    if which not in PROFILE_IMAGES:
        raise ValidationError(f"Unknown profile image {which!r}.", code="image")
    user = User.objects.select_for_update().get(pk=user.pk)
    image = getattr(user, which)
    if image:
        name, storage = image.name, image.storage
        setattr(user, which, "")
        user.save(update_fields=[which])
        transaction.on_commit(partial(storage.delete, name))
    return user


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied("You don't have permission to do that.")


def _check_moderation(moderator: User, user: User) -> User:
    _require(moderator, "accounts.suspend_user")
    if user.pk == moderator.pk:
        raise ValidationError("You can't suspend or unsuspend yourself.", code="suspend_self")
    if (user.is_staff or user.is_superuser) and not moderator.is_superuser:
        raise PermissionDenied("Only an administrator can suspend or unsuspend staff.")
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def suspend(moderator: User, user: User, reason: str = "") -> User:
    """Suspend `user`: they can't log in and their content disappears.

    Needs accounts.suspend_user; staff only by a superuser. Suspending a
    suspended account changes nothing and sends no event.
    """
    user = _check_moderation(moderator, user)
    if user.is_suspended:
        return user
    user.is_active = False
    user.suspended_at = timezone.now()
    user.suspension_reason = reason[:500]
    user.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    _send_on_commit(signals.user_suspended, user_id=user.pk, moderator_id=moderator.pk)
    return user


@transaction.atomic
def unsuspend(moderator: User, user: User) -> User:
    """Lift a suspension; same permissions as `suspend`, and as idempotent."""
    user = _check_moderation(moderator, user)
    if not user.is_suspended:
        return user
    user.is_active = True
    user.suspended_at = None
    user.suspension_reason = ""
    user.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    _send_on_commit(signals.user_unsuspended, user_id=user.pk, moderator_id=moderator.pk)
    return user


@transaction.atomic
def set_role(actor: User, user: User, role: str) -> None:
    """Make `user` a plain user, a moderator or an administrator (superusers only)."""
    if not actor.is_superuser:
        raise PermissionDenied("Only a superuser can change roles.")
    if role not in roles.ROLES:
        raise ValidationError(f"Unknown role {role!r}.", code="unknown_role")
    role_groups = Group.objects.filter(name__in=roles.GROUP_NAMES.values())
    user.groups.remove(*role_groups)
    if role != roles.USER:
        user.groups.add(Group.objects.get(name=roles.GROUP_NAMES[role]))
    user.is_staff = role != roles.USER or user.is_superuser
    user.save(update_fields=["is_staff"])
