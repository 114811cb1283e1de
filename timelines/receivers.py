"""Reactions to account and tweet events: enqueue timeline tasks.

The signals are sent after commit (see the senders' services), so a task
never sees data that could still roll back.
"""

from django.dispatch import receiver

from accounts import signals as account_signals
from tweets import signals as tweet_signals

from . import tasks


@receiver(tweet_signals.tweet_posted, dispatch_uid="timelines.fan_out")
def on_tweet_posted(tweet_id, **kwargs):
    tasks.fan_out_tweet.delay(tweet_id)


@receiver(tweet_signals.tweet_deleted, dispatch_uid="timelines.retract")
def on_tweet_deleted(tweet_id, author_id, **kwargs):
    tasks.retract_tweet.delay(tweet_id, author_id)


@receiver(tweet_signals.tweet_unretweeted, dispatch_uid="timelines.resurface_unretweeted")
def on_unretweeted(tweet_id, user_id, **kwargs):
    tasks.resurface_unretweeted.delay(tweet_id, user_id)


@receiver(account_signals.user_followed, dispatch_uid="timelines.backfill")
def on_followed(follower_id, followee_id, **kwargs):
    tasks.backfill_follow.delay(follower_id, followee_id)


@receiver(account_signals.user_unmuted, dispatch_uid="timelines.backfill_unmuted")
def on_unmuted(muter_id, muted_id, **kwargs):
    tasks.backfill_follow.delay(muter_id, muted_id)


@receiver(account_signals.user_unfollowed, dispatch_uid="timelines.purge_unfollowed")
def on_unfollowed(follower_id, followee_id, **kwargs):
    tasks.purge_author.delay(follower_id, followee_id, False)


@receiver(account_signals.user_blocked, dispatch_uid="timelines.purge_blocked")
def on_blocked(blocker_id, blocked_id, **kwargs):
    tasks.purge_author.delay(blocker_id, blocked_id, True)
    tasks.purge_author.delay(blocked_id, blocker_id, True)


@receiver(account_signals.user_muted, dispatch_uid="timelines.purge_muted")
def on_muted(muter_id, muted_id, **kwargs):
    tasks.purge_author.delay(muter_id, muted_id, True)


@receiver(account_signals.user_suspended, dispatch_uid="timelines.purge_suspended")
def on_suspended(user_id, **kwargs):
    tasks.purge_suspended.delay(user_id)


@receiver(account_signals.user_unsuspended, dispatch_uid="timelines.restore_unsuspended")
def on_unsuspended(user_id, **kwargs):
    tasks.restore_unsuspended.delay(user_id)
