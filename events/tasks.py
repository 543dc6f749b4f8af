"""Celery tasks (`celery -A omnitron worker -B`): webhook deliveries and the event purge.

Tasks are acknowledged after they ran (CELERY_TASK_ACKS_LATE) and given back
to the queue when their worker dies, so a killed worker's task runs again.
"""

from celery import shared_task

from events.delivery import deliver_pending, subscriptions_with_work
from events.retention import purge_old_events


@shared_task
def dispatch_webhooks() -> None:
    """Deliver to each subscription with work: after commits, and every few seconds.

    The first is delivered by this task; each other one by a task of its own,
    which another worker may take meanwhile.
    """
    first, *others = subscriptions_with_work() or [None]
    for subscription_id in others:
        deliver_subscription.delay(subscription_id)
    if first is not None:
        deliver_subscription(first)


@shared_task
def deliver_subscription(subscription_id: int) -> None:
    if deliver_pending(subscription_id):
        deliver_subscription.delay(subscription_id)


@shared_task
def purge_events() -> int:
    return purge_old_events()
