"""Read querysets for audit events."""

from django.db import models
from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_events() -> QuerySet[AuditEvent]:
    """Every event, newest first, with the content type the serializer reads, in one query.

    The actor is presented from the event's own `actor_id` and `actor_repr`,
    so the user table is not joined.
    """
    return AuditEvent.objects.select_related("content_type").order_by("-timestamp", "-id")


def audit_events_of(model: type[models.Model], object_id: int) -> QuerySet[AuditEvent]:
    """The events of one object (it may have been deleted since), newest first.

    The content type is matched by name in the same query, not looked up first:
    audit_object_time_idx serves the rest.
    """
    return audit_events().filter(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        object_id=object_id,
    )
