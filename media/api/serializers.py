"""MediaAttachment JSON as Mastodon sends it."""

from rest_framework import serializers

from api.representation import absolute

from ..models import MediaAttachment, State


def _absolute(request, field) -> str | None:
    if not field:
        return None
    # Local storage gives a path; S3 and a CDN give a full address, kept as it is.
    return absolute(request, field.url)


def media_json(item: MediaAttachment, request) -> dict:
    """One attachment; `url` and `preview_url` are null until processing is done."""
    ready = item.state == State.READY
    return {
        "id": str(item.pk),
        "type": item.kind,
        "url": _absolute(request, item.file) if ready else None,
        "preview_url": _absolute(request, item.thumbnail) if ready else None,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {**item.meta, "focus": {"x": item.focus_x, "y": item.focus_y}},
        "description": item.description or None,
        "blurhash": item.blurhash or None,
    }


class MediaAttachmentSerializer(serializers.Serializer):
    """For the OpenAPI schema only: the views build their JSON with media_json."""

    id = serializers.CharField()
    type = serializers.ChoiceField(choices=["image", "gifv", "video"])
    url = serializers.URLField(allow_null=True)
    preview_url = serializers.URLField(allow_null=True)
    remote_url = serializers.URLField(allow_null=True)
    meta = serializers.DictField()
    description = serializers.CharField(allow_null=True)
    blurhash = serializers.CharField(allow_null=True)


class MediaParamsSerializer(serializers.Serializer):
    """For the OpenAPI schema only: the multipart form of an upload."""

    file = serializers.FileField()
    description = serializers.CharField(required=False, max_length=1500)
    focus = serializers.CharField(required=False, help_text="x,y, each from -1.0 to 1.0")
