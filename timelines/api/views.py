"""GET /api/v1/timelines/home, /public, /tag/:hashtag; GET and POST /api/v1/markers.

The timelines are the pages' selectors (timelines.selectors, tweets.selectors)
rendered as Mastodon Statuses, paged by id with a Link header.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import pagination, params
from api.views import MastodonView, page_response, viewer
from tweets.api.serializers import StatusSerializer, statuses_json
from tweets.selectors import Page, page_by_id, public_tweets
from tweets.signals import send_tweets_shown

from .. import selectors, services
from .serializers import MarkersSerializer, marker_json

CURSORS = [
    OpenApiParameter("max_id", str, description="Older than this id."),
    OpenApiParameter("since_id", str, description="Newer than this id (the newest first)."),
    OpenApiParameter("min_id", str, description="Newer than this id (the oldest of them first)."),
    OpenApiParameter("limit", int, description="20 by default, at most 40."),
]
FILTERS = [
    OpenApiParameter("local", bool, description="Every account is local here: no effect."),
    OpenApiParameter("remote", bool, description="No remote statuses here: true gives an empty list."),
    OpenApiParameter("only_media", bool, description="No media yet: true gives an empty list."),
]


def _statuses(request, page: Page, *, min_id) -> Response:
    """A page of rows as Statuses, with Mastodon's next (older) and prev (newer) links."""
    items = page.items
    send_tweets_shown(request.user, items)
    next_max_id = page.next_max_id
    if next_max_id is None and min_id is not None and items:
        # Walking up from min_id: older rows exist below this page.
        next_max_id = items[-1].pk
    return page_response(
        request,
        statuses_json(items, request),
        next_max_id=next_max_id,
        prev_min_id=items[0].pk if items else None,
    )


def _filtered_out(request) -> bool:
    """`remote` or `only_media`: nothing here is remote, nothing has media yet."""
    query = request.query_params
    params.flag(query, "local")  # refused when not a boolean, like the others
    return params.flag(query, "remote") or params.flag(query, "only_media")


class HomeTimelineView(MastodonView):
    """The user's home timeline: their tweets and those of the accounts they follow."""

    scopes = {"GET": "read:statuses"}

    @extend_schema(parameters=CURSORS, responses=StatusSerializer(many=True))
    def get(self, request):
        limit = pagination.limit_param(request)
        cursors = pagination.cursors(request)
        page = selectors.home_page(request.user, **cursors, limit=limit)
        return _statuses(request, page, min_id=cursors["min_id"])


class PublicTimelineView(MastodonView):
    """Public tweets of open accounts, newest first; anyone may read it."""

    anonymous = {"GET"}
    scopes = {"GET": "read:statuses"}

    @extend_schema(parameters=[*CURSORS, *FILTERS], responses=StatusSerializer(many=True))
    def get(self, request):
        limit = pagination.limit_param(request)
        cursors = pagination.cursors(request)
        if _filtered_out(request):
            return page_response(request, [])
        page = page_by_id(public_tweets(viewer(request)), **cursors, limit=limit)
        return _statuses(request, page, min_id=cursors["min_id"])


class TagTimelineView(MastodonView):
    """Tweets with a hashtag (and Mastodon's any / all / none tag filters)."""

    anonymous = {"GET"}
    scopes = {"GET": "read:statuses"}

    @extend_schema(
        parameters=[
            *CURSORS,
            *FILTERS,
            OpenApiParameter("any[]", str, many=True, description="Also tweets with any of these tags."),
            OpenApiParameter("all[]", str, many=True, description="Only tweets with all of these tags too."),
            OpenApiParameter("none[]", str, many=True, description="No tweet with any of these tags."),
        ],
        responses=StatusSerializer(many=True),
    )
    def get(self, request, hashtag):
        limit = pagination.limit_param(request)
        cursors = pagination.cursors(request)
        if _filtered_out(request):
            return page_response(request, [])
        query = request.query_params

        def tags(name):
            return [tag.lstrip("#") for tag in params.listing(query, name) if tag.lstrip("#")]

        queryset = selectors.tag_timeline(
            viewer(request),
            hashtag.lstrip("#"),
            any_tags=tags("any"),
            all_tags=tags("all"),
            none_tags=tags("none"),
        )
        page = page_by_id(queryset, **cursors, limit=limit)
        return _statuses(request, page, min_id=cursors["min_id"])


def _positions(data) -> dict[str, int]:
    """`home[last_read_id]=1` (a form) or `{"home": {"last_read_id": "1"}}` (JSON), by timeline."""
    if hasattr(data, "getlist"):
        raw = {
            key.removesuffix("[last_read_id]"): data.get(key)
            for key in data
            if key.endswith("[last_read_id]")
        }
    else:
        raw = {
            key: value.get("last_read_id")
            for key, value in data.items()
            if isinstance(value, dict) and "last_read_id" in value
        }
    positions = {}
    for timeline, value in raw.items():
        try:
            positions[timeline] = int(str(value))
        except ValueError:
            raise ValidationError({f"{timeline}[last_read_id]": "must be an id"}) from None
    return positions


class MarkersView(MastodonView):
    """Where the user stopped reading home and notifications, shared across their apps."""

    scopes = {"GET": "read:statuses", "POST": "write:statuses"}

    @extend_schema(
        parameters=[OpenApiParameter("timeline[]", str, many=True, enum=["home", "notifications"])],
        responses=MarkersSerializer,
    )
    def get(self, request):
        # As in Mastodon, a timeline that has no marker (or does not exist) is left out.
        markers = selectors.markers_of(request.user, params.listing(request.query_params, "timeline"))
        return Response({timeline: marker_json(marker) for timeline, marker in markers.items()})

    @extend_schema(request=MarkersSerializer, responses=MarkersSerializer)
    def post(self, request):
        markers = services.save_markers(request.user, _positions(request.data))
        return Response({marker.timeline: marker_json(marker) for marker in markers})
