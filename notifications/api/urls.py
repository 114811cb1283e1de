from django.urls import path, re_path

from . import push, views

urlpatterns = [
    path("api/v1/notifications", views.NotificationsView.as_view(), name="api_notifications"),
    path(
        "api/v1/notifications/clear", views.ClearNotificationsView.as_view(), name="api_notifications_clear"
    ),
    path(
        "api/v1/notifications/unread_count",
        views.UnreadCountView.as_view(),
        name="api_notifications_unread_count",
    ),
    path(
        "api/v1/notifications/requests",
        views.NotificationRequestsView.as_view(),
        name="api_notification_requests",
    ),
    path(
        "api/v1/notifications/requests/merged",
        views.MergedNotificationRequestsView.as_view(),
        name="api_notification_requests_merged",
    ),
    path(
        "api/v1/notifications/requests/accept",
        views.AcceptNotificationRequestsView.as_view(),
        name="api_notification_requests_accept",
    ),
    path(
        "api/v1/notifications/requests/dismiss",
        views.DismissNotificationRequestsView.as_view(),
        name="api_notification_requests_dismiss",
    ),
    path(
        "api/v1/notifications/requests/<str:request_id>",
        views.NotificationRequestView.as_view(),
        name="api_notification_request",
    ),
    path(
        "api/v1/notifications/requests/<str:request_id>/accept",
        views.AcceptNotificationRequestView.as_view(),
        name="api_notification_request_accept",
    ),
    path(
        "api/v1/notifications/requests/<str:request_id>/dismiss",
        views.DismissNotificationRequestView.as_view(),
        name="api_notification_request_dismiss",
    ),
    # Ids are numbers here: other words (Mastodon's requests/...) are not ids.
    re_path(
        r"^api/v1/notifications/(?P<notification_id>[0-9]+)$",
        views.NotificationView.as_view(),
        name="api_notification",
    ),
    re_path(
        r"^api/v1/notifications/(?P<notification_id>[0-9]+)/dismiss$",
        views.DismissNotificationView.as_view(),
        name="api_notification_dismiss",
    ),
    path("api/v2/notifications", views.GroupedNotificationsView.as_view(), name="api_notifications_v2"),
    path(
        "api/v2/notifications/unread_count",
        views.GroupedUnreadCountView.as_view(),
        name="api_notifications_unread_count_v2",
    ),
    path("api/v1/streaming/health", views.StreamingHealthView.as_view(), name="api_streaming_health"),
    path("api/v1/push/subscription", push.PushSubscriptionView.as_view(), name="api_push_subscription"),
]
