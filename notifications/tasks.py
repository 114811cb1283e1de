"""Celery tasks of the notifications app (queue "notifications"). Thin:
they call notifications.services, then hand what was made to `delivery`
(the live streams and Web Push). Making a notification is idempotent (one
per cause), so a task that runs again after its worker died delivers
nothing twice."""

from celery import shared_task

from tweets.models import Tweet

from . import delivery, direct, services
from .models import Kind, Notification


def _author_of(tweet_id: int) -> int | None:
    return Tweet.objects.filter(pk=tweet_id).values_list("author_id", flat=True).first()


def _deliver(*notifications) -> None:
    for notification in notifications:
        if notification is not None:
            delivery.deliver(notification)


@shared_task
def tweet_posted(tweet_id: int) -> None:
    _deliver(*services.notify_post(tweet_id))
    delivery.tweet_posted(tweet_id)


@shared_task
def tweet_edited(tweet_id: int) -> None:
    _deliver(*services.sync_mentions(tweet_id))
    delivery.tweet_edited(tweet_id)


@shared_task
def tweet_deleted(tweet_id: int, author_id: int, removed_by_id: int | None) -> None:
    services.forget_tweet(tweet_id)
    if removed_by_id is not None:
        _deliver(services.notice_removed_tweet(tweet_id))
    delivery.tweet_deleted(tweet_id, author_id)


@shared_task
def liked(tweet_id: int, user_id: int) -> None:
    author_id = _author_of(tweet_id)
    if author_id is not None:
        _deliver(services.notify(author_id, user_id, Kind.LIKE, tweet_id))
    delivery.counts_changed(tweet_id)


@shared_task
def unliked(tweet_id: int, user_id: int) -> None:
    services.withdraw_about(Kind.LIKE, user_id, tweet_id)
    delivery.counts_changed(tweet_id)


@shared_task
def retweeted(tweet_id: int, user_id: int) -> None:
    author_id = _author_of(tweet_id)
    if author_id is not None:
        _deliver(services.notify(author_id, user_id, Kind.RETWEET, tweet_id))
    delivery.counts_changed(tweet_id)


@shared_task
def unretweeted(tweet_id: int, user_id: int) -> None:
    services.withdraw_about(Kind.RETWEET, user_id, tweet_id)
    delivery.counts_changed(tweet_id)


@shared_task
def followed(follower_id: int, followee_id: int) -> None:
    _deliver(services.notify(followee_id, follower_id, Kind.FOLLOW))


@shared_task
def unfollowed(follower_id: int, followee_id: int) -> None:
    services.withdraw(Kind.FOLLOW, follower_id, followee_id)


@shared_task
def follow_requested(requester_id: int, target_id: int) -> None:
    _deliver(services.notify(target_id, requester_id, Kind.FOLLOW_REQUEST))


@shared_task
def follow_request_closed(requester_id: int, target_id: int) -> None:
    services.withdraw(Kind.FOLLOW_REQUEST, requester_id, target_id)


@shared_task
def follow_request_accepted(requester_id: int, target_id: int) -> None:
    services.withdraw(Kind.FOLLOW_REQUEST, requester_id, target_id)
    _deliver(services.notify(requester_id, target_id, Kind.FOLLOW_ACCEPTED))


@shared_task
def blocked(blocker_id: int, blocked_id: int) -> None:
    services.forget_between(blocker_id, blocked_id)
    delivery.audience_changed(blocker_id, blocked_id)


@shared_task
def muted(muter_id: int) -> None:
    delivery.audience_changed(muter_id)


@shared_task
def logged_out(user_id: int, token_checksum: str = "") -> None:
    """A revoked token (or, without one, a suspension) ends open connections."""
    delivery.logged_out(user_id, token_checksum)


@shared_task
def message_sent(message_id: int) -> None:
    direct.message_sent(message_id)


@shared_task
def message_read(conversation_id: int, user_id: int, message_id: int) -> None:
    direct.message_read(conversation_id, user_id, message_id)


@shared_task
def typing(conversation_id: int, user_id: int) -> None:
    direct.typing(conversation_id, user_id)


@shared_task
def deliver(notification_id: int) -> None:
    """Deliver a notification made in a request (a staff notice)."""
    notification = Notification.objects.filter(pk=notification_id).first()
    _deliver(notification)
