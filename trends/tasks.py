"""Celery tasks of trending hashtags and posts (queue "default"). Thin: they call
trends.services, whose counting is once per tweet and whose computation
may run again, so a task redelivered after its worker died (acks_late)
is safe."""

from celery import shared_task

from . import posts, services


@shared_task
def count_hashtags(tweet_id: int) -> bool:
    return services.count_tweet(tweet_id)


@shared_task
def compute_trends() -> int:
    """Celery beat's job each minute: how many tags trend now."""
    return len(services.compute_trends())


@shared_task
def compute_trending_posts() -> int:
    """Celery beat's job each minute: how many posts trend now."""
    return len(posts.compute())


@shared_task
def prune_history() -> int:
    return services.prune_history()
