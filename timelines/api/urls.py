from django.urls import path

from . import views

urlpatterns = [
    path("api/v1/timelines/home", views.HomeTimelineView.as_view(), name="api_timeline_home"),
    path("api/v1/timelines/public", views.PublicTimelineView.as_view(), name="api_timeline_public"),
    path("api/v1/timelines/tag/<str:hashtag>", views.TagTimelineView.as_view(), name="api_timeline_tag"),
    path("api/v1/markers", views.MarkersView.as_view(), name="api_markers"),
]
