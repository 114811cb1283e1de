"""Who a streaming connection belongs to: an app's access token, or a
page's session cookie from this site."""

import hashlib
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from django.conf import settings
from django.http.request import validate_host
from oauth2_provider.models import get_access_token_model

from api.scopes import grants, parse

from .. import streams
from .base import STREAM_SCOPES, Login, StreamError


def headers_of(scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])
    }


def query_of(scope) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return {key: values[-1] for key, values in parse_qs(raw).items()}


@database_sync_to_async
def _token_login(raw: str) -> Login:
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    token = get_access_token_model().objects.select_related("user").filter(token_checksum=checksum).first()
    if token is None:
        raise StreamError("Invalid access token", 401)
    if token.is_expired():
        raise StreamError("The access token expired", 401)
    if token.user is None:
        raise StreamError("This stream needs a user's access token", 401)
    if not token.user.is_active:
        raise StreamError("Your login is currently disabled", 401)
    scopes = frozenset(parse(token.scope))
    if not any(grants(scopes, needed) for needed in STREAM_SCOPES.values()):
        raise StreamError("Access token does not have the required scopes", 401)
    return Login(token.user, scopes, token.expires.timestamp(), token_checksum=checksum)


async def authenticate(scope, *, websocket: bool) -> Login:
    """The connection's user: by access token, else by the session (pages)."""
    headers, query = headers_of(scope), query_of(scope)
    subprotocol = None
    raw = query.get("access_token")
    if not raw and headers.get("authorization", "").lower().startswith("bearer "):
        raw = headers["authorization"][7:].strip()
    if not raw and websocket and headers.get("sec-websocket-protocol"):
        raw = subprotocol = headers["sec-websocket-protocol"].split(",")[0].strip()
    if raw:
        login = await _token_login(raw)
        return Login(login.user, login.scopes, login.expires_at, subprotocol, login.token_checksum)
    user = scope.get("user")
    if user is not None and user.is_authenticated and user.is_active:
        # Browsers send cookies to sockets opened by any site: only this
        # site's pages may use them (reading SSE is guarded by CORS).
        if websocket and not from_this_site(headers):
            raise StreamError("Log in with an access token from another site", 401)
        return Login(user, None, None, token_checksum=streams.session_checksum(scope["session"].session_key))
    raise StreamError("Missing access token", 401)


def from_this_site(headers: dict[str, str]) -> bool:
    host = urlsplit(headers.get("origin", "")).hostname
    return bool(host) and validate_host(host, settings.ALLOWED_HOSTS)


def cors_headers(scope) -> list[tuple[bytes, bytes]]:
    """Pages of this site (on another port of the host, in development) may
    read the streams with their cookies; any other origin gets `*`, which
    browsers never combine with cookies."""
    headers = headers_of(scope)
    if from_this_site(headers):
        origin = headers["origin"]
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"vary", b"Origin"),
        ]
    return [(b"access-control-allow-origin", b"*")]
