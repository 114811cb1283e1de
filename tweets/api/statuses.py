"""A status itself: post, show, edit, delete, and its source, history and thread.

POST /api/v1/statuses, GET/PUT/DELETE /api/v1/statuses/:id,
GET /api/v1/statuses/:id/source, /history and /context.
"""

import re

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api import params
from api.errors import Unprocessable
from api.views import MastodonView, viewer
from media.api.views import parse_focus
from media.services import MediaChange

from .. import selectors, services
from ..signals import send_tweets_shown
from .base import perform, visible_status
from .serializers import (
    ContextSerializer,
    StatusEditParamsSerializer,
    StatusEditSerializer,
    StatusParamsSerializer,
    StatusSerializer,
    StatusSourceSerializer,
    status_edit_json,
    status_json,
    status_source_json,
)


def _target(request, data, *names: str):
    """The status a reply or quote points at, if one is named; 422 when the
    poster may not see it (the service checks again, in its transaction)."""
    raw = next((data.get(name) for name in names if data.get(name) not in (None, "")), None)
    if raw is None:
        return None
    try:
        return visible_status(request, raw)
    except Http404:
        raise Unprocessable(f"The status {raw} does not exist or is not visible to you.") from None


def _optional(data, name: str, parse):
    return parse(data, name) if data.get(name) is not None else None


def _media_ids(data) -> list[str] | None:
    """PUT's media_ids[]: the new list (empty removes all), None when absent."""
    if data.get("media_ids") is None and data.get("media_ids[]") is None:
        return None
    return [media_id for media_id in params.listing(data, "media_ids") if media_id]


_ATTRIBUTE = re.compile(r"^media_attributes\[(\d*)\]\[(id|description|focus)\]$")


def _media_attributes(data) -> list[dict]:
    """Mastodon's media_attributes[][id|description|focus]: a JSON list of
    objects, or form fields media_attributes[N][field] (grouped by N) or
    media_attributes[][field] (the n-th value of each field belongs to the
    n-th id)."""
    if not hasattr(data, "getlist"):
        value = data.get("media_attributes")
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            raise Unprocessable("media_attributes must be a list of objects with an id")
        return value
    indexed: dict[str, dict] = {}
    listed: dict[str, list[str]] = {}
    for key in data:
        if match := _ATTRIBUTE.match(key):
            index, field = match.groups()
            if index:
                indexed.setdefault(index, {})[field] = data.get(key)
            else:
                listed[field] = data.getlist(key)
    ids = listed.get("id", [])
    if any(len(values) > len(ids) for values in listed.values()):
        raise Unprocessable("media_attributes[]: give an id for each description and focus")
    entries = [
        {field: values[n] for field, values in listed.items() if n < len(values)} for n in range(len(ids))
    ]
    return [*entries, *(indexed[index] for index in sorted(indexed, key=int))]


def _media_changes(data) -> list[MediaChange]:
    changes = []
    for entry in _media_attributes(data):
        if not str(entry.get("id") or "").strip():
            raise Unprocessable("media_attributes: each entry needs the id of a media attachment")
        description = entry.get("description")
        focus = entry.get("focus")
        changes.append(
            MediaChange(
                id=str(entry["id"]),
                description=None if description is None else str(description),
                focus=None if focus is None else parse_focus(str(focus), "media_attributes focus"),
            )
        )
    return changes


# Mastodon answers at most this many statuses by id in one request.
MAX_IDS = 20


class StatusesView(MastodonView):
    """Post a status (a tweet, a reply, a quote), or fetch several by id."""

    scopes = {"GET": "read:statuses", "POST": "write:statuses"}
    anonymous = {"GET"}
    rate_limit = ("statuses", {"POST"})

    @extend_schema(responses=StatusSerializer(many=True))
    def get(self, request):
        raw = params.listing(request.query_params, "id")
        if len(raw) > MAX_IDS:
            raise Unprocessable(f"At most {MAX_IDS} ids at a time")
        ids = [int(value) for value in raw if value.isdigit() and 0 < int(value) < 2**63]
        return Response([status_json(row, request) for row in selectors.get_tweets(viewer(request), ids)])

    @extend_schema(request=StatusParamsSerializer, responses=StatusSerializer)
    def post(self, request):
        # MastodonView has already refused a body that is not an object.
        data = request.data
        options = {
            "media": [media_id for media_id in params.listing(data, "media_ids") if media_id],
            "in_reply_to": _target(request, data, "in_reply_to_id"),
            "quote_of": _target(request, data, "quote_id", "quoted_status_id"),
            "visibility": params.text(data, "visibility") or None,
            "sensitive": params.flag(data, "sensitive"),
            "spoiler_text": params.text(data, "spoiler_text"),
            "language": params.text(data, "language"),
        }
        text = params.text(data, "status")
        key = request.headers.get("Idempotency-Key", "").strip()
        if key:
            tweet = services.post_tweet_once(request.user, key, text, **options)
        else:
            tweet = services.post_tweet(request.user, text, **options)
        return Response(status_json(visible_status(request, tweet.pk), request))


class StatusView(MastodonView):
    """Show, edit or delete one status."""

    scopes = {"GET": "read:statuses", "PUT": "write:statuses", "DELETE": "write:statuses"}
    anonymous = {"GET"}

    @extend_schema(responses=StatusSerializer)
    def get(self, request, status_id):
        row = visible_status(request, status_id)
        send_tweets_shown(request.user, [row])
        return Response(status_json(row, request))

    @extend_schema(request=StatusEditParamsSerializer, responses=StatusSerializer)
    def put(self, request, status_id):
        data = request.data
        row = visible_status(request, status_id)
        try:
            perform(
                services.edit_tweet,
                request.user,
                row,
                params.text(data, "status", default=row.text),
                spoiler_text=_optional(data, "spoiler_text", params.text),
                sensitive=_optional(data, "sensitive", params.flag),
                language=_optional(data, "language", params.text),
                media=_media_ids(data),
                media_changes=_media_changes(data),
                hide_forbidden=True,
            )
        except ValidationError as error:
            # Saving an edit box unchanged is no error in Mastodon: nothing happens.
            if getattr(error, "code", None) != "unchanged":
                raise
        return Response(status_json(visible_status(request, row.pk), request))

    @extend_schema(responses=StatusSerializer)
    def delete(self, request, status_id):
        row = visible_status(request, status_id)
        data = status_json(row, request)
        # Mastodon returns the source so that a client can "delete and redraft".
        data["text"] = row.text
        # Without delete_media the media are kept (unattached) for a redraft, as in Mastodon.
        delete_media = params.flag(request.query_params, "delete_media") or params.flag(
            request.data, "delete_media"
        )
        perform(services.delete_tweet, request.user, row, keep_media=not delete_media, hide_forbidden=True)
        return Response(data)


class SourceView(MastodonView):
    """The plain text of one's own status, to fill an edit box."""

    scopes = {"GET": "read:statuses"}

    @extend_schema(responses=StatusSourceSerializer)
    def get(self, request, status_id):
        row = visible_status(request, status_id)
        if row.author_id != request.user.pk or row.retweet_of_id:
            raise Http404
        return Response(status_source_json(row))


class HistoryView(MastodonView):
    """Every revision of a status, oldest first, the current one last."""

    scopes = {"GET": "read:statuses"}
    anonymous = {"GET"}

    @extend_schema(responses=StatusEditSerializer(many=True))
    def get(self, request, status_id):
        row = visible_status(request, status_id)
        tweet = row.shown
        revisions = selectors.versions(tweet)
        return Response(
            [
                status_edit_json(version, tweet, request, current=index == len(revisions) - 1)
                for index, version in enumerate(revisions)
            ]
        )


class ContextView(MastodonView):
    """The visible ancestors (root first) and descendants of a status."""

    scopes = {"GET": "read:statuses"}
    anonymous = {"GET"}

    @extend_schema(responses=ContextSerializer)
    def get(self, request, status_id):
        row = visible_status(request, status_id)
        found = selectors.thread(viewer(request), row)
        send_tweets_shown(request.user, [*found.ancestors, *found.replies])
        return Response(
            {
                "ancestors": [status_json(item, request) for item in found.ancestors],
                "descendants": [status_json(item, request) for item in found.replies],
            }
        )
