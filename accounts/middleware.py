"""The signed-in user of a page, from the account cache.

Django's AuthenticationMiddleware loads the session's user from PostgreSQL
on every request (about 0.7 ms of a page's 16). The account cache
(accounts.cache) holds the row, and with it the digest the session must
match, so a page is checked without the query. Anything the cache can't
vouch for (no cached row, a digest of another SECRET_KEY, a session whose
digest doesn't match, an inactive account, a backend no longer listed)
takes Django's own path, which also flushes sessions that fail and
upgrades those signed under a fallback key.
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from . import cache


def _cached_user(request):
    session = request.session
    try:
        user_id = int(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
        session_hash = session[HASH_SESSION_KEY]
    except (KeyError, ValueError, TypeError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = cache.users([user_id]).get(user_id)
    if user is None or not user.is_active:
        return None
    expected = cache.session_auth_hash(user)
    if expected is None or not constant_time_compare(session_hash, expected):
        return None
    return user


def get_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = _cached_user(request) or auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with `request.user` read through the account cache first."""

    def process_request(self, request):
        super().process_request(request)  # its checks, and request.auser
        request.user = SimpleLazyObject(lambda: get_user(request))
