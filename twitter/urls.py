from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.views import route_not_found

from .views import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The Mastodon client API and OAuth: before the pages' /<username> routes.
    path("", include("accounts.api.oauth_urls")),
    path("", include("accounts.api.urls")),
    # Before tweets': its statuses routes take visibility=direct (messaging.api.views).
    path("", include("messaging.api.urls")),
    path("", include("tweets.api.urls")),
    path("", include("timelines.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("trends.api.urls")),
    path("", include("media.api.urls")),
    path("", include("twitter.api.urls")),
    path("api/schema", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    re_path(r"^api/", route_not_found),
    path("", include("accounts.urls")),
    path("", include("tweets.urls")),
    path("", include("notifications.urls")),
    path("", include("search.urls")),
    path("", include("media.urls")),
    path("", include("messaging.urls")),
    path("", include("trends.urls")),
    path("", include("trends.analytics.urls")),
    # timelines last: it owns the /<username> catch-all profile route.
    path("", include("timelines.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
