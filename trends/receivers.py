"""Reactions to other apps' events: count the hashtags of new tweets.

(Impressions and profile visits: trends.analytics.receivers.) The signal
is sent after commit, so the task never sees a tweet that could still roll
back; the task decides whether the tweet counts (originals anyone may see).
"""

from django.dispatch import receiver

from tweets import signals as tweet_signals

from . import tasks


@receiver(tweet_signals.tweet_posted, dispatch_uid="trends.count_hashtags")
def on_tweet_posted(tweet_id, **kwargs):
    tasks.count_hashtags.delay(tweet_id)
