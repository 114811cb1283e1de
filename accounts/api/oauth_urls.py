"""OAuth 2.0 / OpenID Connect routes, under django-oauth-toolkit's namespace
(its views reverse these names), at the paths Mastodon uses."""

from django.urls import path

from . import oauth

app_name = "oauth2_provider"

urlpatterns = [
    path("oauth/authorize", oauth.AuthorizationView.as_view(), name="authorize"),
    path("oauth/token", oauth.TokenView.as_view(), name="token"),
    path("oauth/revoke", oauth.RevokeTokenView.as_view(), name="revoke-token"),
    path("oauth/userinfo", oauth.UserInfoView.as_view(), name="user-info"),
    path("oauth/jwks", oauth.JwksInfoView.as_view(), name="jwks-info"),
    path(
        ".well-known/openid-configuration",
        oauth.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(
        ".well-known/oauth-authorization-server",
        oauth.authorization_server_metadata,
        name="authorization-server-metadata",
    ),
]
