"""What every page of a logged-in user needs from this app: the unread
badge and where the live connection opens. Both are callables, which the
template calls where it uses them: a template that does not costs nothing."""

from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from . import selectors, streams


def _stream_cursor(user_id: int) -> str:
    try:
        return streams.cursor(user_id)
    except streams.redis.RedisError:
        return ""  # the page still works; its connection starts from now


def _on_notifications_page(request) -> bool:
    """The page itself, or a fragment it asked for (htmx says from where)."""
    page = request.path
    if getattr(request, "htmx", None) and request.htmx.current_url:
        page = urlsplit(request.htmx.current_url).path
    return page.startswith(reverse("notifications"))


def live(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": partial(selectors.unread_count, user, cap=99),
        # There the list marks new notifications read as they come, and the
        # badge follows it instead of each notification.
        "badge_follows_notifications": not _on_notifications_page(request),
        "stream": {
            "url": settings.STREAMING_URL,
            "port": settings.STREAMING_PORT,
            "cursor": partial(_stream_cursor, user.pk),
        },
    }
