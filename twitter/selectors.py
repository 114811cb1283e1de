"""Reads across apps for the server's own description (instance, nodeinfo)
and for search: who runs the server, how much it is used, which hashtags
match a prefix.

`search_hashtags` is a tweets read kept here until tweets.selectors (or a
search app) owns it; nothing below writes.
"""

from dataclasses import asdict, dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Length
from django.utils import timezone

from accounts.models import User
from accounts.selectors import active_users
from tweets.models import Hashtag, Tweet
from tweets.snowflake import make_id

USAGE_CACHE_KEY = "instance:usage"
USAGE_CACHE_SECONDS = 600


@dataclass(frozen=True)
class Usage:
    users: int
    active_month: int
    active_halfyear: int
    local_posts: int


def _active_since(days: int) -> int:
    """Accounts that signed in or tweeted in the last `days` days."""
    since = timezone.now() - timedelta(days=days)
    tweeted = Tweet.objects.filter(author_id=OuterRef("pk"), id__gte=make_id(since))
    return active_users().filter(Q(last_login__gte=since) | Exists(tweeted)).count()


def instance_usage() -> Usage:
    """How much the server is used, counted at most every ten minutes (cached).

    Posts are the sum of the accounts' tweet counters, as Mastodon sums its
    account stats: no scan of the tweets table.
    """
    cached = cache.get(USAGE_CACHE_KEY)
    if cached is not None:
        return Usage(**cached)
    users = active_users()
    usage = Usage(
        users=users.count(),
        active_month=_active_since(30),
        active_halfyear=_active_since(180),
        local_posts=users.aggregate(total=Sum("tweets_count"))["total"] or 0,
    )
    cache.set(USAGE_CACHE_KEY, asdict(usage), USAGE_CACHE_SECONDS)
    return usage


def contact_account() -> User | None:
    """The server's contact: its first active superuser, or None."""
    return active_users().filter(is_superuser=True).order_by("pk").first()


def search_hashtags(query: str, *, limit: int, offset: int = 0) -> list[Hashtag]:
    """Hashtags whose name starts with `query` (without "#", any case): the
    exact match first, then the shortest names."""
    prefix = query.strip().lstrip("#").lower()
    if not prefix:
        return []
    rows = Hashtag.objects.filter(name__startswith=prefix).annotate(
        exact=Case(When(name=prefix, then=Value(0)), default=Value(1), output_field=IntegerField()),
        length=Length("name"),
    )
    return list(rows.order_by("exact", "length", "name")[offset : offset + limit])
