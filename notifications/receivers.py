"""Reactions to account, tweet and direct-message events: enqueue notification tasks.

The signals are sent after commit (see the senders' services), so a task
never sees data that could still roll back.
"""

from functools import partial

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from oauth2_provider.models import get_access_token_model

from accounts import signals as account_signals
from messaging import signals as messaging_signals
from tweets import signals as tweet_signals

from . import tasks
from .streams import session_checksum


@receiver(tweet_signals.tweet_posted, dispatch_uid="notifications.tweet_posted")
def on_tweet_posted(tweet_id, **kwargs):
    tasks.tweet_posted.delay(tweet_id)


@receiver(tweet_signals.tweet_edited, dispatch_uid="notifications.tweet_edited")
def on_tweet_edited(tweet_id, **kwargs):
    tasks.tweet_edited.delay(tweet_id)


@receiver(tweet_signals.tweet_deleted, dispatch_uid="notifications.tweet_deleted")
def on_tweet_deleted(tweet_id, author_id, removed_by_id=None, **kwargs):
    tasks.tweet_deleted.delay(tweet_id, author_id, removed_by_id)


@receiver(tweet_signals.tweet_liked, dispatch_uid="notifications.liked")
def on_liked(tweet_id, user_id, **kwargs):
    tasks.liked.delay(tweet_id, user_id)


@receiver(tweet_signals.tweet_unliked, dispatch_uid="notifications.unliked")
def on_unliked(tweet_id, user_id, **kwargs):
    tasks.unliked.delay(tweet_id, user_id)


@receiver(tweet_signals.tweet_retweeted, dispatch_uid="notifications.retweeted")
def on_retweeted(tweet_id, user_id, **kwargs):
    tasks.retweeted.delay(tweet_id, user_id)


@receiver(tweet_signals.tweet_unretweeted, dispatch_uid="notifications.unretweeted")
def on_unretweeted(tweet_id, user_id, **kwargs):
    tasks.unretweeted.delay(tweet_id, user_id)


@receiver(account_signals.user_followed, dispatch_uid="notifications.followed")
def on_followed(follower_id, followee_id, approved=False, **kwargs):
    # An approved request notifies the requester (follow_request_accepted);
    # the account that approved it needs no "followed you".
    if not approved:
        tasks.followed.delay(follower_id, followee_id)


@receiver(account_signals.user_unfollowed, dispatch_uid="notifications.unfollowed")
def on_unfollowed(follower_id, followee_id, **kwargs):
    tasks.unfollowed.delay(follower_id, followee_id)


@receiver(account_signals.follow_requested, dispatch_uid="notifications.follow_requested")
def on_follow_requested(requester_id, target_id, **kwargs):
    tasks.follow_requested.delay(requester_id, target_id)


@receiver(account_signals.follow_request_closed, dispatch_uid="notifications.follow_request_closed")
def on_follow_request_closed(requester_id, target_id, **kwargs):
    tasks.follow_request_closed.delay(requester_id, target_id)


@receiver(account_signals.follow_request_accepted, dispatch_uid="notifications.follow_request_accepted")
def on_follow_request_accepted(requester_id, target_id, **kwargs):
    tasks.follow_request_accepted.delay(requester_id, target_id)


@receiver(account_signals.user_blocked, dispatch_uid="notifications.blocked")
def on_blocked(blocker_id, blocked_id, **kwargs):
    tasks.blocked.delay(blocker_id, blocked_id)


@receiver(account_signals.user_muted, dispatch_uid="notifications.muted")
def on_muted(muter_id, **kwargs):
    tasks.muted.delay(muter_id)


@receiver(account_signals.user_unmuted, dispatch_uid="notifications.unmuted")
def on_unmuted(muter_id, **kwargs):
    tasks.muted.delay(muter_id)


@receiver(account_signals.user_suspended, dispatch_uid="notifications.suspended")
def on_suspended(user_id, **kwargs):
    tasks.logged_out.delay(user_id)


@receiver(messaging_signals.message_sent, dispatch_uid="notifications.message_sent")
def on_message_sent(message_id, **kwargs):
    tasks.message_sent.delay(message_id)


@receiver(messaging_signals.message_read, dispatch_uid="notifications.message_read")
def on_message_read(conversation_id, user_id, message_id, **kwargs):
    tasks.message_read.delay(conversation_id, user_id, message_id)


@receiver(messaging_signals.typing, dispatch_uid="notifications.typing")
def on_typing(conversation_id, user_id, **kwargs):
    tasks.typing.delay(conversation_id, user_id)


@receiver(user_logged_out, dispatch_uid="notifications.logged_out")
def on_logged_out(request, user, **kwargs):
    """Logging out of a browser ends that session's live connections."""
    session_key = request.session.session_key if hasattr(request, "session") else None
    if user is not None and session_key:
        tasks.logged_out.delay(user.pk, session_checksum(session_key))


# A token is deleted when it is revoked (/oauth/revoke, Settings -> Apps):
# the streaming connections opened with it end too.
@receiver(post_delete, sender=get_access_token_model(), dispatch_uid="notifications.token_revoked")
def on_token_deleted(instance, **kwargs):
    if instance.user_id:
        revoked = partial(tasks.logged_out.delay, instance.user_id, instance.token_checksum)
        transaction.on_commit(revoked)
