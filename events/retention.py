"""Removing events older than OMNITRON_EVENT_RETENTION_DAYS."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.models import DeliveryState, Event, WebhookDelivery

PURGE_BATCH = 5000


def purge_old_events(days: int | None = None) -> int:
    """Delete events older than `days` (the setting by default), oldest first; how many.

    Ids follow time, so the old events are the lowest ids: each step reads the
    next oldest ones by primary key and stops at the first that is recent, with
    no index on the time and no scan of the rest of the table. The events of
    deliveries not yet delivered (open or failed) are kept, whatever their age:
    a delivery's body is written from them at each attempt, and a failed one
    can be retried. They are a batch a delivery, a few a subscription.
    """
    days = settings.OMNITRON_EVENT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    kept = _events_of_deliveries_not_delivered()
    deleted, after = 0, 0
    while True:
        oldest = list(
            Event.objects.filter(id__gt=after)
            .order_by("id")
            .values_list("id", "occurred_at")[:PURGE_BATCH]
        )
        expired = [event_id for event_id, occurred_at in oldest if occurred_at < cutoff]
        doomed = [event_id for event_id in expired if event_id not in kept]
        if doomed:
            with transaction.atomic():
                deleted += Event.objects.filter(id__in=doomed).delete()[0]
        if len(expired) < len(oldest) or len(oldest) < PURGE_BATCH:
            return deleted
        after = oldest[-1][0]


def _events_of_deliveries_not_delivered() -> set[int]:
    kept: set[int] = set()
    deliveries = WebhookDelivery.objects.exclude(state=DeliveryState.DELIVERED)
    for ids in deliveries.values_list("event_ids", flat=True).iterator():
        kept.update(ids)
    return kept
