"""Mastodon's cursor pagination: `max_id`, `since_id`, `min_id`, `limit`,
and a `Link` header with the next (older) and prev (newer) pages."""

from urllib.parse import urlencode

from rest_framework.exceptions import ValidationError


def limit_param(request, default: int = 20, maximum: int = 40) -> int:
    """`?limit=`: Mastodon clamps values over the maximum instead of refusing them."""
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({"limit": "must be a whole number"}) from None
    if value < 1:
        raise ValidationError({"limit": "must be at least 1"})
    return min(value, maximum)


# Offsets page search results and short lists; deeper than this is a crawl.
MAX_OFFSET = 10_000


def offset_param(request) -> int:
    """`?offset=` of lists paged by position (search results, trends)."""
    raw = request.query_params.get("offset") or "0"
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({"offset": "must be a whole number"}) from None
    if not 0 <= value <= MAX_OFFSET:
        raise ValidationError({"offset": f"must be between 0 and {MAX_OFFSET}"})
    return value


def id_param(request, name: str) -> int | None:
    """A cursor id; an id that is not a number matches nothing, so it is refused."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: "must be an id"}) from None
    if not 0 <= value < 2**63:
        raise ValidationError({name: "is out of range"})
    return value


def cursors(request) -> dict:
    return {name: id_param(request, name) for name in ("max_id", "since_id", "min_id")}


def link_header(request, *, next_max_id=None, prev_min_id=None) -> str | None:
    """`<...?max_id=N>; rel="next", <...?min_id=M>; rel="prev"`, keeping other params."""
    base = request.build_absolute_uri(request.path)
    kept = [
        (key, value)
        for key, values in request.query_params.lists()
        if key not in ("max_id", "since_id", "min_id")
        for value in values
    ]
    links = []
    if next_max_id is not None:
        links.append(f'<{base}?{urlencode([*kept, ("max_id", next_max_id)])}>; rel="next"')
    if prev_min_id is not None:
        links.append(f'<{base}?{urlencode([*kept, ("min_id", prev_min_id)])}>; rel="prev"')
    return ", ".join(links) or None
