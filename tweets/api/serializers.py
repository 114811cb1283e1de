"""Tweets as Mastodon's API shows them: Status, StatusEdit, StatusSource, Context.

A retweet is a Status whose `reblog` is the original; a quote carries the
quoted Status in `quote`. Rows come from tweets.selectors with the viewer's
state attached (`with_viewer_state` or `attach_viewer_state`), so building
a page of statuses runs no queries.
"""

from rest_framework import serializers

from accounts.api.serializers import AccountSerializer, account_json
from accounts.stores import Memo, stamp
from api.representation import absolute, iso
from media.api.serializers import media_json

from ..attachments import tweet_media
from ..models import Tweet
from ..templatetags.tweet_tags import turl
from ..text import parse, render_html


def content_html(request, text: str, entities: dict) -> str:
    """The text as Mastodon's HTML: paragraphs, line breaks, linked entities."""
    html = render_html(
        text,
        entities or {},
        hashtag_url=lambda tag: absolute(request, turl("hashtag", tag)),
        profile_url=lambda username: absolute(request, turl("profile", username)),
    )
    paragraphs = [p for p in html.split("\n\n") if p.strip()]
    return "".join(f"<p>{p.strip(chr(10)).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def mention_json(request, user_id: int, username: str) -> dict:
    """A Status's Mention of an account."""
    return {
        "id": str(user_id),
        "username": username,
        "acct": username,
        "url": absolute(request, turl("profile", username)),
    }


def _mentions(request, entities: dict) -> list[dict]:
    seen = {}
    for mention in entities.get("mentions", []):
        if "id" in mention and mention["id"] not in seen:
            seen[mention["id"]] = mention_json(request, mention["id"], mention["username"])
    return list(seen.values())


def features_absent() -> dict:
    """What every Status carries of features this server has none of
    (custom emojis, apps, link cards, polls), as Mastodon writes them empty."""
    return {"emojis": [], "application": None, "card": None, "poll": None, "filtered": []}


def _tags(request, entities: dict) -> list[dict]:
    names = dict.fromkeys(item["tag"].lower() for item in entities.get("hashtags", []))
    return [{"name": name, "url": absolute(request, turl("hashtag", name))} for name in names]


def tweet_url(request, tweet: Tweet) -> str:
    return absolute(request, turl("tweet_detail", tweet.author.username, tweet.pk))


def _viewer_state(row, data: dict) -> None:
    # Anonymous rows carry no state, and Mastodon then omits these keys.
    if hasattr(row, "liked"):
        data.update(
            favourited=row.liked,
            reblogged=row.retweeted,
            bookmarked=row.bookmarked,
            muted=False,
            pinned=False,
        )


def _original_json(request, tweet: Tweet, row, *, quote_visible: bool, nested: bool = False) -> dict:
    entities = tweet.entities or {}
    data = {
        "id": str(tweet.pk),
        "uri": tweet_url(request, tweet),
        "url": tweet_url(request, tweet),
        "created_at": iso(tweet.created_at),
        "edited_at": iso(tweet.edited_at),
        "account": account_json(tweet.author, request),
        "content": content_html(request, tweet.text, entities),
        "visibility": tweet.visibility,
        "sensitive": tweet.sensitive,
        "spoiler_text": tweet.spoiler_text,
        "language": tweet.language or None,
        "in_reply_to_id": str(tweet.in_reply_to_id) if tweet.in_reply_to_id else None,
        "in_reply_to_account_id": str(tweet.in_reply_to_author_id) if tweet.in_reply_to_author_id else None,
        "replies_count": tweet.replies_count,
        "reblogs_count": tweet.retweets_count,
        "favourites_count": tweet.likes_count,
        "quotes_count": tweet.quotes_count,
        "mentions": _mentions(request, entities),
        "tags": _tags(request, entities),
        "media_attachments": [media_json(item, request) for item in tweet_media(tweet)],
        "reblog": None,
        "quote": None,
        **features_absent(),
    }
    if tweet.quote_of_id:
        if nested:
            # Mastodon nests one level; deeper quotes are by id.
            data["quote"] = {"state": "accepted", "quoted_status_id": str(tweet.quote_of_id)}
        elif quote_visible:
            data["quote"] = {
                "state": "accepted",
                "quoted_status": _original_json(
                    request, tweet.quote_of, None, quote_visible=False, nested=True
                ),
            }
        else:
            data["quote"] = {"state": "unauthorized", "quoted_status": None}
    if row is not None:
        _viewer_state(row, data)
    return data


def status_json(row, request) -> dict:
    """One timeline row (an original or a retweet) as a Status."""
    if not row.retweet_of_id:
        return _original_json(request, row, row, quote_visible=getattr(row, "quote_visible", False))
    original = _original_json(
        request, row.retweet_of, row, quote_visible=getattr(row, "quote_visible", False)
    )
    data = {
        **original,
        "id": str(row.pk),
        "uri": absolute(request, turl("tweet_detail", row.author.username, row.pk)),
        "url": None,
        "created_at": iso(row.created_at),
        "edited_at": None,
        "account": account_json(row.author, request),
        "content": "",
        "visibility": row.visibility,
        "spoiler_text": "",
        "sensitive": False,
        "language": None,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "mentions": [],
        "tags": [],
        "quote": None,
        "reblog": original,
    }
    return data


# Statuses of timeline rows by the stamps of the cached rows they show
# (accounts.stores.stamp), without the viewer's state: a recent tweet is
# read by many of its author's followers, and its Status is the same for
# all of them but for favourited, reblogged and bookmarked. The stamps
# change with any value of the rows, so nothing needs forgetting; the
# oldest entries go first past the bound (a few MB a process).
_STATUS_MEMO = Memo(size=4096)
_VIEWER_KEYS = ("favourited", "reblogged", "bookmarked", "muted", "pinned")


def _memo_key(row, request) -> tuple | None:
    shown = row.shown
    quote = shown.quote_of if shown.quote_of_id and getattr(row, "quote_visible", False) else None
    related = [row, row.author, shown, shown.author, quote, quote.author if quote else None]
    if shown is row:
        related[2:4] = [None, None]
    stamps = tuple(stamp(obj) for obj in related)
    if any(value is None for value, obj in zip(stamps, related, strict=True) if obj is not None):
        return None  # a row that didn't come from the caches: no stamp to trust
    return (*stamps, shown.quote_of_id is not None and quote is None, absolute(request, "/"))


def _without_viewer(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in _VIEWER_KEYS}


def statuses_json(rows, request) -> list[dict]:
    """`status_json` of each row loaded by tweets.selectors.load_tweets (the
    home timeline, search), reusing the Statuses of rows seen before."""
    statuses = []
    for row in rows:
        key = _memo_key(row, request)
        kept = _STATUS_MEMO.get(key) if key is not None else None
        if kept is None:
            data = status_json(row, request)
            if key is not None:
                kept = _without_viewer(data)
                if kept["reblog"] is not None:
                    kept["reblog"] = _without_viewer(kept["reblog"])
                _STATUS_MEMO.put(key, kept)
            statuses.append(data)
            continue
        data = dict(kept)
        if data["reblog"] is not None:
            data["reblog"] = dict(data["reblog"])
            _viewer_state(row, data["reblog"])
        _viewer_state(row, data)
        statuses.append(data)
    return statuses


class StatusSerializer(serializers.Serializer):
    """Mastodon's Status: a tweet (a retweet has the original in `reblog`)."""

    id = serializers.CharField(help_text="A Snowflake id, as a string.")
    uri = serializers.URLField()
    url = serializers.URLField(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    account = AccountSerializer()
    content = serializers.CharField(help_text="HTML.")
    visibility = serializers.ChoiceField(choices=["public", "unlisted", "private", "direct"])
    sensitive = serializers.BooleanField()
    spoiler_text = serializers.CharField()
    language = serializers.CharField(allow_null=True)
    in_reply_to_id = serializers.CharField(allow_null=True)
    in_reply_to_account_id = serializers.CharField(allow_null=True)
    replies_count = serializers.IntegerField()
    reblogs_count = serializers.IntegerField()
    favourites_count = serializers.IntegerField()
    quotes_count = serializers.IntegerField()
    mentions = serializers.ListField(child=serializers.DictField())
    tags = serializers.ListField(child=serializers.DictField())
    emojis = serializers.ListField(child=serializers.DictField())
    media_attachments = serializers.ListField(child=serializers.DictField())
    application = serializers.DictField(allow_null=True)
    card = serializers.DictField(allow_null=True)
    poll = serializers.DictField(allow_null=True)
    reblog = serializers.DictField(allow_null=True, help_text="The original Status of a retweet.")
    quote = serializers.DictField(allow_null=True)
    filtered = serializers.ListField(child=serializers.DictField())
    favourited = serializers.BooleanField(required=False)
    reblogged = serializers.BooleanField(required=False)
    bookmarked = serializers.BooleanField(required=False)
    muted = serializers.BooleanField(required=False)
    pinned = serializers.BooleanField(required=False)

    def to_representation(self, instance):
        return status_json(instance, self.context["request"])


def status_source_json(tweet: Tweet) -> dict:
    return {"id": str(tweet.pk), "text": tweet.text, "spoiler_text": tweet.spoiler_text}


class StatusSourceSerializer(serializers.Serializer):
    """Mastodon's StatusSource: the plain text behind a Status, for editing."""

    id = serializers.CharField()
    text = serializers.CharField()
    spoiler_text = serializers.CharField()


def status_edit_json(version, tweet: Tweet, request, *, current: bool) -> dict:
    """One revision (a tweets.models.TweetVersion) of `tweet` as a StatusEdit.

    Earlier revisions keep only their text, so their links come from
    parsing it again; the current one uses the stored entities. Media are
    those tweets.selectors.versions set, with the alt text of that revision.
    """
    entities = tweet.entities if current else parse(version.text).entities()
    return {
        "content": content_html(request, version.text, entities),
        "spoiler_text": version.spoiler_text,
        "sensitive": version.sensitive,
        "created_at": iso(version.created_at),
        "account": account_json(tweet.author, request),
        "poll": None,
        "media_attachments": [media_json(item, request) for item in getattr(version, "shown_media", [])],
        "emojis": [],
    }


class StatusEditSerializer(serializers.Serializer):
    """Mastodon's StatusEdit: one revision of an edited status."""

    content = serializers.CharField(help_text="HTML.")
    spoiler_text = serializers.CharField()
    sensitive = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    account = AccountSerializer()
    poll = serializers.DictField(allow_null=True)
    media_attachments = serializers.ListField(child=serializers.DictField())
    emojis = serializers.ListField(child=serializers.DictField())


class ContextSerializer(serializers.Serializer):
    """Mastodon's Context: the visible thread around a status."""

    ancestors = StatusSerializer(many=True, help_text="Root first.")
    descendants = StatusSerializer(many=True, help_text="Depth first.")


class StatusParamsSerializer(serializers.Serializer):
    """POST /api/v1/statuses: form, multipart or JSON."""

    status = serializers.CharField(help_text="The text; at most 280 weighted characters.")
    in_reply_to_id = serializers.CharField(required=False)
    quote_id = serializers.CharField(required=False, help_text="Also accepted as `quoted_status_id`.")
    visibility = serializers.ChoiceField(choices=["public", "unlisted", "private"], required=False)
    spoiler_text = serializers.CharField(required=False)
    sensitive = serializers.BooleanField(required=False)
    language = serializers.CharField(required=False)
    media_ids = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Ids from POST /api/v2/media: up to 4 images or 1 video; the status may then be empty.",
    )


class StatusEditParamsSerializer(serializers.Serializer):
    """PUT /api/v1/statuses/:id: absent fields keep their value."""

    status = serializers.CharField(required=False)
    spoiler_text = serializers.CharField(required=False)
    sensitive = serializers.BooleanField(required=False)
    language = serializers.CharField(required=False)
    media_ids = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The new list of media, in order: the status's own and new uploads; empty removes all.",
    )
    media_attributes = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="[{id, description, focus}]: alt text and focal point of listed media.",
    )


def tag_json(hashtag, request) -> dict:
    """Mastodon's Tag, without usage history (the trends issue counts it)
    and, for a signed-in viewer, not followed (following tags comes later)."""
    data = {
        "id": str(hashtag.pk),
        "name": hashtag.name,
        "url": absolute(request, turl("hashtag", hashtag.name)),
        "history": [],
    }
    if request.user.is_authenticated:
        data["following"] = False
    return data
