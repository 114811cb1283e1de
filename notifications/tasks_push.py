"""Celery tasks of Web Push (queue "notifications"): one push to one
subscription per task, so that a failing push service is retried alone."""

import logging

from celery import shared_task

from . import push

logger = logging.getLogger(__name__)

# 30 s, 2 min, 8 min: well within the message's TTL.
MAX_RETRIES = 3
FIRST_RETRY_SECONDS = 30


@shared_task(bind=True, max_retries=MAX_RETRIES)
def send_push(self, subscription_id: int, notification_id: int) -> None:
    try:
        push.send(subscription_id, notification_id)
    except push.RetryLater as error:
        if self.request.retries >= self.max_retries:
            logger.warning(
                "Web Push of notification %s to subscription %s given up: %s",
                notification_id,
                subscription_id,
                error,
            )
            return
        countdown = error.countdown or FIRST_RETRY_SECONDS * 4**self.request.retries
        raise self.retry(countdown=countdown) from error
