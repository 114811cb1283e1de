"""Notifications as Mastodon's API shows them: Notification, NotificationGroup.

Our kinds map onto Mastodon's types; a reply is a `mention` there, a staff
notice a `moderation_warning`. "Your follow request was accepted" has no
Mastodon type: apps never see it (API_KINDS), the pages do.
"""

from rest_framework import serializers

from accounts.api.serializers import AccountSerializer, account_json
from api.representation import iso
from tweets.api.serializers import StatusSerializer, status_json

from ..models import Kind, Notification

MASTODON_TYPE = {
    Kind.LIKE: "favourite",
    Kind.RETWEET: "reblog",
    Kind.REPLY: "mention",
    Kind.MENTION: "mention",
    Kind.QUOTE: "quote",
    Kind.FOLLOW: "follow",
    Kind.FOLLOW_REQUEST: "follow_request",
    Kind.NOTICE: "moderation_warning",
}
API_KINDS = tuple(MASTODON_TYPE)


def kinds_of(types) -> set[str]:
    """Our kinds for Mastodon type names (unknown names match nothing)."""
    wanted = set(types)
    return {kind for kind, name in MASTODON_TYPE.items() if name in wanted}


def _warning_json(notification: Notification, request) -> dict:
    return {
        "id": str(notification.pk),
        "action": "delete_statuses" if notification.tweet_id else "none",
        "text": notification.text,
        "status_ids": [str(notification.tweet_id)] if notification.tweet_id else [],
        "created_at": iso(notification.created_at),
        "target_account": account_json(notification.recipient, request),
        "appeal": None,
    }


def notification_json(notification: Notification, request) -> dict:
    """One notification, its tweet rendered with the recipient's state attached
    (notifications.selectors load it so)."""
    # A notice speaks for the site; Mastodon names the warned account.
    actor = notification.actor or notification.recipient
    data = {
        "id": str(notification.pk),
        "type": MASTODON_TYPE[notification.kind],
        "created_at": iso(notification.created_at),
        "group_key": notification.group,
        "account": account_json(actor, request),
    }
    if notification.kind == Kind.NOTICE:
        data["moderation_warning"] = _warning_json(notification, request)
    elif notification.tweet_id:
        data["status"] = status_json(notification.tweet, request)
    return data


class NotificationSerializer(serializers.Serializer):
    """Mastodon's Notification."""

    id = serializers.CharField()
    type = serializers.ChoiceField(choices=sorted(set(MASTODON_TYPE.values())))
    created_at = serializers.DateTimeField()
    group_key = serializers.CharField(help_text="`ungrouped-<id>` for a notification shown alone.")
    account = AccountSerializer()
    status = StatusSerializer(required=False, help_text="The status it is about, when there is one.")
    moderation_warning = serializers.DictField(required=False, help_text="For `moderation_warning`.")

    def to_representation(self, instance):
        return notification_json(instance, self.context["request"])


def group_json(group) -> dict:
    """One notifications_selectors.Group as Mastodon's NotificationGroup."""
    latest = group.latest
    data = {
        "group_key": group.key,
        "notifications_count": group.count,
        "type": MASTODON_TYPE[latest.kind],
        "most_recent_notification_id": latest.pk,
        "sample_account_ids": [str(actor.pk) for actor in group.actors] or [str(latest.recipient_id)],
        "latest_page_notification_at": iso(latest.created_at),
    }
    if latest.tweet_id and latest.kind != Kind.NOTICE:
        data["status_id"] = str(latest.tweet_id)
    return data
