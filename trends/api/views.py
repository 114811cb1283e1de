"""GET /api/v1/trends/tags (and its older alias /api/v1/trends): the
trending hashtags; GET /api/v1/trends/statuses: the trending posts.

Mastodon pages these lists by `offset`, with `Link` headers carrying the
next and previous offsets; anyone may read them, with or without a token.
"""

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api import pagination
from api.views import MastodonView, viewer
from tweets.api.serializers import StatusSerializer, status_json
from tweets.signals import send_tweets_shown

from .. import posts, selectors
from .serializers import trend_tag_json

# Mastodon's: 10 tags by default, at most twice that; 20 statuses, at most 40.
DEFAULT_LIMIT = 10
MAX_LIMIT = 20
STATUSES_DEFAULT_LIMIT = 20
STATUSES_MAX_LIMIT = 40
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


def _offset_links(request, *, offset: int, limit: int, more: bool) -> dict:
    links = []
    if more:
        links.append(_offset_link(request, offset + limit, "next"))
    if offset > 0:
        links.append(_offset_link(request, max(offset - limit, 0), "prev"))
    return {"Link": ", ".join(links)} if links else {}


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
        headers = _offset_links(request, offset=offset, limit=limit, more=offset + limit < len(trends))
        return Response([trend_tag_json(trend, request) for trend in page], headers=headers)


class TrendingStatusesView(MastodonView):
    """The posts trending now (trends.posts), best first, that the caller may see."""

    anonymous = {"GET"}
    scopes = {"GET": "read|write|follow|push|profile"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                int,
                description=f"{STATUSES_DEFAULT_LIMIT} by default, at most {STATUSES_MAX_LIMIT}.",
            ),
            OpenApiParameter("offset", int, description="Skip this many posts."),
        ],
        responses=StatusSerializer(many=True),
    )
    def get(self, request):
        limit = pagination.limit_param(request, default=STATUSES_DEFAULT_LIMIT, maximum=STATUSES_MAX_LIMIT)
        offset = pagination.offset_param(request)
        # One more than asked tells whether there is a next page.
        rows = posts.trending_tweets(viewer(request), limit=limit + 1, offset=offset)
        page = rows[:limit]
        send_tweets_shown(request.user, page)
        headers = _offset_links(request, offset=offset, limit=limit, more=len(rows) > limit)
        return Response([status_json(row, request) for row in page], headers=headers)
