"""Writing audit records. Called by the services that change objects, inside their transaction."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from omnitron.bulk_insert import bulk_insert_values


def audit_event_values(
    instance: models.Model, action: str, changes: dict, context: AuditContext
) -> dict[str, Any]:
    """The columns of the audit record of one change of `instance` (a saved object)."""
    return row_audit_event_values(
        type(instance), instance.pk, str(instance), action, changes, context
    )


def row_audit_event_values(
    model: type[models.Model],
    object_id: int,
    object_repr: str,
    action: str,
    changes: dict,
    context: AuditContext,
) -> dict[str, Any]:
    """As audit_event_values, for a row written without a model instance (the bulk paths)."""
    return {
        "content_type_id": ContentType.objects.get_for_model(model).pk,
        "object_id": object_id,
        "object_repr": object_repr[:255],
        "action": action,
        "changes": changes,
        "actor_id": context.actor_id,
        "actor_repr": context.actor_repr,
        "source": context.source,
        "request_id": context.request_id,
        "remote_addr": context.remote_addr,
        "timestamp": timezone.now(),
    }


def record_audit_event(
    instance: models.Model, action: str, changes: dict, context: AuditContext
) -> AuditEvent:
    event = AuditEvent(**audit_event_values(instance, action, changes, context))
    event.save(force_insert=True)
    return event


def record_audit_events(rows: Iterable[dict[str, Any]]) -> None:
    """Insert many records given by audit_event_values at once (the bulk paths: the import)."""
    bulk_insert_values(AuditEvent, list(rows))
