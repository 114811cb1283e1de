"""Reads across apps for the server's own description (instance, nodeinfo):
who runs the server and how much it is used."""

from dataclasses import asdict, dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from accounts.models import User
from accounts.selectors import active_users
from tweets.models import Tweet
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
