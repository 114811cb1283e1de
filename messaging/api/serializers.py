"""Direct messages as Mastodon's API shows them.

A message is a Status with `visibility: "direct"` whose `mentions` are the
conversation's other participants (Mastodon apps answer a direct status by
mentioning them again, and reply with `in_reply_to_id`); a conversation is
Mastodon's Conversation: its id, the other accounts, whether it is unread
and its newest message as `last_status`.
"""

from django.urls import reverse
from rest_framework import serializers

from accounts.api.serializers import AccountSerializer, account_json
from api.representation import absolute, iso
from media.api.serializers import media_json
from tweets.api.serializers import StatusSerializer, content_html, features_absent, mention_json
from tweets.text import parse


def _media(message) -> list:
    """The attachments messaging.selectors set on `message`, else a query."""
    media = getattr(message, "media", None)
    return list(message.media_attachments.all()) if media is None else media


def message_status_json(message, people, request) -> dict:
    """A decrypted message (with `sender`) as a Status; `people` are the
    conversation's active participants (users)."""
    url = absolute(request, reverse("messaging_conversation", args=[message.conversation_id]))
    entities = parse(message.text).entities()
    # @names in the text link to profiles as a tweet's do; `mentions` are
    # the recipients, which is what apps answer to.
    return {
        "id": str(message.pk),
        "uri": f"{url}#message-{message.pk}",
        "url": f"{url}#message-{message.pk}",
        "created_at": iso(message.created_at),
        "edited_at": None,
        "account": account_json(message.sender, request),
        "content": content_html(request, message.text, entities),
        "visibility": "direct",
        "sensitive": False,
        "spoiler_text": "",
        "language": None,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "quotes_count": 0,
        "mentions": [
            mention_json(request, user.pk, user.username) for user in people if user.pk != message.sender_id
        ],
        "tags": [],
        "media_attachments": [media_json(item, request) for item in _media(message)],
        "reblog": None,
        "quote": None,
        **features_absent(),
        "favourited": False,
        "reblogged": False,
        "bookmarked": False,
        "muted": False,
        "pinned": False,
    }


def conversation_json(summary, request) -> dict:
    """A messaging.selectors.Summary as Mastodon's Conversation."""
    people = [summary.participant.user, *summary.others]
    last = summary.last
    return {
        "id": str(summary.conversation.pk),
        "unread": summary.unread > 0,
        "accounts": [account_json(user, request) for user in summary.others],
        "last_status": message_status_json(last, people, request) if last else None,
    }


def request_account(summary):
    """Whom a message request is from: the sender of its newest message,
    else (a group with nothing from the others yet) its first other member."""
    last = summary.last
    if last is not None and last.sender_id != summary.participant.user_id:
        return last.sender
    return summary.others[0] if summary.others else None


def notification_request_json(summary, request) -> dict:
    """A message request (a Summary of a pending participant row) as
    Mastodon 4.3's NotificationRequest: the id is the conversation's, the
    count is of its unread messages."""
    participant = summary.participant
    people = [participant.user, *summary.others]
    last = summary.last
    return {
        "id": str(summary.conversation.pk),
        "created_at": iso(participant.joined_at),
        "updated_at": iso(last.created_at if last else participant.joined_at),
        "account": account_json(request_account(summary), request),
        "notifications_count": str(summary.unread),
        "last_status": message_status_json(last, people, request) if last else None,
    }


class NotificationRequestSerializer(serializers.Serializer):
    """Mastodon's NotificationRequest: here, a message request."""

    id = serializers.CharField(help_text="The conversation's id.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    account = AccountSerializer(help_text="Whom the request is from.")
    notifications_count = serializers.CharField(help_text="Its unread messages.")
    last_status = StatusSerializer(allow_null=True, help_text="The newest message, as a direct Status.")

    def to_representation(self, instance):
        return notification_request_json(instance, self.context["request"])


class ConversationSerializer(serializers.Serializer):
    """Mastodon's Conversation: a direct-message conversation."""

    id = serializers.CharField()
    unread = serializers.BooleanField()
    accounts = AccountSerializer(many=True, help_text="The other participants.")
    last_status = StatusSerializer(allow_null=True, help_text="The newest message, as a direct Status.")

    def to_representation(self, instance):
        return conversation_json(instance, self.context["request"])
