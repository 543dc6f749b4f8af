"""Writing change events in the writer's transaction (the transactional outbox).

Called for every write of audit records (audit.services' listener): one event
per record of a model named in OMNITRON_EVENT_RESOURCES, in the same
transaction, so an event exists exactly when its change was committed. The
order import's records come in bulk and their events are copied in bulk.

Ids follow commit order. A reader that has seen event N must never later find
a smaller id committed, or it would skip it: on PostgreSQL each writer takes
one advisory lock from its first event to its commit, so a transaction takes
its ids only after every earlier writer of events has committed. (SQLite lets
one writer at a time anyway.) Only that tail of each write is taken in turn.
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max
from kombu.exceptions import OperationalError as BrokerError

from events.models import Event
from events.tasks import dispatch_webhooks
from omnitron.bulk_insert import bulk_insert_values
from omnitron.db import lock_for_transaction

logger = logging.getLogger(__name__)

# The advisory-lock namespace of "writing events" (one key: 0).
EVENT_LOCK_NAMESPACE = 0x0E7E
# After the broker refused an enqueue, requests skip it for this long (the sweep
# delivers meanwhile) instead of each waiting for a broker that does not answer.
BROKER_PAUSE_SECONDS = 10.0
_broker_paused_until = 0.0
# Publishes tried before the broker is taken as down (enqueue_webhook_dispatch).
PUBLISH_TRIES = 2
# An audit action, as the second half of an event type (`customer.updated`).
EVENT_VERBS = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "anonymize": "anonymized",
}


def event_resource(content_type_id: int) -> tuple[str, str, type[models.Model]] | None:
    """(resource name, channel path, model) of a content type whose changes make events."""
    content_type = ContentType.objects.get_for_id(content_type_id)
    spec = settings.OMNITRON_EVENT_RESOURCES.get(f"{content_type.app_label}.{content_type.model}")
    if spec is None:
        return None
    return (
        spec["resource"],
        spec["channel"],
        apps.get_model(content_type.app_label, content_type.model),
    )


def record_events_for_audit(
    rows: Sequence[dict[str, Any]], audit_ids: Sequence[int], instance: models.Model | None
) -> None:
    """Write the events of these audit records' changes (the values given to audit, their ids)."""
    tracked = []
    resources: dict[int, tuple | None] = {}
    for row, audit_id in zip(rows, audit_ids, strict=True):
        content_type_id = row["content_type_id"]
        if content_type_id not in resources:
            resources[content_type_id] = event_resource(content_type_id)
        if resources[content_type_id] is not None:
            tracked.append((row, audit_id, resources[content_type_id]))
    if not tracked:
        return
    lock_for_transaction(EVENT_LOCK_NAMESPACE, 0)
    channels = _channels(tracked, instance)
    sequences = _last_sequences(tracked)
    values = []
    for row, audit_id, (resource, _, _) in tracked:
        key = (resource, row["object_id"])
        sequences[key] += 1
        values.append(
            {
                "type": f"{resource}.{EVENT_VERBS[row['action']]}",
                "resource": resource,
                "resource_id": row["object_id"],
                "sequence": sequences[key],
                "channel_id": channels.get(key),
                "occurred_at": row["timestamp"],
                "audit_event_id": audit_id,
            }
        )
    if len(values) == 1:
        Event(**values[0]).save(force_insert=True)
    else:
        bulk_insert_values(Event, values)
    _pending.events_written = True
    transaction.on_commit(_dispatch_once_per_commit)


def _channels(tracked, instance) -> dict[tuple[str, int], int | None]:
    """The channel of each changed object: from the instance, else one query per model."""
    if instance is not None:
        (row, _, (resource, path, _)), *_ = tracked
        value = instance
        for name in path.split("__"):
            value = getattr(value, name)
        return {(resource, row["object_id"]): value}
    ids_by_model: dict[tuple[str, str, type], set[int]] = {}
    for row, _, spec in tracked:
        ids_by_model.setdefault(spec, set()).add(row["object_id"])
    channels = {}
    for (resource, path, model), ids in ids_by_model.items():
        found = model._base_manager.filter(pk__in=ids).order_by().values_list("pk", path)
        channels.update({(resource, pk): channel for pk, channel in found})
    return channels


def _last_sequences(tracked) -> Counter:
    """The last sequence number of each resource, 0 for new ones.

    A resource whose first record here is its creation has no events yet: it
    is not looked up (the import creates most of what it writes). Its row is
    locked by the writer (or new), so no other transaction numbers it meanwhile.
    """
    sequences: Counter = Counter()
    first_action: dict[tuple[str, int], str] = {}
    for row, _, (resource, _, _) in tracked:
        first_action.setdefault((resource, row["object_id"]), row["action"])
    known: dict[str, list[int]] = {}
    for (resource, object_id), action in first_action.items():
        if action != "create":
            known.setdefault(resource, []).append(object_id)
    for resource, ids in known.items():
        found = (
            Event.objects.filter(resource=resource, resource_id__in=ids)
            .order_by()
            .values_list("resource_id")
            .annotate(last=Max("sequence"))
        )
        sequences.update({(resource, object_id): last for object_id, last in found})
    return sequences


# Whether this thread wrote events since its last dispatch request (connections are per thread).
_pending = threading.local()


def _dispatch_once_per_commit() -> None:
    """The commit's dispatch request: one, though the transaction wrote events several times.

    An import's batch writes the events of its customers, addresses and orders
    apart, each asking for this after the commit; the callbacks run one after
    the other once it is done, and only the first finds events not yet asked for.
    """
    if getattr(_pending, "events_written", False):
        _pending.events_written = False
        enqueue_webhook_dispatch()


def enqueue_webhook_dispatch() -> None:
    """Ask the workers to deliver what was just committed.

    Never raises into the request: with the broker down the change stands,
    and the workers' periodic sweep (CELERY_BEAT_SCHEDULE) delivers its events later.
    A second try goes over a new connection: RabbitMQ closes one that stayed
    idle past its heartbeat (a process that wrote nothing for minutes), and
    the first publish after that fails on it. Only then is the broker down.
    """
    global _broker_paused_until
    if time.monotonic() < _broker_paused_until:
        return
    for _ in range(PUBLISH_TRIES):
        try:
            dispatch_webhooks.apply_async(retry=False)
            return
        except (BrokerError, OSError) as error:
            failure = error
    _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
    logger.warning("Webhook dispatch not enqueued (the sweep will send it): %s", failure)
