"""OAuth scopes, Mastodon's: which exist, what each implies, who may call what.

A view says what it needs per HTTP method:

    scopes = {"GET": "read:statuses", "POST": "write:statuses"}
    anonymous = {"GET"}          # methods that work without a token

A token with `read` satisfies every `read:*`, `write` every `write:*`, and
the legacy `follow` the follow, block and mute scopes. A value may list
alternatives separated by "|" ("read:accounts|profile").
"""

from django.conf import settings
from oauth2_provider.scopes import BaseScopes
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from .errors import INVALID_TOKEN

GRANULAR = {
    "read": [
        "accounts",
        "blocks",
        "bookmarks",
        "favourites",
        "filters",
        "follows",
        "lists",
        "mutes",
        "notifications",
        "search",
        "statuses",
    ],
    "write": [
        "accounts",
        "blocks",
        "bookmarks",
        "conversations",
        "favourites",
        "filters",
        "follows",
        "lists",
        "media",
        "mutes",
        "notifications",
        "reports",
        "statuses",
    ],
}
FOLLOW_IMPLIES = frozenset(
    {"read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"}
)
DESCRIPTIONS = {
    "read": "Read all your account's data",
    "write": "Change all your account's data",
    "follow": "Follow, block and mute accounts (and see those lists)",
    "push": "Receive push notifications",
    "profile": "See your profile, and nothing else",
    **{
        f"{kind}:{name}": f"{'See' if kind == 'read' else 'Change'} your {name}"
        for kind in GRANULAR
        for name in GRANULAR[kind]
    },
}
DEFAULT = ["read"]
OPENID = "openid"


def all_scopes() -> list[str]:
    names = list(DESCRIPTIONS)
    if settings.OAUTH2_PROVIDER.get("OIDC_ENABLED"):
        names.append(OPENID)
    return names


def grants(token_scopes, required: str) -> bool:
    """Whether a token holding `token_scopes` may do what needs `required`."""
    held = set(token_scopes)
    for alternative in required.split("|"):
        if alternative in held or alternative.split(":")[0] in held:
            return True
        if alternative in FOLLOW_IMPLIES and "follow" in held:
            return True
    return False


def parse(text: str | None) -> list[str]:
    """Scopes from a request's space- or plus-separated string; unknown ones kept."""
    return [s for s in (text or "").replace("+", " ").split() if s]


class MastodonScopes(BaseScopes):
    """django-oauth-toolkit's scope backend: an app gets at most the scopes it registered."""

    def get_all_scopes(self):
        names = all_scopes()
        return {name: DESCRIPTIONS.get(name, "Sign in with your account (OpenID Connect)") for name in names}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return all_scopes()
        registered = parse(application.scopes)
        # Asking for `read:statuses` is fine for an app that registered `read`.
        return [name for name in all_scopes() if name == OPENID or grants(registered, name)]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return DEFAULT


class HasScopes(BasePermission):
    """The default permission: a user token (or anonymous where allowed) with the scope."""

    message = "This action is outside the authorized scopes"

    def has_permission(self, request, view):
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        if not request.user.is_authenticated:
            if method in getattr(view, "anonymous", ()):
                return True
            # An app token (client_credentials) is valid but has no user.
            raise NotAuthenticated(
                "This method requires an authenticated user" if request.auth else INVALID_TOKEN
            )
        required = getattr(view, "scopes", {}).get(method)
        # A method without a declared scope is refused, never open by omission.
        return required is not None and grants(parse(request.auth.scope), required)
