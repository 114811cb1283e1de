"""GET /api/v1/tags/:name: one hashtag."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.views import MastodonView

from .. import selectors
from .serializers import tag_json


class TagView(MastodonView):
    scopes = {"GET": "read"}
    anonymous = {"GET"}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, name):
        hashtag = selectors.get_hashtag(name)
        if hashtag is None:
            raise Http404
        return Response(tag_json(hashtag, request))
