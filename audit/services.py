"""Writing audit records. Called by the services that change objects, inside their transaction.

Every audited change passes through record_audit_event or record_audit_events;
apps that must follow each change (the change events of `events`) register a
listener here, called in the same transaction, so the writers need not know them.
"""

from collections.abc import Callable, Iterable, Sequence
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


# A listener gets the column values of the records just written, their ids and,
# for a single record, its instance (None for the bulk paths).
AuditListener = Callable[[Sequence[dict[str, Any]], Sequence[int], models.Model | None], None]
_listeners: list[AuditListener] = []


def add_audit_listener(listener: AuditListener) -> None:
    """Call `listener` after each write of audit records, inside the writer's transaction."""
    if listener not in _listeners:
        _listeners.append(listener)


def record_audit_event(
    instance: models.Model, action: str, changes: dict, context: AuditContext
) -> AuditEvent:
    values = audit_event_values(instance, action, changes, context)
    event = AuditEvent(**values)
    event.save(force_insert=True)
    for listener in _listeners:
        listener([values], [event.pk], instance)
    return event


def record_audit_events(rows: Iterable[dict[str, Any]]) -> None:
    """Insert many records given by audit_event_values at once (the bulk paths: the import)."""
    rows = list(rows)
    ids = bulk_insert_values(AuditEvent, rows)
    for listener in _listeners:
        listener(rows, ids, None)
