"""Mastodon's notifications API: /api/v1/notifications (one by one) and
/api/v2/notifications (grouped), their unread counts, dismiss and clear.

Lists are notifications.selectors' pages, rendered as Mastodon entities
with the recipient's state on each status.
"""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api.serializers import account_json
from api import pagination, params
from api.params import object_id
from api.views import MastodonView, page_response
from messaging import crypto
from messaging import services as messaging_services
from messaging.api.serializers import (
    NotificationRequestSerializer,
    notification_request_json,
    request_account,
)
from messaging.api.views import MessagingView, inbox_response
from messaging.api.views import summary as messaging_summary
from timelines.api.views import CURSORS
from tweets.api.serializers import status_json

from .. import selectors, services
from ..models import Kind
from .serializers import API_KINDS, NotificationSerializer, group_json, kinds_of, notification_json

TYPES = [
    OpenApiParameter("types[]", str, many=True, description="Only these types."),
    OpenApiParameter("exclude_types[]", str, many=True, description="Not these types."),
]
LIMIT = OpenApiParameter("limit", int, description="40 by default, at most 80.")


def _kinds(request) -> tuple[set[str], set[str]]:
    """The kinds `types[]` and `exclude_types[]` ask for, among those apps know."""
    query = request.query_params
    types = params.listing(query, "types")
    kinds = kinds_of(types) if types else set(API_KINDS)
    return kinds, kinds_of(params.listing(query, "exclude_types"))


class NotificationsView(MastodonView):
    """The user's notifications, newest first."""

    scopes = {"GET": "read:notifications"}

    @extend_schema(
        parameters=[
            *[p for p in CURSORS if p.name != "limit"],
            LIMIT,
            *TYPES,
            OpenApiParameter("account_id", str, description="Only those from this account."),
        ],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request):
        kinds, excluded = _kinds(request)
        account = request.query_params.get("account_id")
        page = selectors.notifications_page(
            request.user,
            kinds=kinds - excluded,
            from_account_id=object_id(account) if account else None,
            limit=pagination.limit_param(request, default=40, maximum=80),
            **pagination.cursors(request),
        )
        items = page.items
        return page_response(
            request,
            [notification_json(n, request) for n in items],
            next_max_id=page.next_max_id
            or (items[-1].pk if items and request.query_params.get("min_id") else None),
            prev_min_id=items[0].pk if items else None,
        )


class NotificationView(MastodonView):
    scopes = {"GET": "read:notifications"}

    @extend_schema(operation_id="v1_notification_retrieve", responses=NotificationSerializer)
    def get(self, request, notification_id):
        notification = selectors.get_notification(request.user, object_id(notification_id))
        if notification is None or notification.kind not in API_KINDS:
            raise Http404
        return Response(notification_json(notification, request))


class DismissNotificationView(MastodonView):
    scopes = {"POST": "write:notifications"}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, notification_id):
        if not services.dismiss(request.user, object_id(notification_id)):
            raise Http404
        return Response({})


class ClearNotificationsView(MastodonView):
    scopes = {"POST": "write:notifications"}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        services.clear(request.user)
        return Response({})


class UnreadCountView(MastodonView):
    """How many notifications are newer than the notifications read marker."""

    scopes = {"GET": "read:notifications"}
    grouped = False

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, description="Count up to this; 100 by default, at most 1,000.")
        ],
        responses=inline_serializer("CountResponse", {"count": serializers.IntegerField()}),
    )
    def get(self, request):
        cap = pagination.limit_param(request, default=100, maximum=selectors.UNREAD_COUNT_CAP)
        return Response({"count": selectors.unread_count(request.user, cap=cap, grouped=self.grouped)})


class GroupedUnreadCountView(UnreadCountView):
    """How many groups of notifications (as /api/v2/notifications shows them) are unread."""

    grouped = True


class GroupedNotificationsView(MastodonView):
    """Notifications grouped as the pages show them ("Ann and 12 others liked...")."""

    scopes = {"GET": "read:notifications"}

    @extend_schema(
        parameters=[OpenApiParameter("max_id", str, description="Older than this group."), LIMIT, *TYPES],
        responses=inline_serializer(
            "GroupedNotificationsResults",
            {
                "accounts": serializers.ListField(child=serializers.DictField()),
                "statuses": serializers.ListField(child=serializers.DictField()),
                "notification_groups": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        kinds, excluded = _kinds(request)
        page = selectors.grouped_page(
            request.user,
            kinds=kinds - excluded,
            max_id=pagination.cursors(request)["max_id"],
            limit=pagination.limit_param(request, default=40, maximum=80),
        )
        accounts, statuses = {}, {}
        for group in page.groups:
            latest = group.latest
            for actor in group.actors or [latest.recipient]:
                accounts.setdefault(actor.pk, actor)
            if latest.tweet_id and latest.kind != Kind.NOTICE:
                statuses.setdefault(latest.tweet_id, latest.tweet)
        body = {
            "accounts": [account_json(user, request) for user in accounts.values()],
            "statuses": [status_json(tweet, request) for tweet in statuses.values()],
            "notification_groups": [group_json(group) for group in page.groups],
        }
        return page_response(request, body, next_max_id=page.next_max_id)


REQUEST_IDS = [OpenApiParameter("id[]", str, many=True, description="Ids of message requests.")]


def _request_ids(request) -> list[int]:
    """`id[]` of a bulk accept or dismiss: ids that cannot exist are skipped,
    as unknown ones are."""
    raw = params.listing(request.data, "id")
    return [int(value) for value in raw if value.isascii() and value.isdigit() and 0 < int(value) < 2**63]


class NotificationRequestsView(MastodonView):
    """Mastodon files notifications its filtering policy holds back as
    "requests"; here preferences drop those instead, and what apps see as
    requests are message requests: conversations started by someone the
    reader does not follow (docs/messaging.md). Newest first, paged by the
    id of each one's newest message.

    Apps poll this list beside the notifications: on a server without
    messaging (no master key) it is empty rather than an error."""

    scopes = {"GET": "read:notifications"}

    @extend_schema(
        parameters=[*[p for p in CURSORS if p.name != "limit"], LIMIT],
        responses=NotificationRequestSerializer(many=True),
    )
    def get(self, request):
        if not crypto.is_configured():
            return page_response(request, [])
        return inbox_response(request, _request_json, requests=True, default=40, maximum=80)


def _request_json(summary, request) -> dict | None:
    # A request whose every other member has since left or been suspended
    # is from nobody any more: apps need an account.
    return notification_request_json(summary, request) if request_account(summary) else None


def _open_request(request, request_id) -> dict:
    summary = messaging_summary(request.user, object_id(request_id), requests=True)
    body = _request_json(summary, request)
    if body is None:
        raise Http404
    return body


class NotificationRequestView(MessagingView):
    """One message request of the reader's; anything else is 404."""

    scopes = {"GET": "read:notifications"}

    @extend_schema(responses=NotificationRequestSerializer)
    def get(self, request, request_id):
        return Response(_open_request(request, request_id))


class AcceptNotificationRequestView(MessagingView):
    """Accept a message request: the conversation moves to the inbox and the
    sender sees when it is read."""

    scopes = {"POST": "write:notifications"}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, request_id):
        if not messaging_services.accept_requests(request.user, [object_id(request_id)]):
            raise Http404
        return Response({})


class DismissNotificationRequestView(MessagingView):
    """Dismiss a message request: it is deleted as the page's "Delete" does
    (a group request is left); nobody is blocked."""

    scopes = {"POST": "write:notifications"}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, request_id):
        if not messaging_services.delete_requests(request.user, [object_id(request_id)]):
            raise Http404
        return Response({})


class AcceptNotificationRequestsView(MessagingView):
    """Accept several message requests (`id[]`); other ids are skipped."""

    scopes = {"POST": "write:notifications"}

    @extend_schema(
        operation_id="v1_notifications_requests_accept_many",
        parameters=REQUEST_IDS,
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request):
        messaging_services.accept_requests(request.user, _request_ids(request))
        return Response({})


class DismissNotificationRequestsView(MessagingView):
    """Dismiss several message requests (`id[]`); other ids are skipped."""

    scopes = {"POST": "write:notifications"}

    @extend_schema(
        operation_id="v1_notifications_requests_dismiss_many",
        parameters=REQUEST_IDS,
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request):
        messaging_services.delete_requests(request.user, _request_ids(request))
        return Response({})


class MergedNotificationRequestsView(MastodonView):
    """Whether accepted requests' notifications are merged into the list:
    always, since accepting a message request is done at once."""

    scopes = {"GET": "read:notifications"}

    @extend_schema(responses=inline_serializer("Merged", {"merged": serializers.BooleanField()}))
    def get(self, request):
        return Response({"merged": True})


class StreamingHealthView(MastodonView):
    """The web server's answer; the streaming server answers the same itself."""

    anonymous = {"GET"}
    scopes = {"GET": "read|write|follow|push|profile"}

    @extend_schema(responses={(200, "text/plain"): str})
    def get(self, request):
        return HttpResponse("OK", content_type="text/plain; charset=utf-8")
