"""Removing events older than OMNITRON_EVENT_RETENTION_DAYS."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.models import Event

PURGE_BATCH = 5000


def purge_old_events(days: int | None = None) -> int:
    """Delete events older than `days` (the setting by default), oldest first; how many.

    Ids follow time, so the old events are the lowest ids: each step reads the
    oldest ones by primary key and stops at the first that is recent, with no
    index on the time and no scan of the rest of the table.
    """
    days = settings.OMNITRON_EVENT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        oldest = list(Event.objects.order_by("id").values_list("id", "occurred_at")[:PURGE_BATCH])
        expired = [event_id for event_id, occurred_at in oldest if occurred_at < cutoff]
        if expired:
            with transaction.atomic():
                deleted += Event.objects.filter(id__in=expired).delete()[0]
        if len(expired) < len(oldest) or len(oldest) < PURGE_BATCH:
            return deleted
