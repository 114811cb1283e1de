"""Celery tasks of the media service (queue "media"). Thin: media.services.process
is idempotent, so a task redelivered after its worker died (acks_late) is safe."""

from celery import shared_task

from . import services


@shared_task
def process_media(media_id: int) -> str | None:
    return services.process(media_id)


@shared_task
def sweep_unattached_media() -> int:
    """Periodic (celery beat): delete uploads nobody attached in time."""
    return services.sweep_unattached()
