"""Routes of features other issues deliver, answering now as Mastodon does
for a feature that is empty or switched off, so that apps start cleanly:
never a 500, never an HTML 404.

Each view declares the scope Mastodon's controller asks for, and says
which issue replaces it:

- trending links (no link previews are fetched yet) and follow suggestions
  (the issue "Trends" delivered trending hashtags and posts, in trends.api,
  and left these): GET /api/v1/trends/links, /api/v1/suggestions,
  /api/v2/suggestions
- lists, filters, followed and featured tags, endorsements, announcements,
  scheduled statuses, domain blocks (issue "Lists, filters and the rest of
  the Mastodon API"): their GET lists
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema

from api.views import MastodonView, page_response

# An array of entities whose shape the delivering issue documents.
LIST = {200: {"type": "array", "items": {"type": "object"}}}


class _EmptyList(MastodonView):
    """A paged list with nothing in it yet (no Link header: no other page)."""

    @extend_schema(responses=LIST)
    def get(self, request, *args, **kwargs):
        return page_response(request, [])


class _NotFound(MastodonView):
    """One record of a kind that has none yet: "Record not found"."""

    @extend_schema(responses={404: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        raise Http404


# --- lists of things nobody has yet --------------------------------------------------


class TrendsView(_EmptyList):
    anonymous = {"GET"}
    scopes = {"GET": "read|write|follow|push|profile"}


class SuggestionsView(_EmptyList):
    scopes = {"GET": "read"}


class FiltersView(_EmptyList):
    scopes = {"GET": "read:filters"}


class ListsView(_EmptyList):
    scopes = {"GET": "read:lists"}


class AnnouncementsView(_EmptyList):
    scopes = {"GET": "read"}


class FollowedTagsView(_EmptyList):
    scopes = {"GET": "read:follows"}


class FeaturedTagsView(_EmptyList):
    scopes = {"GET": "read:accounts"}


class EndorsementsView(_EmptyList):
    scopes = {"GET": "read:accounts"}


class ScheduledStatusesView(_EmptyList):
    scopes = {"GET": "read:statuses"}


class DomainBlocksView(_EmptyList):
    scopes = {"GET": "read:blocks"}
