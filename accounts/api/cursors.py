"""Account lists as Mastodon pages them: by row id, 40 a page, Link headers."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter

from api import pagination, params
from api.views import page_response

from .. import selectors
from ..models import User
from .serializers import account_json

DEFAULT_LIMIT = 40
MAX_LIMIT = 80

PAGE_PARAMETERS = [
    OpenApiParameter("max_id", str, description="Rows older than this cursor."),
    OpenApiParameter("since_id", str, description="Rows newer than this cursor."),
    OpenApiParameter("min_id", str, description="The oldest rows newer than this cursor."),
    OpenApiParameter("limit", int, description=f"At most {MAX_LIMIT}; {DEFAULT_LIMIT} by default."),
]


def account_or_404(raw_id) -> User:
    """The active account a URL names; unknown and suspended ones are "Record not found"."""
    user = selectors.get_active_user_by_id(params.object_id(raw_id))
    if user is None:
        raise Http404
    return user


def page_request(request) -> selectors.PageRequest:
    return selectors.PageRequest(
        limit=pagination.limit_param(request, default=DEFAULT_LIMIT, maximum=MAX_LIMIT),
        **pagination.cursors(request),
    )


def accounts_page(request, rows: list, accounts: list[User], page: selectors.PageRequest):
    """Accounts of a page of rows, with `Link` cursors on the rows' ids
    (a next page only when this one is full, as Mastodon does)."""
    return page_response(
        request,
        [account_json(account, request) for account in accounts],
        next_max_id=rows[-1].pk if rows and len(rows) == page.limit else None,
        prev_min_id=rows[0].pk if rows else None,
    )
