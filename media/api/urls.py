from django.urls import path

from . import views

urlpatterns = [
    path("api/v2/media", views.MediaUploadView.as_view(), name="api_media"),
    path("api/v1/media", views.MediaUploadV1View.as_view(), name="api_media_v1"),
    path("api/v1/media/<str:media_id>", views.MediaView.as_view(), name="api_media_item"),
]
