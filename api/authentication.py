"""Bearer tokens issued by our OAuth 2.0 provider (django-oauth-toolkit)."""

from django.contrib.auth.models import AnonymousUser
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions

INVALID_TOKEN = "The access token is invalid"  # noqa: S105 - a message, not a secret


class BearerTokenAuthentication(OAuth2Authentication):
    """A valid token authenticates its user; any other token is a 401.

    DOT's class treats a bad token like no token, so a public endpoint
    would answer anonymously to a client whose token was revoked; Mastodon
    answers 401, which is how clients learn to log in again. A token from
    the client_credentials grant belongs to an app, not a user: the request
    is anonymous with `request.auth` set.
    """

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        if not header.lower().startswith("bearer "):
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        user, token = result
        if user is None:
            return AnonymousUser(), token
        if not user.is_active:
            raise exceptions.PermissionDenied("Your login is currently disabled")
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


# Registers how /api/schema/ describes these tokens (drf-spectacular finds
# extensions by subclass, so the module only has to be imported).
from . import schema  # noqa: E402, F401
