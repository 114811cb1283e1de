"""Mastodon's wire formats for values every entity carries."""

from datetime import UTC, datetime


def iso(moment: datetime | None) -> str | None:
    """`2019-12-05T11:34:47.000Z`: UTC, milliseconds, a Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class SiteRequest:
    """Stands in for a request where there is none (a Celery task rendering
    a Status for the streaming API or a push): absolute URLs from `base`,
    the site's public URL (settings.SITE_URL)."""

    def __init__(self, base: str):
        self._absolute_base = base.rstrip("/")


def absolute(request, path: str) -> str:
    """An absolute URL for `path` on this server (URLs already absolute pass through)."""
    if path.startswith(("http://", "https://")):
        return path
    base = getattr(request, "_absolute_base", None)
    if base is None:
        # Once per request: every account and status of a page needs it.
        base = request.build_absolute_uri("/").rstrip("/")
        request._absolute_base = base
    return base + path
