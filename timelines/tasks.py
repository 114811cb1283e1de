"""Celery tasks of the timeline service (queue "fanout"). Thin: they call
timelines.services, whose functions are idempotent, so a task redelivered
after its worker died (acks_late) is safe."""

from celery import shared_task

from . import services


@shared_task
def fan_out_tweet(tweet_id: int) -> int:
    return services.fan_out(tweet_id)


@shared_task
def retract_tweet(tweet_id: int, author_id: int) -> None:
    services.retract(tweet_id, author_id)


@shared_task
def backfill_follow(reader_id: int, author_id: int) -> None:
    services.backfill(reader_id, author_id)


@shared_task
def purge_author(reader_id: int, author_id: int, with_retweets_of_author: bool) -> None:
    services.purge_author(reader_id, author_id, with_retweets_of_author=with_retweets_of_author)


@shared_task
def resurface_unretweeted(original_id: int, retweeter_id: int) -> None:
    services.unretweeted(original_id, retweeter_id)


@shared_task
def purge_suspended(author_id: int) -> None:
    services.purge_suspended(author_id)


@shared_task
def restore_unsuspended(author_id: int) -> None:
    services.restore_unsuspended(author_id)
