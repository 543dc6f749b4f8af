"""Celery tasks (`celery -A omnitron worker -B`): webhook deliveries and the event purge.

Tasks are acknowledged after they ran (CELERY_TASK_ACKS_LATE) and given back
to the queue when their worker dies, so a killed worker's task runs again.
"""

from celery import shared_task

from events.delivery import deliver_pending, subscriptions_with_work
from events.retention import purge_old_events


@shared_task
def dispatch_webhooks() -> None:
    """One delivery task per subscription with work: after commits, and every few seconds."""
    for subscription_id in subscriptions_with_work():
        deliver_subscription.delay(subscription_id)


@shared_task
def deliver_subscription(subscription_id: int) -> None:
    if deliver_pending(subscription_id):
        deliver_subscription.delay(subscription_id)


@shared_task
def purge_events() -> int:
    return purge_old_events()
