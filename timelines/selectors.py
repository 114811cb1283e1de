"""Timeline reads. The home timeline is built at read time from PostgreSQL
for now; the Redis fanout service replaces it (see docs/timelines.md)."""

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.selectors import following_ids, muted_ids
from tweets.selectors import visible_tweets, with_viewer_state


def home_timeline(viewer: User) -> QuerySet:
    """Tweets and retweets of the viewer and the accounts they follow, newest first.

    Muted accounts are left out. A reply shows only when the viewer follows
    (or is) both its author and the account it answers, Twitter's rule.
    """
    authors = Q(author=viewer) | Q(author__in=following_ids(viewer))
    reply_ok = (
        Q(in_reply_to_author__isnull=True)
        | Q(in_reply_to_author=viewer)
        | Q(in_reply_to_author__in=following_ids(viewer))
    )
    queryset = (
        visible_tweets(viewer)
        .filter(authors & reply_ok)
        .exclude(author__in=muted_ids(viewer))
        .exclude(retweet_of__author__in=muted_ids(viewer))
    )
    return with_viewer_state(queryset, viewer)
