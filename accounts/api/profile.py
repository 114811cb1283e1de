"""The user's own account: verify_credentials, update_credentials, preferences."""

import re

from django import forms
from django.core.exceptions import ValidationError as ModelValidationError
from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import params
from api.views import MastodonView

from .. import selectors, services
from .serializers import (
    CredentialAccountSerializer,
    PreferencesSerializer,
    credential_account_json,
    preferences_json,
)

# Mastodon's parameter names for the profile's fields, in error messages.
API_NAMES = {"bio": "note", "is_protected": "locked", "website": "Website", "location": "Location"}
PROFILE_FIELD_NAMES = ("website", "location")  # the only "fields_attributes" a profile has
FIELD_KEY = re.compile(r"^fields_attributes\[(\w*)\]\[(name|value)\]$")
WEBSITE = forms.URLField(max_length=100, assume_scheme="https")


def _credential_account(user, request) -> Response:
    count = selectors.pending_follow_requests(user).count()
    return Response(credential_account_json(user, request, follow_requests_count=count))


class VerifyCredentialsView(MastodonView):
    """The user's own account, with `source` and the pending follow requests count."""

    scopes = {"GET": "read:accounts|profile"}

    @extend_schema(responses=CredentialAccountSerializer)
    def get(self, request):
        return _credential_account(request.user, request)


class UpdateCredentialsView(MastodonView):
    """Change the profile: form, multipart (with avatar / header images) or JSON.

    Only the parameters sent change; `fields_attributes`, when sent, sets
    both Website and Location (a missing one is cleared).
    """

    scopes = {"PATCH": "write:accounts"}

    @extend_schema(request=None, responses=CredentialAccountSerializer)
    def patch(self, request):
        fields, images = _profile_changes(request.data)
        try:
            user = services.update_profile(request.user, **images, **fields)
        except ModelValidationError as error:
            if hasattr(error, "error_dict"):
                raise ModelValidationError(
                    {API_NAMES.get(name, name): errors for name, errors in error.message_dict.items()}
                ) from error
            raise
        return _credential_account(user, request)


def _profile_changes(data) -> tuple[dict, dict]:
    fields = {}
    for param, name in (("display_name", "display_name"), ("note", "bio")):
        if param in data:
            fields[name] = params.text(data, param).strip()
    if "locked" in data:
        fields["is_protected"] = params.boolean(data.get("locked"), "locked")
    entries = _field_entries(data)
    if entries is not None:
        fields.update(_profile_fields(entries))
    images = {}
    for name in ("avatar", "header"):
        value = data.get(name)
        if isinstance(value, UploadedFile):
            images[name] = value
        elif value not in (None, ""):
            raise ValidationError({name: "must be an image sent as multipart/form-data"})
    return fields, images


def _field_entries(data) -> list | None:
    """`fields_attributes` as a list of {name, value}: a JSON object or array,
    or form keys `fields_attributes[0][name]`; None when not sent."""
    if not hasattr(data, "getlist"):
        value = data.get("fields_attributes")
        if value is None:
            return None
        entries = list(value.values()) if isinstance(value, dict) else value
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise ValidationError({"fields_attributes": "must be a list of {name, value}"})
        return entries
    by_index: dict[str, dict] = {}
    for key in data:
        match = FIELD_KEY.match(key)
        if match:
            index, part = match.groups()
            for position, value in enumerate(data.getlist(key)):
                by_index.setdefault(index or f"[]{position}", {})[part] = value
    return list(by_index.values()) if by_index else None


def _profile_fields(entries: list[dict]) -> dict:
    fields = dict.fromkeys(PROFILE_FIELD_NAMES, "")
    for entry in entries:
        name = params.text(entry, "name").strip()
        value = params.text(entry, "value").strip()
        if not name and not value:
            continue
        if name.lower() not in fields:
            raise ValidationError({"fields_attributes": 'only "Website" and "Location" are supported'})
        fields[name.lower()] = value
    if fields["website"]:
        try:
            fields["website"] = WEBSITE.clean(fields["website"])
        except ModelValidationError as error:
            raise ValidationError({"Website": error.messages}) from error
    return fields


class RemoveImageView(MastodonView):
    """DELETE /api/v1/profile/avatar and /header: back to the default image."""

    scopes = {"DELETE": "write:accounts"}
    image = ""

    @extend_schema(responses=CredentialAccountSerializer)
    def delete(self, request):
        return _credential_account(services.remove_profile_image(request.user, self.image), request)


class PreferencesView(MastodonView):
    """Posting and reading defaults, as clients ask for them at start-up."""

    scopes = {"GET": "read:accounts"}

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        return Response(preferences_json(request.user))
