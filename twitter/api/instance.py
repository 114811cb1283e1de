"""The server describing itself: GET /api/v1/instance, /api/v2/instance
(and the small /api/v1/instance/* reads apps make at start-up),
/api/v1/custom_emojis.

Limits are the real ones, read from the code and settings that enforce
them, so an app never offers what the server then refuses.
"""

import tomllib
from functools import cache

from django.conf import settings
from django.http.request import split_domain_port
from django.templatetags.static import static
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api.serializers import account_json
from accounts.models import User
from api.representation import absolute, iso
from api.views import MastodonView
from notifications import push
from tweets import text as tweet_text

from .. import selectors

MASTODON_VERSION = "4.3.0"
# Discovery reads need no particular scope: any valid token, or none.
ANY_SCOPE = "read|write|follow|push|profile"
# Twitter's t.co rule: every URL counts as 23 characters.
CHARACTERS_PER_URL = 23
MAX_MEDIA_ATTACHMENTS = 4


@cache
def software_version() -> str:
    """This server's version, from pyproject.toml."""
    try:
        with (settings.BASE_DIR / "pyproject.toml").open("rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0.0.0"


def version_string() -> str:
    """Mastodon's version with ours, the form apps parse for features."""
    return f"{MASTODON_VERSION} (compatible; {settings.SITE_NAME} {software_version()})"


def streaming_url(request) -> str:
    """The WebSocket base URL apps add /api/v1/streaming to."""
    configured = settings.STREAMING_URL
    if configured:
        return configured.rstrip("/")
    scheme = "wss" if request.is_secure() else "ws"
    if settings.STREAMING_PORT:
        # Development: the streaming server beside this one, on its own port.
        return f"{scheme}://{split_domain_port(request.get_host())[0]}:{settings.STREAMING_PORT}"
    return f"{scheme}://{request.get_host()}"


def _description() -> str:
    return settings.SITE_DESCRIPTION or f"{settings.SITE_NAME}: short posts, in the open."


def _languages() -> list[str]:
    return [settings.LANGUAGE_CODE.split("-")[0]]


def _contact(request) -> tuple[str, dict | None]:
    """The contact email and account: the first superuser's."""
    account = selectors.contact_account()
    # Mastodon's contact email must be an address: the server's own sender at worst.
    email = settings.CONTACT_EMAIL or (account.email if account else "") or settings.DEFAULT_FROM_EMAIL
    return email, (account_json(account, request) if account else None)


def _thumbnail(request) -> str:
    return absolute(request, static("img/missing-header.png"))


def _media_configuration() -> dict:
    # No uploads yet (the media issue brings them): no type is accepted and
    # every limit is zero, which clients read as "uploads are off".
    return {
        "supported_mime_types": [],
        "image_size_limit": 0,
        "image_matrix_limit": 0,
        "video_size_limit": 0,
        "video_frame_rate_limit": 0,
        "video_matrix_limit": 0,
    }


def _statuses_configuration() -> dict:
    return {
        "max_characters": tweet_text.MAX_WEIGHT,
        "max_media_attachments": MAX_MEDIA_ATTACHMENTS,
        "characters_reserved_per_url": CHARACTERS_PER_URL,
    }


# No polls here: nothing to offer.
POLLS = {"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0, "max_expiration": 0}


def instance_v1_json(request) -> dict:
    usage = selectors.instance_usage()
    email, account = _contact(request)
    return {
        "uri": request.get_host(),
        "title": settings.SITE_NAME,
        "short_description": _description(),
        "description": _description(),
        "email": email,
        "version": version_string(),
        "urls": {"streaming_api": streaming_url(request)},
        "stats": {"user_count": usage.users, "status_count": usage.local_posts, "domain_count": 0},
        "thumbnail": _thumbnail(request),
        "languages": _languages(),
        "registrations": settings.REGISTRATION_OPEN,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": {
            "accounts": {"max_featured_tags": 0},
            "statuses": _statuses_configuration(),
            "media_attachments": _media_configuration(),
            "polls": POLLS,
        },
        "contact_account": account,
        "rules": [],
    }


def instance_v2_json(request) -> dict:
    usage = selectors.instance_usage()
    email, account = _contact(request)
    user_field = User._meta.get_field
    return {
        "domain": request.get_host(),
        "title": settings.SITE_NAME,
        "version": version_string(),
        "source_url": settings.SOURCE_URL or absolute(request, "/"),
        "description": _description(),
        "usage": {"users": {"active_month": usage.active_month}},
        "thumbnail": {"url": _thumbnail(request), "blurhash": None, "description": None, "versions": None},
        "icon": [{"src": absolute(request, static("favicon.svg")), "size": "512x512"}],
        "languages": _languages(),
        "configuration": {
            "urls": {
                "streaming": streaming_url(request),
                "status": None,
                "about": None,
                "privacy_policy": None,
                "terms_of_service": None,
            },
            "accounts": {
                "max_featured_tags": 0,
                "max_pinned_statuses": 0,
                "max_display_name_length": user_field("display_name").max_length,
                "max_note_length": user_field("bio").max_length,
                "max_profile_fields": 0,
            },
            "statuses": _statuses_configuration(),
            "media_attachments": {**_media_configuration(), "description_limit": 0},
            "polls": POLLS,
            "translation": {"enabled": False},
            # Mastodon 4.3+: the key apps subscribe to Web Push with ("" when push is off).
            "vapid": {"public_key": push.server_key() if push.enabled() else ""},
        },
        "registrations": {
            "enabled": settings.REGISTRATION_OPEN,
            "approval_required": False,
            "reason_required": False,
            "message": None,
            "url": None,
            "min_age": None,
        },
        "api_versions": {"mastodon": 2},
        "contact": {"email": email, "account": account},
        "rules": [],
    }


V1_INSTANCE = inline_serializer(
    "V1Instance",
    {
        "uri": serializers.CharField(),
        "title": serializers.CharField(),
        "version": serializers.CharField(help_text='"4.3.0 (compatible; Chirp 0.1.0)"'),
        "urls": serializers.DictField(help_text="`streaming_api`: the WebSocket base URL."),
        "stats": serializers.DictField(),
        "configuration": serializers.DictField(help_text="The server's real limits."),
        "registrations": serializers.BooleanField(),
        "contact_account": serializers.DictField(allow_null=True),
        "rules": serializers.ListField(),
    },
)
INSTANCE = inline_serializer(
    "Instance",
    {
        "domain": serializers.CharField(),
        "title": serializers.CharField(),
        "version": serializers.CharField(help_text='"4.3.0 (compatible; Chirp 0.1.0)"'),
        "usage": serializers.DictField(),
        "configuration": serializers.DictField(
            help_text="The server's real limits; `urls.streaming`: the WebSocket base URL."
        ),
        "registrations": serializers.DictField(),
        "api_versions": serializers.DictField(help_text='{"mastodon": 2}'),
        "contact": serializers.DictField(),
        "rules": serializers.ListField(),
    },
)


# An array of entities whose shape the delivering issue documents.
LIST = {200: {"type": "array", "items": {"type": "object"}}}


class _Discovery(MastodonView):
    anonymous = {"GET"}
    scopes = {"GET": ANY_SCOPE}


class InstanceV1View(_Discovery):
    """The server's description, Mastodon 3.x shape (still read by many apps)."""

    @extend_schema(responses=V1_INSTANCE)
    def get(self, request):
        return Response(instance_v1_json(request))


class InstanceV2View(_Discovery):
    """The server's description, the current shape."""

    @extend_schema(responses=INSTANCE)
    def get(self, request):
        return Response(instance_v2_json(request))


class InstanceRulesView(_Discovery):
    """The server's rules: none written yet."""

    @extend_schema(responses=LIST)
    def get(self, request):
        return Response([])


class InstancePeersView(_Discovery):
    """Other servers this one knows: none, it does not federate."""

    @extend_schema(responses={200: {"type": "array", "items": {"type": "string"}}})
    def get(self, request):
        return Response([])


class ExtendedDescriptionView(_Discovery):
    """The long description of the server (HTML)."""

    @extend_schema(responses=inline_serializer("ExtendedDescription", {"content": serializers.CharField()}))
    def get(self, request):
        # Generated from settings, so it is as new as this response.
        return Response({"updated_at": iso(timezone.now()), "content": f"<p>{_description()}</p>"})


class TranslationLanguagesView(_Discovery):
    """Translation is off: no language pairs."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response({})


class CustomEmojisView(_Discovery):
    """Custom emojis: none."""

    @extend_schema(responses=LIST)
    def get(self, request):
        return Response([])
