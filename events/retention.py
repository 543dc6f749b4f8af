"""Removing events older than OMNITRON_EVENT_RETENTION_DAYS."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from events.models import OPEN_STATES, Event, WebhookDelivery

PURGE_BATCH = 5000


def purge_old_events(days: int | None = None) -> int:
    """Delete events older than `days` (the setting by default), oldest first; how many.

    Ids follow time, so the old events are the lowest ids: each step reads the
    oldest ones by primary key and stops at the first that is recent, with no
    index on the time and no scan of the rest of the table. The events of open
    deliveries are kept (a delivery's body is written from them at each
    attempt), and every later one: the purge stops at the oldest.
    """
    days = settings.OMNITRON_EVENT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    still_sent = WebhookDelivery.objects.filter(state__in=OPEN_STATES).aggregate(
        first=Min("first_event_id")
    )["first"]
    events = Event.objects.order_by("id")
    if still_sent is not None:
        events = events.filter(id__lt=still_sent)
    deleted = 0
    while True:
        oldest = list(events.values_list("id", "occurred_at")[:PURGE_BATCH])
        expired = [event_id for event_id, occurred_at in oldest if occurred_at < cutoff]
        if expired:
            with transaction.atomic():
                deleted += Event.objects.filter(id__in=expired).delete()[0]
        if len(expired) < len(oldest) or len(oldest) < PURGE_BATCH:
            return deleted
