"""OAuth client apps: registering one, and a person's authorizations of them.

Split from services.py by topic; the same rules apply: one transaction per
function, ValidationError for bad input.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from api import scopes as api_scopes

from .models import Application, User

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
# Schemes a browser would run or read locally instead of handing to an app.
UNSAFE_SCHEMES = {"javascript", "data", "vbscript", "file", "about", "blob"}
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")


def _validate_redirect_uri(uri: str) -> None:
    if uri == OUT_OF_BAND:
        return
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if not SCHEME.match(scheme) or scheme in UNSAFE_SCHEMES:
        raise ValidationError(f"Redirect URI {uri!r} is not a URL an app can receive.", code="redirect_uri")
    if scheme in ("http", "https") and not parts.netloc:
        raise ValidationError(f"Redirect URI {uri!r} has no host.", code="redirect_uri")
    if parts.fragment:
        raise ValidationError(f"Redirect URI {uri!r} must not have a fragment.", code="redirect_uri")


@transaction.atomic
def register_application(
    *, name: str, redirect_uris: list[str], scopes: str = "", website: str = "", owner: User | None = None
) -> tuple[Application, str]:
    """Register an OAuth client; returns it with its secret, shown this once.

    Raises ValidationError for a missing name, a missing, unsafe or
    malformed redirect URI, or an unknown scope.
    """
    name = name.strip()
    if not name:
        raise ValidationError("client_name can't be blank.", code="name")
    if len(name) > 255:
        raise ValidationError("client_name is too long (at most 255 characters).", code="name")
    uris = [uri.strip() for uri in redirect_uris if uri.strip()]
    if not uris:
        raise ValidationError("redirect_uris can't be blank.", code="redirect_uri")
    for uri in uris:
        _validate_redirect_uri(uri)
    # `openid` needs no registration: any app may ask for it when OIDC is on.
    requested = [s for s in api_scopes.parse(scopes) if s != api_scopes.OPENID] or api_scopes.DEFAULT
    unknown = sorted(set(requested) - set(api_scopes.DESCRIPTIONS))
    if unknown:
        raise ValidationError(f"Unknown scopes: {', '.join(unknown)}.", code="scopes")
    secret = generate_client_secret()
    application = Application(
        name=name,
        redirect_uris=" ".join(uris),
        scopes=" ".join(dict.fromkeys(requested)),
        website=website.strip()[:500],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        user=owner,
        # ID tokens are signed with the server key (used only when OIDC is on).
        algorithm=Application.RS256_ALGORITHM,
    )
    application.save()
    return application, secret


def authorized_applications(user: User) -> QuerySet:
    """Apps holding a live token of `user`, each once, most recently authorized first."""
    return (
        Application.objects.filter(accesstoken__user=user, accesstoken__expires__gt=timezone.now())
        .distinct()
        .order_by("name", "pk")
    )


@transaction.atomic
def revoke_application(user: User, application: Application) -> int:
    """End every token and pending grant `application` holds for `user`.

    Its next API call with any of them is a 401. Returns how many tokens ended.
    """
    RefreshToken.objects.filter(user=user, application=application).delete()
    Grant.objects.filter(user=user, application=application).delete()
    revoked, _ = AccessToken.objects.filter(user=user, application=application).delete()
    return revoked
