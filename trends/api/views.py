"""GET /api/v1/trends/tags (and its older alias /api/v1/trends): the trending hashtags.

Mastodon pages this list by `offset`, with `Link` headers carrying the
next and previous offsets; anyone may read it, with or without a token.
"""

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api import pagination
from api.views import MastodonView

from .. import selectors
from .serializers import trend_tag_json

# Mastodon's: 10 by default, at most twice that.
DEFAULT_LIMIT = 10
MAX_LIMIT = 20
TAG_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "url": {"type": "string"},
        "history": {"type": "array", "items": {"type": "object"}},
    },
}


def _offset_link(request, offset: int, rel: str) -> str:
    kept = [
        (key, value) for key, values in request.query_params.lists() if key != "offset" for value in values
    ]
    query = urlencode([*kept, ("offset", offset)])
    return f'<{request.build_absolute_uri(request.path)}?{query}>; rel="{rel}"'


class TrendingTagsView(MastodonView):
    """The hashtags trending now, best first, as Tags with a week of history."""

    anonymous = {"GET"}
    # Mastodon asks for no particular scope here: any token will do.
    scopes = {"GET": "read|write|follow|push|profile"}

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, description=f"{DEFAULT_LIMIT} by default, at most {MAX_LIMIT}."),
            OpenApiParameter("offset", int, description="Skip this many trends."),
        ],
        responses={200: {"type": "array", "items": TAG_SCHEMA}},
    )
    def get(self, request):
        limit = pagination.limit_param(request, default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
        offset = pagination.offset_param(request)
        trends = selectors.current_trends().trends
        page = trends[offset : offset + limit]
        links = []
        if offset + limit < len(trends):
            links.append(_offset_link(request, offset + limit, "next"))
        if offset > 0:
            links.append(_offset_link(request, max(offset - limit, 0), "prev"))
        headers = {"Link": ", ".join(links)} if links else {}
        return Response([trend_tag_json(trend, request) for trend in page], headers=headers)
