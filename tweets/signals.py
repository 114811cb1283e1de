"""Domain events of the tweets app.

Sent by tweets.services with transaction.on_commit. Arguments are ids.
"""

from django.dispatch import Signal

from .models import Tweet

# tweet_id, author_id. Sent for every new tweet row: originals, replies,
# quotes and retweets alike.
tweet_posted = Signal()
# tweet_id, author_id
tweet_edited = Signal()
# tweet_id, author_id, removed_by_id (None unless a moderator removed it)
tweet_deleted = Signal()
# tweet_id, user_id
tweet_liked = Signal()
tweet_unliked = Signal()
# retweet_id, tweet_id (the original), user_id
tweet_retweeted = Signal()
# tweet_id, user_id
tweet_unretweeted = Signal()
# viewer_id (None when anonymous), tweet_ids: tweets a page or an API
# response served, for the engagement analytics' impressions. Sent
# synchronously by the views, not on commit: nothing is written. Send it
# with send_tweets_shown (below), which leaves out the viewer's own tweets.
tweets_shown = Signal()


def send_tweets_shown(viewer, rows) -> None:
    """Send `tweets_shown` for the tweet rows a view served to `viewer`
    (a user, or None / AnonymousUser).

    Views call this with the rows they rendered, so the rule is in one
    place: a retweet row counts for its original (the tweet people see),
    each tweet once, and never the viewer's own (seeing one's own tweet is
    no impression). Needs `retweet_of` loaded, as every selector does.
    """
    viewer_id = getattr(viewer, "pk", None)
    shown = (row.shown for row in rows)
    tweet_ids = sorted({tweet.pk for tweet in shown if tweet.author_id != viewer_id})
    if tweet_ids:
        tweets_shown.send(sender=Tweet, viewer_id=viewer_id, tweet_ids=tweet_ids)
