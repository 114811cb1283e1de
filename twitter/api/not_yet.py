"""Routes of features other issues deliver, answering now as Mastodon does
for a feature that is empty or switched off, so that apps start cleanly:
never a 500, never an HTML 404.

Each view declares the scope Mastodon's controller asks for, and says
which issue replaces it:

- notifications app (issue "Notifications"): GET /api/v1/notifications,
  /api/v1/notifications/:id, POST /api/v1/notifications/clear,
  /api/v1/notifications/:id/dismiss, GET /api/v2/notifications,
  /api/v1/notifications/unread_count, /api/v2/notifications/unread_count,
  /api/v1/notifications/requests
- real-time (issue "Streaming and Web Push"): GET /api/v1/streaming/health,
  /api/v1/push/subscription (GET, POST, PUT, DELETE)
- media app (issue "Media uploads"): POST /api/v1/media, /api/v2/media
- messaging app (issue "Direct messages"): GET /api/v1/conversations
- trends app (issue "Trends"): GET /api/v1/trends/tags, /statuses, /links,
  /api/v1/suggestions, /api/v2/suggestions
- lists, filters, followed and featured tags, endorsements, announcements,
  scheduled statuses, domain blocks (issue "Lists, filters and the rest of
  the Mastodon API"): their GET lists
"""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api.errors import Unprocessable
from api.views import MastodonView, page_response

# An array of entities whose shape the delivering issue documents.
LIST = {200: {"type": "array", "items": {"type": "object"}}}


class _EmptyList(MastodonView):
    """A paged list with nothing in it yet (no Link header: no other page)."""

    @extend_schema(responses=LIST)
    def get(self, request, *args, **kwargs):
        return page_response(request, [])


class _NotFound(MastodonView):
    """One record of a kind that has none yet: "Record not found"."""

    @extend_schema(responses={404: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        raise Http404


# --- notifications -------------------------------------------------------------------


class NotificationsView(_EmptyList):
    scopes = {"GET": "read:notifications"}


@extend_schema_view(get=extend_schema(operation_id="v1_notification_retrieve"))
class NotificationView(_NotFound):
    scopes = {"GET": "read:notifications"}


class ClearNotificationsView(MastodonView):
    scopes = {"POST": "write:notifications"}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        return Response({})


class DismissNotificationView(MastodonView):
    scopes = {"POST": "write:notifications"}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, notification_id):
        raise Http404


class GroupedNotificationsView(MastodonView):
    scopes = {"GET": "read:notifications"}

    @extend_schema(
        responses=inline_serializer(
            "GroupedNotificationsResults",
            {
                "accounts": serializers.ListField(),
                "statuses": serializers.ListField(),
                "notification_groups": serializers.ListField(),
            },
        )
    )
    def get(self, request):
        return page_response(request, {"accounts": [], "statuses": [], "notification_groups": []})


class UnreadCountView(MastodonView):
    scopes = {"GET": "read:notifications"}

    @extend_schema(responses=inline_serializer("CountResponse", {"count": serializers.IntegerField()}))
    def get(self, request):
        return Response({"count": 0})


class NotificationRequestsView(_EmptyList):
    scopes = {"GET": "read:notifications"}


# --- streaming and push --------------------------------------------------------------


class StreamingHealthView(MastodonView):
    anonymous = {"GET"}
    scopes = {"GET": "read|write|follow|push|profile"}

    @extend_schema(responses={(200, "text/plain"): str})
    def get(self, request):
        return HttpResponse("OK", content_type="text/plain; charset=utf-8")


class PushSubscriptionView(MastodonView):
    """No Web Push yet: no subscription exists and none can be made."""

    scopes = {"GET": "push", "POST": "push", "PUT": "push", "DELETE": "push"}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        raise Http404

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        raise Unprocessable("Push notifications are not available yet")

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def put(self, request):
        raise Http404

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def delete(self, request):
        return Response({})


# --- media ---------------------------------------------------------------------------


class MediaView(MastodonView):
    scopes = {"POST": "write:media"}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        raise Unprocessable("Media uploads are not available yet")


# --- lists of things nobody has yet --------------------------------------------------


class ConversationsView(_EmptyList):
    scopes = {"GET": "read:statuses"}


class TrendsView(_EmptyList):
    anonymous = {"GET"}
    scopes = {"GET": "read|write|follow|push|profile"}


class SuggestionsView(_EmptyList):
    scopes = {"GET": "read"}


class FiltersView(_EmptyList):
    scopes = {"GET": "read:filters"}


class ListsView(_EmptyList):
    scopes = {"GET": "read:lists"}


class AnnouncementsView(_EmptyList):
    scopes = {"GET": "read"}


class FollowedTagsView(_EmptyList):
    scopes = {"GET": "read:follows"}


class FeaturedTagsView(_EmptyList):
    scopes = {"GET": "read:accounts"}


class EndorsementsView(_EmptyList):
    scopes = {"GET": "read:accounts"}


class ScheduledStatusesView(_EmptyList):
    scopes = {"GET": "read:statuses"}


class DomainBlocksView(_EmptyList):
    scopes = {"GET": "read:blocks"}
