"""Writing audit records. Called by the services that change objects, inside their transaction."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from omnitron.bulk_insert import bulk_insert


def build_audit_event(
    instance: models.Model, action: str, changes: dict, context: AuditContext
) -> AuditEvent:
    return AuditEvent(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        object_repr=str(instance)[:255],
        action=action,
        changes=changes,
        actor_id=context.actor_id,
        actor_repr=context.actor_repr,
        source=context.source,
        request_id=context.request_id,
        remote_addr=context.remote_addr,
        timestamp=timezone.now(),
    )


def record_audit_event(
    instance: models.Model, action: str, changes: dict, context: AuditContext
) -> AuditEvent:
    event = build_audit_event(instance, action, changes, context)
    event.save(force_insert=True)
    return event


def record_audit_events(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Insert many events at once (the bulk paths, e.g. the order import)."""
    events = list(events)
    bulk_insert(AuditEvent, events)
    return events
