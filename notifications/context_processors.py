"""What every page of a logged-in user needs from this app: the unread
badge and where the live connection opens. Both are lazy: a template that
does not use them costs nothing."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import selectors, streams


def _stream_cursor(user_id: int) -> str:
    try:
        return streams.cursor(user_id)
    except streams.redis.RedisError:
        return ""  # the page still works; its connection starts from now


def live(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user, cap=99)),
        "stream": {
            "url": settings.STREAMING_URL,
            "port": settings.STREAMING_PORT,
            "cursor": SimpleLazyObject(lambda: _stream_cursor(user.pk)),
        },
    }
