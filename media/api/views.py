"""Mastodon's media API: POST /api/v2/media (processing in the background),
POST /api/v1/media (images processed before answering), and
GET / PUT / DELETE /api/v1/media/:id on one's own unattached media.

Someone else's attachment, or one already attached to a post, is "Record
not found", as in Mastodon: ids are never confirmed to strangers.
"""

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from api import params
from api.errors import Unprocessable
from api.views import MastodonView

from .. import selectors, services
from ..models import Kind, MediaAttachment, State
from .serializers import MediaAttachmentSerializer, MediaParamsSerializer, media_json

# Room for the form's other fields and the multipart boundaries.
FORM_OVERHEAD_BYTES = 64 * 1024


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The file is too large."


def parse_focus(raw: str, name: str = "focus") -> tuple[float, float] | None:
    """Mastodon's focus parameter: "x,y", each a number from -1 to 1
    (media.services checks the range); empty is None."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        x, y = (float(part) for part in raw.split(","))
    except ValueError:
        raise ValidationError({name: "must be two numbers, x,y"}) from None
    return x, y


def _focus(data) -> tuple[float, float] | None:
    return parse_focus(params.text(data, "focus"))


def _description(data) -> str | None:
    return params.text(data, "description") if data.get("description") is not None else None


def _own(request, media_id) -> MediaAttachment:
    try:
        return selectors.own_unattached(request.user, params.object_id(media_id))
    except MediaAttachment.DoesNotExist:
        raise Http404 from None


class MediaUploadView(MastodonView):
    """POST /api/v2/media: 202 with a null url while the file is processed
    (poll GET /api/v1/media/:id), 200 when it is ready already."""

    scopes = {"POST": "write:media"}
    rate_limit = ("media", {"POST"})

    def initial(self, request, *args, **kwargs):
        # Refused before Django spools the body to disk: the limits of
        # media.validation apply to the file, this one to the request.
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = max(settings.MEDIA_IMAGE_MAX_BYTES, settings.MEDIA_VIDEO_MAX_BYTES) + FORM_OVERHEAD_BYTES
        if length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(f"The upload is too large; at most {limit // 1024 // 1024} MB.")
        super().initial(request, *args, **kwargs)

    def _upload(self, request) -> MediaAttachment:
        file = request.FILES.get("file")
        if file is None:
            raise Unprocessable("file: attach a file to upload")
        return services.upload(
            request.user, file, description=_description(request.data) or "", focus=_focus(request.data)
        )

    @extend_schema(
        request={"multipart/form-data": MediaParamsSerializer}, responses=MediaAttachmentSerializer
    )
    def post(self, request):
        item = self._upload(request)
        item.refresh_from_db()  # processing may have run already (an eager or quick worker)
        code = status.HTTP_200_OK if item.state == State.READY else status.HTTP_202_ACCEPTED
        return Response(media_json(item, request), status=code)


class MediaUploadV1View(MediaUploadView):
    """POST /api/v1/media: Mastodon's older, synchronous upload. Images are
    processed before the answer (a worker that took the job first leaves it
    processing: url null); videos are always left to the worker."""

    @extend_schema(
        request={"multipart/form-data": MediaParamsSerializer}, responses=MediaAttachmentSerializer
    )
    def post(self, request):
        item = self._upload(request)
        if item.kind == Kind.IMAGE:
            services.process(item.pk)
        item.refresh_from_db()
        if item.state == State.FAILED:
            # Nothing half-stored: the upload is refused as a whole.
            services.delete(request.user, item.pk)
            raise Unprocessable(item.error)
        return Response(media_json(item, request))


class MediaView(MastodonView):
    """GET (206 while processing, 200 when ready), PUT (alt text, focus) and
    DELETE one's own unattached attachment."""

    scopes = {"GET": "write:media", "PUT": "write:media", "DELETE": "write:media"}

    @extend_schema(responses=MediaAttachmentSerializer)
    def get(self, request, media_id):
        item = _own(request, media_id)
        if item.state == State.FAILED:
            raise Unprocessable(f"Processing failed: {item.error}")
        code = status.HTTP_200_OK if item.state == State.READY else status.HTTP_206_PARTIAL_CONTENT
        return Response(media_json(item, request), status=code)

    @extend_schema(request=MediaParamsSerializer, responses=MediaAttachmentSerializer)
    def put(self, request, media_id):
        try:
            item = services.update(
                request.user,
                params.object_id(media_id),
                description=_description(request.data),
                focus=_focus(request.data),
            )
        except MediaAttachment.DoesNotExist:
            raise Http404 from None
        return Response(media_json(item, request))

    @extend_schema(responses=MediaAttachmentSerializer)
    def delete(self, request, media_id):
        try:
            item = services.delete(request.user, params.object_id(media_id))
        except MediaAttachment.DoesNotExist:
            raise Http404 from None
        return Response(media_json(item, request))
