from django.urls import path

from . import applications

urlpatterns = [
    path("api/v1/apps", applications.AppsView.as_view(), name="api_apps"),
    path("api/v1/apps/verify_credentials", applications.VerifyAppView.as_view(), name="api_apps_verify"),
]
