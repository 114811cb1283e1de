"""Favourites (likes), reblogs (retweets) and bookmarks of one status.

POST /api/v1/statuses/:id/favourite, /unfavourite, /reblog, /unreblog,
/bookmark, /unbookmark; GET /api/v1/statuses/:id/favourited_by and
/reblogged_by.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.api.serializers import AccountSerializer, account_json
from api.views import MastodonView, viewer

from .. import selectors, services
from .base import paged, perform, visible_status
from .serializers import StatusSerializer, status_json


def _shown_after(action, row, result):
    """Which status the response shows: the new reblog for a reblog, the
    original after an unreblog (the row named may be the reblog just undone),
    else the status named."""
    if action is services.retweet:
        return result.pk
    if action is services.unretweet:
        return row.retweet_of_id or row.pk
    return row.pk


def interaction_view(name: str, action, scope: str):
    """A POST endpoint that applies `action` (a tweets.services function) to
    the status in the URL and answers with that status in its new state."""

    class InteractionView(MastodonView):
        scopes = {"POST": scope}

        @extend_schema(request=None, responses=StatusSerializer)
        def post(self, request, status_id):
            row = visible_status(request, status_id)
            result = perform(action, request.user, row)
            return Response(status_json(visible_status(request, _shown_after(action, row, result)), request))

    InteractionView.__name__ = InteractionView.__qualname__ = f"{name.title()}View"
    InteractionView.__doc__ = f"POST /api/v1/statuses/:id/{name} (tweets.services.{action.__name__})."
    return InteractionView


FavouriteView = interaction_view("favourite", services.like, "write:favourites")
UnfavouriteView = interaction_view("unfavourite", services.unlike, "write:favourites")
ReblogView = interaction_view("reblog", services.retweet, "write:statuses")
UnreblogView = interaction_view("unreblog", services.unretweet, "write:statuses")
BookmarkView = interaction_view("bookmark", services.bookmark, "write:bookmarks")
UnbookmarkView = interaction_view("unbookmark", services.unbookmark, "write:bookmarks")


class FavouritedByView(MastodonView):
    """Accounts that favourited a status, the latest first; paged by favourite id."""

    scopes = {"GET": "read:accounts"}
    anonymous = {"GET"}

    @extend_schema(responses=AccountSerializer(many=True))
    def get(self, request, status_id):
        row = visible_status(request, status_id)
        accounts = selectors.likers(viewer(request), row)
        return paged(
            request, accounts, lambda user: account_json(user, request), key="like_id", default=40, maximum=80
        )


class RebloggedByView(MastodonView):
    """Accounts that reblogged a status, the latest first; paged by reblog id."""

    scopes = {"GET": "read:accounts"}
    anonymous = {"GET"}

    @extend_schema(responses=AccountSerializer(many=True))
    def get(self, request, status_id):
        row = visible_status(request, status_id)
        accounts = selectors.retweeters(viewer(request), row)
        return paged(
            request,
            accounts,
            lambda user: account_json(user, request),
            key="retweet_id",
            default=40,
            maximum=80,
        )
