from django.urls import path

from . import views

urlpatterns = [
    path("settings/profile/", views.settings_profile, name="settings_profile"),
    path("settings/apps/", views.settings_apps, name="settings_apps"),
    path("settings/apps/<int:app_id>/revoke/", views.revoke_app, name="revoke_app"),
    path("follow_requests/", views.follow_requests, name="follow_requests"),
    path(
        "follow_requests/<str:username>/approve/",
        views.approve_follow_request,
        name="approve_follow_request",
    ),
    path("follow_requests/<str:username>/reject/", views.reject_follow_request, name="reject_follow_request"),
    path("<str:username>/followers/", views.followers, name="followers"),
    path("<str:username>/following/", views.following, name="following"),
    path("<str:username>/follow/", views.follow, name="follow"),
    path("<str:username>/unfollow/", views.unfollow, name="unfollow"),
    path("<str:username>/block/", views.block, name="block"),
    path("<str:username>/unblock/", views.unblock, name="unblock"),
    path("<str:username>/mute/", views.mute, name="mute"),
    path("<str:username>/unmute/", views.unmute, name="unmute"),
    path("<str:username>/remove_follower/", views.remove_follower, name="remove_follower"),
]
