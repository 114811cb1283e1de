"""Every write to notifications: making them (from domain events, through
notifications.tasks), taking them back when their cause is undone, reading
them, and the recipient's preferences.

The rules for making one live in `notify` alone: never to oneself, never
from an account the recipient blocks, mutes or is blocked by, never from a
suspended account, never about a tweet the recipient cannot see, and only
from whom the recipient's preference for that kind allows.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.selectors import audience_of
from timelines.services import save_marker
from tweets.models import Tweet
from tweets.selectors import can_see

from .models import GROUPED_KINDS, OPTIONAL_KINDS, Kind, Notification, Preference


def _group_key(kind: str, tweet_id: int | None) -> str:
    if kind not in GROUPED_KINDS:
        return ""
    day = timezone.now().date().toordinal()
    return f"{kind}-{tweet_id or 0}-{day}"


def _wanted(recipient: User, actor: User, kind: str, following: frozenset[int]) -> bool:
    who = (
        Preference.objects.filter(user=recipient, kind=kind).values_list("who", flat=True).first()
        or Preference.Who.EVERYONE
    )
    if who == Preference.Who.OFF:
        return False
    return who == Preference.Who.EVERYONE or actor.pk in following


def notify(recipient_id: int, actor_id: int, kind: str, tweet_id: int | None = None) -> Notification | None:
    """Make the notification `actor` caused for `recipient`, if the rules allow.

    Returns it only when it is new: a second call for the same cause (a
    task run again) makes nothing and returns None.
    """
    if recipient_id == actor_id:
        return None
    users = User.objects.in_bulk([recipient_id, actor_id])
    recipient, actor = users.get(recipient_id), users.get(actor_id)
    if recipient is None or actor is None or not recipient.is_active or not actor.is_active:
        return None
    audience = audience_of(recipient)
    if actor.pk in audience.blocked or actor.pk in audience.muted:
        return None
    if not _wanted(recipient, actor, kind, audience.following):
        return None
    tweet = None
    if tweet_id is not None:
        tweet = Tweet.objects.select_related("author", "retweet_of__author").filter(pk=tweet_id).first()
        if tweet is None or not can_see(audience, tweet):
            return None
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient,
            actor=actor,
            kind=kind,
            tweet=tweet,
            defaults={"group_key": _group_key(kind, tweet_id)},
        )
    return notification if created else None


def notify_post(tweet_id: int) -> list[Notification]:
    """A new tweet's notifications: its reply, quote and mentions.

    Someone answered and mentioned gets one notification, the reply; quoted
    and mentioned, the quote.
    """
    tweet = Tweet.objects.select_related("quote_of").filter(pk=tweet_id, deleted_at__isnull=True).first()
    if tweet is None or tweet.retweet_of_id:
        return []  # retweets notify through tweet_retweeted
    reasons: dict[int, str] = {}
    for user_id in tweet.mentions.values_list("pk", flat=True):
        reasons[user_id] = Kind.MENTION
    if tweet.quote_of_id:
        reasons[tweet.quote_of.author_id] = Kind.QUOTE
    if tweet.in_reply_to_author_id:
        reasons[tweet.in_reply_to_author_id] = Kind.REPLY
    made = [notify(user_id, tweet.author_id, kind, tweet.pk) for user_id, kind in reasons.items()]
    return [notification for notification in made if notification]


def sync_mentions(tweet_id: int) -> list[Notification]:
    """After an edit: notify accounts newly mentioned, withdraw from those no longer."""
    tweet = Tweet.objects.filter(pk=tweet_id, deleted_at__isnull=True).first()
    if tweet is None:
        return []
    mentioned = set(tweet.mentions.values_list("pk", flat=True))
    Notification.objects.filter(tweet_id=tweet_id, kind=Kind.MENTION).exclude(
        recipient_id__in=mentioned
    ).delete()
    made = [notify(user_id, tweet.author_id, Kind.MENTION, tweet_id) for user_id in mentioned]
    return [notification for notification in made if notification]


def withdraw(kind: str, actor_id: int, recipient_id: int, tweet_id: int | None = None) -> None:
    """The cause was undone (an unlike, an unfollow): its notification goes."""
    Notification.objects.filter(
        kind=kind, actor_id=actor_id, recipient_id=recipient_id, tweet_id=tweet_id
    ).delete()


def withdraw_about(kind: str, actor_id: int, tweet_id: int) -> None:
    """`withdraw` where the recipient is whoever the tweet's notification went to."""
    Notification.objects.filter(kind=kind, actor_id=actor_id, tweet_id=tweet_id).delete()


def forget_tweet(tweet_id: int) -> None:
    """A deleted tweet takes every notification about it along."""
    Notification.objects.filter(tweet_id=tweet_id).delete()


def forget_between(a_id: int, b_id: int) -> None:
    """After a block: nothing either caused the other stays."""
    Notification.objects.filter(
        Q(recipient_id=a_id, actor_id=b_id) | Q(recipient_id=b_id, actor_id=a_id)
    ).delete()


def send_notice(moderator: User, recipient: User, text: str, *, tweet_id: int | None = None) -> Notification:
    """A message from the staff, which no preference turns off."""
    if not moderator.is_staff:
        raise PermissionDenied("Only staff can send notices.")
    text = text.strip()
    if not text:
        raise ValidationError("Write the notice.", code="blank")
    if len(text) > 1000:
        raise ValidationError("A notice is at most 1,000 characters.", code="too_long")
    return Notification.objects.create(recipient=recipient, kind=Kind.NOTICE, text=text, tweet_id=tweet_id)


def notice_removed_tweet(tweet_id: int) -> Notification | None:
    """Tell an author that a moderator removed their tweet."""
    tweet = Tweet.objects.select_related("author").filter(pk=tweet_id, removed_by__isnull=False).first()
    if tweet is None or not tweet.author.is_active:
        return None
    notice, created = Notification.objects.get_or_create(
        recipient=tweet.author,
        kind=Kind.NOTICE,
        tweet=tweet,
        defaults={"text": "A moderator removed your tweet because it broke the rules."},
    )
    return notice if created else None


def mark_read(user: User, up_to_id: int | None = None) -> None:
    """Mark the user's notifications read, up to `up_to_id` (default: all)."""
    if up_to_id is None:
        up_to_id = (
            Notification.objects.filter(recipient=user).order_by("-pk").values_list("pk", flat=True).first()
        )
        if up_to_id is None:
            return
    save_marker(user, "notifications", up_to_id)


def dismiss(user: User, notification_id: int) -> bool:
    deleted, _ = Notification.objects.filter(recipient=user, pk=notification_id).delete()
    return bool(deleted)


def dismiss_group(user: User, group: str) -> int:
    if group.startswith("ungrouped-"):
        pk = group.removeprefix("ungrouped-")
        return int(dismiss(user, int(pk))) if pk.isdigit() else 0
    deleted, _ = Notification.objects.filter(recipient=user, group_key=group).delete()
    return deleted


def clear(user: User) -> None:
    Notification.objects.filter(recipient=user).delete()


def set_preferences(user: User, choices: dict[str, str]) -> None:
    """Save whom `user` hears from, per kind ({"like": "following", ...})."""
    for kind, who in choices.items():
        if kind not in OPTIONAL_KINDS:
            raise ValidationError({kind: "Not a kind of notification you can switch off."})
        if who not in Preference.Who.values:
            raise ValidationError({kind: f"Choose one of: {', '.join(Preference.Who.values)}."})
    with transaction.atomic():
        for kind, who in choices.items():
            if who == Preference.Who.EVERYONE:
                Preference.objects.filter(user=user, kind=kind).delete()
            else:
                Preference.objects.update_or_create(user=user, kind=kind, defaults={"who": who})
