"""What every statuses endpoint shares: the viewer, the status a URL names,
service errors as Mastodon's statuses, and Link-header pages."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404

from api import pagination
from api.params import object_id
from api.views import page_response, viewer

from .. import selectors
from ..models import Tweet


def visible_status(request, raw_id) -> Tweet:
    """The status (tweet or retweet row) the URL names, with the viewer's
    state attached; Http404 when it does not exist or the viewer may not see it."""
    row = selectors.get_tweet(viewer(request), object_id(raw_id))
    if row is None:
        raise Http404
    return row


def perform(action: Callable, *args, hide_forbidden: bool = False, **kwargs):
    """Call a tweets.services function; a tweet that vanished meanwhile is a 404,
    and with `hide_forbidden` so is someone else's, as Mastodon answers."""
    try:
        return action(*args, **kwargs)
    except Tweet.DoesNotExist:
        raise Http404 from None
    except PermissionDenied:
        if hide_forbidden:
            raise Http404 from None
        raise


def paged(
    request,
    queryset,
    render: Callable,
    *,
    key: str = "id",
    default: int = 20,
    maximum: int = 40,
    on_page: Callable | None = None,
):
    """A page of `queryset` cut by `key` (max_id / since_id / min_id / limit),
    rendered row by row, with the Link header carrying `key` values;
    `on_page(rows)` is called with the page's rows."""
    limit = pagination.limit_param(request, default=default, maximum=maximum)
    page = selectors.page_by_id(queryset, **pagination.cursors(request), limit=limit, key=key)
    items = page.items
    if on_page is not None:
        on_page(items)
    return page_response(
        request,
        [render(row) for row in items],
        next_max_id=page.next_max_id,
        prev_min_id=getattr(items[0], key) if items else None,
    )
