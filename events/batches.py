"""A subscription's next batch of events and its delivery body, read as plain rows.

The body holds what EventSerializer (the feed's shape) gives for each event,
with the same keys in the same order, compact and in UTF-8 as before, but is
built from a fixed number of queries, without model instances or DRF fields:
a worker passes every event of a busy import through here. Each `changes` is
written as the database stores it (its spacing, the same values and key order).

The next events are found window by window of ids, then read by id: without
statistics (a fresh table, autovacuum off) the planner reads and joins every
matching event past the cursor before keeping the first ones, a cost that grows
with the backlog.
"""

import functools
from datetime import UTC, datetime, tzinfo

import orjson
from django.db import connection
from django.db.models import F, Max, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from events.compiled import CompiledValues
from events.models import Event, WebhookSubscription
from events.subscriptions import events_of

# The body's `type` (Standard Webhooks' payload shape: type, timestamp, data).
BATCH_TYPE = "events.batch"
# Ids looked at by the first query for a batch (times batch_size); doubled
# while the window holds too few matching events, up to MAX_WINDOW.
FIRST_WINDOW = 4
MAX_WINDOW = 100_000

# An event and its audit record's fields, in the order event_payload reads them.
_COLUMNS = (
    F("id"),
    F("type"),
    F("resource"),
    F("resource_id"),
    F("sequence"),
    F("channel_id"),
    F("occurred_at"),
    F("audit_event__source"),
    F("audit_event__actor_id"),
    F("audit_event__actor_repr"),
    F("audit_event__request_id"),
    # As stored: written into the body as it is, never decoded.
    Cast("audit_event__changes", TextField()),
)


def next_event_ids(subscription: WebhookSubscription) -> tuple[list[int], int]:
    """The ids of the next batch after the cursor, and where the cursor goes after them.

    A full batch moves it to its last event. Short of one, the newest event id
    is read, then the events from the last one found up to it are looked at:
    no event at or below it can be committed later (events/outbox.py), so the
    cursor moves to it.
    """
    wanted, after = subscription.batch_size, subscription.last_event_id
    window = wanted * FIRST_WINDOW
    ids = _matching_ids(subscription, after, after + window, wanted)
    if len(ids) == wanted:
        return ids, ids[-1]
    newest = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
    after = ids[-1] if ids else after
    while len(ids) < wanted and after < newest:
        window = min(window * 2, MAX_WINDOW)
        upto = min(newest, after + window)
        ids += _matching_ids(subscription, after, upto, wanted - len(ids))
        after = upto
    return ids, (ids[-1] if len(ids) == wanted else max(after, subscription.last_event_id))


def _matching_ids(
    subscription: WebhookSubscription, after: int, upto: int, limit: int
) -> list[int]:
    """Ids of the subscription's events in (after, upto], the first `limit` of them."""
    # What the filter and the LIMIT are built from: the compiled SQL is fixed by them.
    key = (tuple(subscription.event_types), tuple(subscription.channels or ()), limit)
    return [event_id for (event_id,) in _ids_between(key, after, upto)]


_ids_between = CompiledValues(
    lambda key, after, upto: (
        Event.objects.filter(
            events_of(event_types=key[0], channels=key[1]),
            id__gt=after,
            id__lte=upto,
        )
        .order_by("id")
        .values_list("id")[: key[2]]
    )
)


def event_rows(ids: list[int]) -> list[tuple]:
    """The events of these ids with their audit records' fields (_COLUMNS), in id order.

    Run on the connection of the delivery's transaction, from SQL the ORM
    compiles once per number of ids: compiling it costs more than running it.
    Events purged since (events/retention.py) are left out.
    """
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_rows_sql(connection.vendor, len(ids)), ids)
        return cursor.fetchall()


@functools.cache
def _rows_sql(vendor: str, count: int) -> str:
    query = Event.objects.filter(id__in=range(count)).order_by("id").values_list(*_COLUMNS)
    sql, params = query.query.sql_with_params()
    if list(params) != list(range(count)):  # the ids must be its only parameters, in order
        raise AssertionError(f"Unexpected parameters of the rows query: {params}")
    return sql


def event_payload(row: tuple, zone: tzinfo) -> dict:
    """One event as EventSerializer shows it (a deleted audit record: no source or changes)."""
    (event_id, type_, resource, resource_id, sequence, channel, occurred_at) = row[:7]
    source, actor_id, actor_repr, request_id, changes = row[7:]
    has_record = source is not None
    actor = None
    if has_record and (actor_id is not None or actor_repr):
        actor = {"id": actor_id, "username": actor_repr}
    return {
        "id": event_id,
        "type": type_,
        "resource": resource,
        "resource_id": resource_id,
        "sequence": sequence,
        "channel": channel,
        "occurred_at": in_zone(occurred_at, zone),
        "source": source if has_record else "",
        "actor": actor,
        "request_id": request_id if has_record else "",
        "changes": _stored_json(changes) if has_record else {},
    }


def in_zone(value: datetime, zone: tzinfo) -> datetime:
    """The time in `zone`, for orjson to write (SQLite's values are naive UTC)."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return value.astimezone(zone)


def batch_body(rows: list[tuple], timestamp: datetime) -> str:
    """The delivery's JSON: `{"type", "timestamp", "data": {"events": [...]}}`.

    Times in the active time zone, read once a batch, as DRF's DateTimeField
    writes them: orjson writes a datetime as `isoformat()` does, `Z` for
    `+00:00` (OPT_UTC_Z), for any offset of whole minutes (every zone's since 1972).
    """
    zone = timezone.get_current_timezone()
    body = {
        "type": BATCH_TYPE,
        "timestamp": in_zone(timestamp, zone),
        "data": {"events": [event_payload(row, zone) for row in rows]},
    }
    return orjson.dumps(body, option=orjson.OPT_UTC_Z).decode()


def _stored_json(text: str | None) -> orjson.Fragment | None:
    """The audit record's `changes` as the database holds them, written into the body as is."""
    return None if text is None else orjson.Fragment(text)
