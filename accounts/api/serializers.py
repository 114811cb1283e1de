"""Accounts as Mastodon's API shows them: Account, CredentialAccount, Relationship.

Each serializer declares its fields for the OpenAPI schema and builds its
dict directly in `to_representation`: an account appears in every status
of every timeline, and DRF's per-field machinery would cost more than the
page's queries (tests check the declared and built keys agree).
"""

from functools import cache

from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape, linebreaks
from rest_framework import serializers

from api.representation import absolute, iso

from .. import roles
from ..models import Application, User
from ..selectors import Relationship


def _field(name: str, value_html: str) -> dict:
    return {"name": name, "value": value_html, "verified_at": None}


def _fields(user: User) -> list[dict]:
    fields = []
    if user.website:
        href = escape(user.website)
        shown = escape(user.website.split("://", 1)[-1].rstrip("/"))
        fields.append(
            _field("Website", f'<a href="{href}" rel="me nofollow noopener" target="_blank">{shown}</a>')
        )
    if user.location:
        fields.append(_field("Location", escape(user.location)))
    return fields


# An account appears in every status of a timeline: the parts of its URLs
# that are the same for everyone are looked up once per process (static()
# reads the manifest and reverse() walks the URLconf on every call).
@cache
def _default_image(kind: str) -> str:
    return static(f"img/missing-{kind}.png")


@cache
def _profile_path() -> str:
    return reverse("profile", args=["USERNAME"])


def profile_path(user: User) -> str:
    # Usernames are [A-Za-z0-9_]: nothing for reverse() to quote.
    return _profile_path().replace("USERNAME", user.username)


def account_json(user: User, request) -> dict:
    url = absolute(request, profile_path(user))
    avatar = absolute(request, user.avatar.url if user.avatar else _default_image("avatar"))
    header = absolute(request, user.header.url if user.header else _default_image("header"))
    return {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name,
        "locked": user.is_protected,
        "bot": False,
        "discoverable": True,
        "indexable": not user.is_protected,
        "group": False,
        "noindex": False,
        "created_at": iso(user.date_joined.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": linebreaks(user.bio) if user.bio else "",
        "url": url,
        "uri": url,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": user.followers_count,
        "following_count": user.following_count,
        "statuses_count": user.tweets_count,
        "last_status_at": None,
        "hide_collections": False,
        "emojis": [],
        "fields": _fields(user),
        "roles": [],
    }


class AccountSerializer(serializers.Serializer):
    """Mastodon's Account."""

    id = serializers.CharField()
    username = serializers.CharField()
    acct = serializers.CharField(help_text="The username: every account here is local.")
    display_name = serializers.CharField()
    locked = serializers.BooleanField(help_text="Protected: follows need approval.")
    bot = serializers.BooleanField()
    discoverable = serializers.BooleanField()
    indexable = serializers.BooleanField()
    group = serializers.BooleanField()
    noindex = serializers.BooleanField()
    created_at = serializers.DateTimeField(help_text="Midnight UTC of the sign-up day, as Mastodon shows it.")
    note = serializers.CharField(help_text="The bio, as HTML.")
    url = serializers.URLField()
    uri = serializers.URLField()
    avatar = serializers.URLField()
    avatar_static = serializers.URLField()
    header = serializers.URLField()
    header_static = serializers.URLField()
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    statuses_count = serializers.IntegerField()
    last_status_at = serializers.DateField(allow_null=True)
    hide_collections = serializers.BooleanField()
    emojis = serializers.ListField(child=serializers.DictField())
    fields = serializers.ListField(child=serializers.DictField(), help_text="Website and location.")
    roles = serializers.ListField(child=serializers.DictField())

    def to_representation(self, instance):
        return account_json(instance, self.context["request"])


def credential_account_json(user: User, request, *, follow_requests_count: int) -> dict:
    data = account_json(user, request)
    data["source"] = {
        "privacy": "private" if user.is_protected else "public",
        "sensitive": False,
        "language": "",
        "note": user.bio,
        "fields": [{"name": f["name"], "value": v, "verified_at": None} for f, v in _plain_fields(user)],
        "follow_requests_count": follow_requests_count,
        "indexable": data["indexable"],
        "discoverable": data["discoverable"],
        "hide_collections": data["hide_collections"],
        "attribution_domains": [],
    }
    data["role"] = ROLE_JSON[roles.role_of(user)]
    return data


# Mastodon's Role of the user: its "everyone" role (id -99), or one with
# Mastodon's permission bits (administrator = 1; manage_reports | manage_users).
ROLE_JSON = {
    roles.USER: {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False},
    roles.MODERATOR: {
        "id": "1",
        "name": "Moderator",
        "permissions": str(1 << 4 | 1 << 10),
        "color": "",
        "highlighted": True,
    },
    roles.ADMIN: {"id": "2", "name": "Admin", "permissions": "1", "color": "", "highlighted": True},
}


def _plain_fields(user: User):
    plain = {"Website": user.website, "Location": user.location}
    return [(field, plain[field["name"]]) for field in _fields(user)]


class CredentialAccountSerializer(AccountSerializer):
    """The authenticated user's own Account, with `source` (the plain texts behind the HTML) and `role`."""

    source = serializers.DictField()
    role = serializers.DictField()

    def to_representation(self, instance):
        return credential_account_json(
            instance, self.context["request"], follow_requests_count=self.context["follow_requests_count"]
        )


def relationship_json(user_id: int, rel: Relationship) -> dict:
    return {
        "id": str(user_id),
        "following": rel.following,
        "showing_reblogs": rel.following,
        "notifying": False,
        "languages": None,
        "followed_by": rel.followed_by,
        "blocking": rel.blocking,
        "blocked_by": rel.blocked_by,
        "muting": rel.muting,
        "muting_notifications": rel.muting,
        "requested": rel.requested,
        "requested_by": rel.requested_by,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
    }


class RelationshipSerializer(serializers.Serializer):
    """Mastodon's Relationship: how the authenticated user relates to an account."""

    id = serializers.CharField()
    following = serializers.BooleanField()
    showing_reblogs = serializers.BooleanField()
    notifying = serializers.BooleanField()
    languages = serializers.ListField(child=serializers.CharField(), allow_null=True)
    followed_by = serializers.BooleanField()
    blocking = serializers.BooleanField()
    blocked_by = serializers.BooleanField()
    muting = serializers.BooleanField()
    muting_notifications = serializers.BooleanField()
    requested = serializers.BooleanField()
    requested_by = serializers.BooleanField()
    domain_blocking = serializers.BooleanField()
    endorsed = serializers.BooleanField()
    note = serializers.CharField()

    def to_representation(self, instance):
        user_id, rel = instance
        return relationship_json(user_id, rel)


def application_json(application: Application, *, secret: str | None = None) -> dict:
    uris = application.redirect_uris.split()
    data = {
        "id": str(application.pk),
        "name": application.name,
        "website": application.website or None,
        "scopes": application.scopes.split(),
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        # Web Push keys arrive with the notifications issue.
        "vapid_key": "",
    }
    if secret is not None:
        data.update(client_id=application.client_id, client_secret=secret, client_secret_expires_at=0)
    return data


class ApplicationSerializer(serializers.Serializer):
    """Mastodon's Application (CredentialApplication when just registered: with client_id and secret)."""

    id = serializers.CharField()
    name = serializers.CharField()
    website = serializers.URLField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField())
    redirect_uri = serializers.CharField()
    redirect_uris = serializers.ListField(child=serializers.CharField())
    vapid_key = serializers.CharField()
    client_id = serializers.CharField(required=False)
    client_secret = serializers.CharField(required=False)
    client_secret_expires_at = serializers.IntegerField(required=False)


def preferences_json(user: User) -> dict:
    # Only the default visibility is a setting here: protected accounts post
    # for their followers, as Mastodon's locked accounts usually do.
    return {
        "posting:default:visibility": "private" if user.is_protected else "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


VISIBILITIES = ["public", "unlisted", "private", "direct"]


class PreferencesSerializer(serializers.Serializer):
    """Mastodon's Preferences (keys with colons, hence built in get_fields)."""

    def get_fields(self):
        return {
            "posting:default:visibility": serializers.ChoiceField(
                ["public", "unlisted", "private", "direct"]
            ),
            "posting:default:sensitive": serializers.BooleanField(),
            "posting:default:language": serializers.CharField(allow_null=True),
            "reading:expand:media": serializers.ChoiceField(["default", "show_all", "hide_all"]),
            "reading:expand:spoilers": serializers.BooleanField(),
        }

    def to_representation(self, instance):
        return preferences_json(instance)
