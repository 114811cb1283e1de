"""Bearer tokens issued by our OAuth 2.0 provider (django-oauth-toolkit),
checked on every API request (REST_FRAMEWORK's authentication class)."""

import hashlib

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from api.errors import INVALID_TOKEN

from .. import cache


class BearerTokenAuthentication(BaseAuthentication):
    """A valid token authenticates its user; any other token is a 401.

    django-oauth-toolkit issues, refreshes and revokes the tokens; checking
    one is a lookup by its SHA-256 (from the cache, accounts.cache) and its
    expiry, done here rather than through DOT's OAuth2Authentication: that
    builds an oauthlib request for every call (a quarter of a millisecond
    on this project's bench machine) to reach the same lookup,
    and it treats a bad token like no token, so a public endpoint would
    answer anonymously to a client whose token was revoked. Mastodon
    answers 401, which is how clients learn to log in again.

    The token goes in the Authorization header (RFC 6750's header form, the
    one Mastodon's clients use). A token from the client_credentials grant
    belongs to an app, not a user: the request is anonymous with
    `request.auth` set.
    """

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        token = cache.access_token(hashlib.sha256(parts[1].encode()).hexdigest())
        if token is None or token.is_expired():
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        user = token.user
        if user is None:
            return AnonymousUser(), token
        if not user.is_active:
            raise exceptions.PermissionDenied("Your login is currently disabled")
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


# Registers how /api/schema/ describes these tokens (drf-spectacular finds
# extensions by subclass, so the module only has to be imported).
from api import schema  # noqa: E402, F401
