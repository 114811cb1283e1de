"""OAuth 2.0 and OpenID Connect as Mastodon apps expect them.

django-oauth-toolkit does the protocol; this module adapts it: JSON as
well as form bodies at /oauth/token, `created_at` in token responses, the
out-of-band redirect that shows the code on a page, `force_login`, our own
authorization page, and RFC 8414 metadata.
"""

import hashlib
import json
import time
from urllib.parse import parse_qs, urljoin, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from oauth2_provider import views as oauth_views
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings

from api import scopes as api_scopes
from api import throttling

from .. import cache
from ..applications import OUT_OF_BAND


class Validator(OAuth2Validator):
    """The claims of ID tokens and /oauth/userinfo: who the user is here."""

    # Every claim goes to every client that asked for `openid`; Mastodon's
    # `profile` scope means something else and must not hide them.
    oidc_claim_scope = None

    def _load_access_token(self, token):
        # Every API request checks its token: from the cache, not a join.
        return cache.access_token(hashlib.sha256(token.encode()).hexdigest())

    def get_additional_claims(self, request):
        user = request.user
        site = self.get_oidc_issuer_endpoint(request) + "/"
        claims = {
            "preferred_username": user.username,
            "name": user.name,
            "profile": urljoin(site, user.get_absolute_url()),
        }
        if user.avatar:
            claims["picture"] = urljoin(site, user.avatar.url)
        return claims


class FormOrJSONBody(OAuthLibCore):
    """Mastodon accepts token requests as JSON too, and several apps send them so."""

    def extract_body(self, request):
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                return []
            if not isinstance(data, dict):
                return []
            return [(key, str(value)) for key, value in data.items() if value is not None]
        return super().extract_body(request)


class TokenView(oauth_views.TokenView):
    """Token requests, limited per address like Mastodon's sign-ins (guessing
    codes or client secrets costs a window each 25 tries)."""

    def post(self, request, *args, **kwargs):
        window = throttling.hit("auth", f"ip:{request.META.get('REMOTE_ADDR', '')}")
        if settings.API_RATE_LIMITS_ENABLED and window.remaining < 0:
            response = JsonResponse({"error": "Too many requests"}, status=429)
            response["Retry-After"] = str(max(1, int(window.reset_at - time.time())))
        else:
            response = self._token_response(request, *args, **kwargs)
        for name, value in window.headers().items():
            response[name] = value
        return response

    def _token_response(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            body = json.loads(response.content)
            body["created_at"] = int(timezone.now().timestamp())
            response.content = json.dumps(body)
        return response


class RevokeTokenView(oauth_views.RevokeTokenView):
    """RFC 7009 revocation; answers `{}` as Mastodon does."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            return JsonResponse({})
        return response


class AuthorizationView(oauth_views.AuthorizationView):
    """The page where a person approves or denies an app's request.

    Logged-out visitors go to the log-in page first (the view requires a
    login); `force_login=true` logs out whoever is logged in, so a client
    can switch accounts.
    """

    template_name = "accounts/oauth_authorize.html"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and "force_login" in request.GET:
            query = request.GET.copy()
            forced = query.pop("force_login")[-1].lower() in ("true", "1")
            if forced:
                # Come back without the flag, or the log-in would loop.
                logout(request)
                next_url = f"{request.path}?{query.urlencode()}"
                return redirect_to_login(next_url, self.get_login_url(), self.get_redirect_field_name())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scope_list"] = [
            (name, api_scopes.DESCRIPTIONS.get(name, name)) for name in context.get("scopes") or []
        ]
        return context

    def redirect(self, redirect_to, application):
        if redirect_to.startswith(OUT_OF_BAND):
            # No app is listening: show the code for the person to copy.
            query = parse_qs(urlsplit(redirect_to).query)
            return render(
                self.request,
                "accounts/oauth_code.html",
                {
                    "application": application,
                    "code": query.get("code", [""])[0],
                    "error": query.get("error_description", query.get("error", [""]))[0],
                },
            )
        return super().redirect(redirect_to, application)


OIDC_ERRORS = {
    401: "The access token is invalid",
    403: "This action is outside the authorized scopes",
}


def _when_oidc_is_on(view_class):
    """DOT's OIDC views answer an empty 404 (and raise under DEBUG) when OIDC
    is off; ours answer a JSON 404 saying why."""

    class View(view_class):
        def dispatch(self, request, *args, **kwargs):
            if not oauth2_settings.OIDC_ENABLED:
                return JsonResponse({"error": "OpenID Connect is not enabled on this server"}, status=404)
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                # oauthlib refuses a token with an empty body and the reason
                # in WWW-Authenticate; API clients expect Mastodon's JSON.
                error = JsonResponse({"error": OIDC_ERRORS.get(response.status_code, "Request refused")})
                error.status_code = response.status_code
                if response.has_header("WWW-Authenticate"):
                    error["WWW-Authenticate"] = response["WWW-Authenticate"]
                return error
            return response

    View.__name__ = view_class.__name__
    return View


UserInfoView = _when_oidc_is_on(oauth_views.UserInfoView)
JwksInfoView = _when_oidc_is_on(oauth_views.JwksInfoView)
ConnectDiscoveryInfoView = _when_oidc_is_on(oauth_views.ConnectDiscoveryInfoView)


def authorization_server_metadata(request):
    """RFC 8414: where the endpoints are and what they support."""

    def url(name):
        return request.build_absolute_uri(reverse(name))

    return JsonResponse(
        {
            "issuer": request.build_absolute_uri("/"),
            "service_documentation": request.build_absolute_uri("/api/docs/"),
            "authorization_endpoint": url("oauth2_provider:authorize"),
            "token_endpoint": url("oauth2_provider:token"),
            "revocation_endpoint": url("oauth2_provider:revoke-token"),
            "userinfo_endpoint": url("oauth2_provider:user-info"),
            "app_registration_endpoint": url("api_apps"),
            # Mastodon's scopes; `openid` is in /.well-known/openid-configuration.
            "scopes_supported": list(api_scopes.DESCRIPTIONS),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        }
    )
