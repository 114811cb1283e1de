"""Rendered tweets ("tweets/_tweet.html") kept in the cache, for lists.

Rendering a page's 20 tweets through the template engine cost more than
everything else the page does. A list now renders each tweet once per
distinct content and reads it back by a key that is a digest of all the
template shows: the rows' own columns and media (for rows from the tweet
cache, the stamp of their cached values: accounts.stores.stamp), their
authors', the quoted tweet's and its author's, what the viewer did (liked,
retweeted, bookmarked, whether they wrote it, whether they may see the
quote), the relative times as they read now, and the templates' source.
Any change to any of those is a new key, so nothing needs forgetting: old
fragments age out (TWEET_CACHE_SECONDS).

Account counters and login stamps are left out of the digest, or every
new follower of a popular account would re-render all their tweets; a
template that starts showing one must take it off USER_COLUMNS_NOT_SHOWN.

The CSRF token differs per request, so fragments hold a marker token
whose hidden inputs get the request's token on the way out.

A tweet less than a minute old reads "N seconds ago", a new key each
second: it is rendered on every view until its relative time settles to
minutes, then hours.
"""

import hashlib
import pickle
from functools import cache

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db.models import FileField, Model
from django.middleware.csrf import get_token
from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from accounts import stores
from accounts.models import User

from .attachments import tweet_media

TEMPLATE = "tweets/_tweet.html"
# Every template a tweet renders through: their source is part of the key.
TEMPLATES = (TEMPLATE, "tweets/_actions.html", "tweets/_avatar.html", "media/_attachments.html")
USER_COLUMNS_NOT_SHOWN = frozenset(
    {"password", "last_login", "followers_count", "following_count", "tweets_count"}
)
CSRF_MARKER = "csrf-token-of-the-request-4b1d"


def _read_templates_digest() -> bytes:
    source = "".join(get_template(name).template.source for name in TEMPLATES)
    return hashlib.blake2b(source.encode(), digest_size=8).digest()


_templates_digest_once = cache(_read_templates_digest)


def _templates_digest() -> bytes:
    # A development server reloads edited templates without restarting.
    return _read_templates_digest() if settings.DEBUG else _templates_digest_once()


@cache
def _columns(model: type[Model]) -> tuple[tuple[str, bool], ...]:
    """(column, whether it holds a file) for each column of `model` shown."""
    skipped = USER_COLUMNS_NOT_SHOWN if model is User else ()
    return tuple(
        (field.attname, isinstance(field, FileField))
        for field in model._meta.concrete_fields
        if field.attname not in skipped
    )


def _values(obj: Model | None) -> tuple:
    if obj is None:
        return ()
    # A file by its name: a FieldFile pickles the whole row it belongs to,
    # the columns left out above included.
    return tuple(
        getattr(obj, name).name if is_file else getattr(obj, name) for name, is_file in _columns(type(obj))
    )


def _tweet_values(tweet: Model | None) -> tuple | bytes:
    # A tweet from the tweet cache: its stamp stands for its values and media.
    if tweet is None:
        return ()
    return stores.stamp(tweet) or (_values(tweet), [_values(item) for item in tweet_media(tweet)])


def _shown(row, tweet, *, signed_in: bool, own: bool) -> tuple:
    """Everything `_tweet.html` shows of `row` (showing `tweet`), as plain values."""
    quote = tweet.quote_of if tweet.quote_of_id and getattr(row, "quote_visible", False) else None
    return (
        _tweet_values(row),
        _values(row.author),
        _tweet_values(tweet) if tweet is not row else (),
        _values(tweet.author) if tweet is not row else (),
        _values(tweet.in_reply_to_author) if tweet.in_reply_to_author_id else (),
        _tweet_values(quote),
        _values(quote.author) if quote is not None else (),
        signed_in,
        own,
        getattr(row, "liked", None),
        getattr(row, "retweeted", None),
        getattr(row, "bookmarked", None),
        getattr(row, "quote_visible", None),
        naturaltime(tweet.created_at),
        naturaltime(tweet.edited_at) if tweet.edited_at else None,
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )


def _csrf_input(token: str) -> str:
    return CsrfTokenNode().render(Context({"csrf_token": token}))


def _key(row, user) -> str:
    # Of the viewer, the template asks only whether they are signed in and
    # whether the tweet is theirs (its Edit and Delete buttons).
    tweet = row.shown
    signed_in = user.is_authenticated
    own = signed_in and tweet.author_id == user.pk
    digest = hashlib.blake2b(_templates_digest(), digest_size=16)
    shown = _shown(row, tweet, signed_in=signed_in, own=own)
    digest.update(pickle.dumps(shown, protocol=pickle.HIGHEST_PROTOCOL))
    return digest.hexdigest()


def render_rows(request, rows) -> SafeString:
    """`_tweet.html` for each row, in order, as one string: the fragments the
    cache holds, the others rendered and cached."""
    user = request.user
    keys = [_key(row, user) for row in rows]
    found, missing = stores.cached("tweet-html", keys, version=0)
    template = get_template(TEMPLATE)
    rendered = {}
    for key, row in zip(keys, rows, strict=True):
        if key in missing and key not in rendered:
            rendered[key] = template.render({"row": row, "user": user, "csrf_token": CSRF_MARKER})
    stores.store("tweet-html", rendered, version=0, timeout=settings.TWEET_CACHE_SECONDS)
    html = "".join(found.get(key) or rendered[key] for key in keys)
    marker = _csrf_input(CSRF_MARKER)
    if marker in html:
        # The whole hidden input, which escaped user text can never contain.
        html = html.replace(marker, _csrf_input(get_token(request)))
    return mark_safe(html)  # noqa: S308 - fragments are template output, escaped there
