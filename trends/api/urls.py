from django.urls import path

from . import views

urlpatterns = [
    path("api/v1/trends/tags", views.TrendingTagsView.as_view(), name="api_trends_tags"),
    path("api/v1/trends/statuses", views.TrendingStatusesView.as_view(), name="api_trends_statuses"),
    # Mastodon's name for it before 3.5, which older apps still call.
    path("api/v1/trends", views.TrendingTagsView.as_view(), name="api_trends"),
]
