from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/mentions/", views.notifications, {"tab": "mentions"}, name="notifications_mentions"),
    path("notifications/badge/", views.badge, name="notifications_badge"),
    path("notifications/read/", views.mark_all_read, name="notifications_read"),
    path("settings/notifications/", views.preferences, name="settings_notifications"),
    path("settings/notifications/push/", views.browser_push, name="browser_push"),
    path("sw.js", views.service_worker, name="service_worker"),
]
