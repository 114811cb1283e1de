"""Lists of statuses: one's bookmarks and favourites, an account's statuses.

GET /api/v1/bookmarks, /api/v1/favourites, /api/v1/accounts/:id/statuses.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.selectors import active_users
from api import params
from api.views import MastodonView, viewer

from .. import selectors
from ..signals import send_tweets_shown
from .base import paged
from .serializers import StatusSerializer, status_json


class BookmarksView(MastodonView):
    """The user's bookmarks, latest bookmark first; the Link header carries bookmark ids."""

    scopes = {"GET": "read:bookmarks"}

    @extend_schema(responses=StatusSerializer(many=True))
    def get(self, request):
        rows = selectors.bookmarked_tweets(request.user)
        return paged(request, rows, lambda row: status_json(row, request), key="bookmark_id")


class FavouritesView(MastodonView):
    """The user's favourites, latest first; the Link header carries favourite ids."""

    scopes = {"GET": "read:favourites"}

    @extend_schema(responses=StatusSerializer(many=True))
    def get(self, request):
        rows = selectors.liked_tweets(request.user, request.user)
        return paged(request, rows, lambda row: status_json(row, request), key="like_id")


FLAGS = ("exclude_replies", "exclude_reblogs", "only_media", "pinned")


class AccountStatusesView(MastodonView):
    """An account's statuses the viewer may see, newest first: none of a
    protected account's for non-followers, none between blocked accounts."""

    scopes = {"GET": "read:statuses"}
    anonymous = {"GET"}

    @extend_schema(
        parameters=[
            *(OpenApiParameter(name, bool) for name in FLAGS),
            OpenApiParameter("tagged", str),
        ],
        responses=StatusSerializer(many=True),
    )
    def get(self, request, account_id):
        account = active_users().filter(pk=params.object_id(account_id)).first()
        if account is None:
            raise Http404
        query = request.query_params
        flags = {name: params.flag(query, name) for name in FLAGS}
        if flags["only_media"] or flags["pinned"]:
            # No media and no pinned statuses exist yet.
            return Response([])
        rows = selectors.user_tweets(
            viewer(request),
            account,
            with_replies=not flags["exclude_replies"],
            with_retweets=not flags["exclude_reblogs"],
            tagged=params.text(query, "tagged") or None,
        )
        return paged(
            request,
            rows,
            lambda row: status_json(row, request),
            on_page=lambda items: send_tweets_shown(request.user, items),
        )
