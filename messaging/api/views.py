"""Direct messages in Mastodon's API (docs/messaging.md has the mapping).

- GET /api/v1/conversations, POST /api/v1/conversations/:id/read,
  DELETE /api/v1/conversations/:id: the reader's accepted conversations.
- POST /api/v1/statuses with `visibility=direct` sends a message instead of
  posting a tweet; GET /api/v1/statuses/:id shows a message to its
  conversation's participants. tweets may not import messaging, so these
  two routes are messaging's: subclasses of the tweets views, routed before
  them (twitter/urls.py), that handle what is a message and hand the rest
  to the tweets views unchanged.

Without MESSAGING_MASTER_KEYS every route here (and the message requests
in notifications.api) answers 503 with `{"error": ...}`.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.selectors import active_users
from api import pagination, params
from api.errors import Unprocessable
from api.params import object_id
from api.views import MastodonView, page_response
from tweets.api.serializers import StatusParamsSerializer, StatusSerializer
from tweets.api.statuses import StatusesView, StatusView
from tweets.text import parse

from .. import crypto, selectors, services
from ..models import Conversation, Message
from .serializers import ConversationSerializer, conversation_json, message_status_json

# The id of a conversation's newest message is its place in the list.
CURSORS = [
    OpenApiParameter("max_id", str, description="Last message older than this id."),
    OpenApiParameter("since_id", str, description="Last message newer than this id (the newest first)."),
    OpenApiParameter("min_id", str, description="Last message newer than this id (oldest first)."),
    OpenApiParameter("limit", int, description="20 by default, at most 40."),
]


class MessagingUnavailable(exceptions.APIException):
    """503: no master key is configured, so nothing can be sent or read."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = crypto.UNAVAILABLE


def require_messaging() -> None:
    """Raise MessagingUnavailable (503) when messaging has no master key."""
    if not crypto.is_configured():
        raise MessagingUnavailable


class MessagingView(MastodonView):
    """A route of direct messages only: 503 without master keys, after the
    token and scope checks (an anonymous request is still a 401)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_messaging()


def summary(user, conversation_id: int, *, requests: bool = False) -> selectors.Summary:
    """The reader's conversation (or message request) `conversation_id` as
    its list shows it; Http404 when it is not in that list."""
    rows = selectors.inbox(user, requests=requests).filter(conversation_id=conversation_id)
    summaries = selectors.summarize(rows)
    if not summaries:
        raise Http404
    return summaries[0]


def inbox_response(request, render, *, requests: bool = False, default: int = 20, maximum: int = 40):
    """A page of the reader's conversations (or message requests) as
    `render(summary, request)` makes each, newest first, with the Link
    header: the cursor is the id of each one's newest message."""
    limit = pagination.limit_param(request, default=default, maximum=maximum)
    cursors = pagination.cursors(request)
    rows = selectors.inbox(request.user, requests=requests, max_id=cursors["max_id"])
    key = "conversation__last_activity_id"
    if cursors["since_id"] is not None:
        rows = rows.filter(**{f"{key}__gt": cursors["since_id"]})
    if cursors["min_id"] is not None:
        # The page just newer than min_id: the oldest of those, newest first.
        rows = list(rows.filter(**{f"{key}__gt": cursors["min_id"]}).order_by(key)[:limit])[::-1]
    else:
        rows = list(rows[:limit])
    summaries = selectors.summarize(rows)
    return page_response(
        request,
        [body for summary in summaries if (body := render(summary, request)) is not None],
        next_max_id=rows[-1].conversation.last_activity_id if len(rows) == limit else None,
        prev_min_id=rows[0].conversation.last_activity_id if rows else None,
    )


class ConversationsView(MessagingView):
    """The reader's conversations, most recently active first; pages by the
    id of each one's newest message (`max_id`, `since_id`, `min_id`)."""

    scopes = {"GET": "read:statuses"}

    @extend_schema(parameters=CURSORS, responses=ConversationSerializer(many=True))
    def get(self, request):
        return inbox_response(request, conversation_json)


class ConversationView(MessagingView):
    """Delete a conversation for the reader (it returns with the next message)."""

    scopes = {"DELETE": "write:conversations"}

    @extend_schema(responses={200: {"type": "object"}})
    def delete(self, request, conversation_id):
        try:
            services.delete_conversation_for_me(request.user, object_id(conversation_id))
        except Conversation.DoesNotExist:
            raise Http404 from None
        return Response({})


class ReadConversationView(MessagingView):
    scopes = {"POST": "write:conversations"}

    @extend_schema(request=None, responses=ConversationSerializer)
    def post(self, request, conversation_id):
        conversation_id = object_id(conversation_id)
        try:
            services.mark_read(request.user, conversation_id)
        except Conversation.DoesNotExist:
            raise Http404 from None
        return Response(conversation_json(summary(request.user, conversation_id), request))


class DirectStatusParamsSerializer(StatusParamsSerializer):
    visibility = serializers.ChoiceField(choices=["public", "unlisted", "private", "direct"], required=False)


def _reply_target(user, raw) -> int | None:
    """The conversation of the message `in_reply_to_id` names, if it is one
    `user` may see; None for anything else (a tweet, nothing)."""
    if raw in (None, ""):
        return None
    try:
        message_id = object_id(raw)
    except Http404:
        return None
    conversation_id = Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True).first()
    participant = selectors.participation(user, conversation_id) if conversation_id else None
    if participant is None or selectors.get_message(participant, message_id) is None:
        return None
    return conversation_id


def _mentioned(user, text: str) -> list:
    """The accounts a direct status is for: those it @mentions, but its author."""
    names = {item["username"].lower() for item in parse(text).mentions} - {user.username.lower()}
    if not names:
        raise Unprocessable("A direct message needs the @username of whom it is for.")
    # Usernames are [A-Za-z0-9_]: nothing to escape.
    found = list(active_users().filter(username__iregex=r"^(" + "|".join(sorted(names)) + r")$"))
    unknown = sorted(names - {found_user.username.lower() for found_user in found})
    if unknown:
        raise Unprocessable(f"No account @{', @'.join(unknown)} to send a direct message to.")
    return found


class StatusesOrMessageView(StatusesView):
    """Post a status (a tweet, a reply, a quote) or, with `visibility=direct`,
    send a direct message to the accounts it mentions; or fetch several
    statuses by id."""

    @extend_schema(request=DirectStatusParamsSerializer, responses=StatusSerializer)
    def post(self, request):
        data = request.data
        if params.text(data, "visibility") != "direct":
            return super().post(request)
        require_messaging()
        text = params.text(data, "status")
        options = {
            "media": [media_id for media_id in params.listing(data, "media_ids") if media_id],
            "conversation_id": _reply_target(request.user, data.get("in_reply_to_id")),
        }
        if options["conversation_id"] is None:
            options["recipients"] = _mentioned(request.user, text)
        # Nothing half-stored: a refused message leaves no new conversation
        # and its media unattached (services.send_direct is one transaction).
        key = request.headers.get("Idempotency-Key", "").strip()
        try:
            if key:
                message = services.send_direct_once(request.user, key, text, **options)
            else:
                message = services.send_direct(request.user, text, **options)
        except Conversation.DoesNotExist:
            raise Http404 from None
        participant = selectors.participation(request.user, message.conversation_id)
        people = [member.user for member in selectors.members(participant)]
        return Response(message_status_json(message, people, request))


class StatusOrMessageView(StatusView):
    """Show, edit or delete one status; a direct message shows to the
    participants of its conversation."""

    @extend_schema(responses=StatusSerializer)
    def get(self, request, status_id):
        try:
            return super().get(request, status_id)
        except Http404:
            if not request.user.is_authenticated:
                raise
        message_id = object_id(status_id)
        found = Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True)
        participant = selectors.participation(request.user, found[0]) if found else None
        if participant is None:
            raise Http404
        require_messaging()  # only its participants learn that it exists
        message = selectors.get_message(participant, message_id)
        if message is None:
            raise Http404
        people = [member.user for member in selectors.members(participant)]
        return Response(message_status_json(message, people, request))
