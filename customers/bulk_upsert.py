"""Upserting the customers of many orders of one channel at once (the order import).

Private to CustomerService.upsert_customers, which calls it inside the
caller's transaction: one locked read of the customers a batch names, one
insert of the new ones, one update per set of changed fields, one insert of
the audit records, whatever the batch size.
"""

import dataclasses
import enum
import functools
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pgbulk
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import audit_event_values, record_audit_events
from channels.models import Channel
from customers.field_sets import creation_changes
from customers.models import Customer
from omnitron.bulk_insert import bulk_insert

# Where the data a customer carries comes from: its order's date, file and line.
POSITION_FIELDS = ["order_data_date", "order_data_file", "order_data_line"]


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    # The record is older than the data its customer carries: not applied.
    OUTDATED = "outdated"
    REJECTED = "rejected"


@dataclasses.dataclass(frozen=True)
class UpsertResult:
    outcome: Outcome
    customer: Customer | None = None
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # REJECTED: why


class CleanRecord(dict):
    """A customer record whose values are clean already: each as the model's field
    cleans it (Field.clean, a naive date made aware), or more strictly.

    upsert_customers checks only that its required fields are there: cleaning
    a clean value again gives it back, at a cost the order import (whose
    parser, orders.order_lines, cleans the customer with the model's fields in
    the parsing process) would pay for every line. Any other record, a plain
    dict, is cleaned.
    """


@dataclasses.dataclass
class _PendingEvent:
    customer: Customer
    action: str
    changes: dict


def _version(as_of: datetime | None) -> tuple:
    """A date's place in time; no date is older than any date."""
    return (as_of is not None, as_of)


class _CustomerBatchUpsert:
    """Applies customer records in order, as one service call each would, but in bulk.

    Private to CustomerService.upsert_customers, whose docstring says what it
    promises. Records are dicts of field values, cleaned here as the model's
    fields clean them. A customer named by several records is created by the
    first and updated by each later one that changes something (and, given
    dates, is not older than what the customer carries); every step gets its
    audit record. A CleanRecord's values are taken as they are. With a
    `file_key`, each record's line in that file breaks a tie of dates.
    """

    def __init__(
        self,
        channel: Channel,
        identifier_field: str,
        audit_context: AuditContext,
        file_key: int | None = None,
    ):
        self.channel = channel
        self.file_key = file_key
        self.identifier_field = identifier_field
        self.context = audit_context
        # The key is never rewritten; a channel_code that is not the key is the
        # customer's code from its first order, so a later order cannot make it
        # collide with another customer's.
        self.kept_fields = {identifier_field, "channel_code"}

    def run(
        self,
        records: Sequence[dict[str, Any]],
        record_dates: Sequence[datetime | None] | None = None,
        record_lines: Sequence[int | None] | None = None,
    ) -> list[UpsertResult]:
        required = (self.identifier_field, "channel_code", "email")
        cleaned = [_cleaned_record(record, required) for record in records]
        valid = [record for record, errors in cleaned if not errors]
        customers = self._locked_customers(
            {r[self.identifier_field] for r in valid}, {name for r in valid for name in r}
        )
        codes_taken = self._channel_codes_taken(valid, customers)
        dated = record_dates is not None
        record_dates = record_dates if dated else [None] * len(records)
        if not dated or self.file_key is None or record_lines is None:
            record_lines = [None] * len(records)
        created: list[Customer] = []
        changed_fields: dict[int, tuple[Customer, set[str]]] = {}
        # Known customers whose data stays but whose date or line moves on (no visible change).
        redated: dict[int, Customer] = {}
        events: list[_PendingEvent] = []
        results = []
        for (record, errors), as_of, line in zip(cleaned, record_dates, record_lines, strict=True):
            if errors:
                results.append(UpsertResult(Outcome.REJECTED, errors=errors))
                continue
            key = record[self.identifier_field]
            customer = customers.get(key)
            if customer is None:
                code = record["channel_code"]
                if code in codes_taken:
                    message = (
                        f"channel_code {code!r} belongs to another customer "
                        f"of this channel (identified by {self.identifier_field})."
                    )
                    results.append(
                        UpsertResult(Outcome.REJECTED, errors={"channel_code": [message]})
                    )
                    continue
                customer = Customer(channel_id=self.channel.pk, **record)
                self._set_position(customer, as_of, line)
                customers[key] = customer
                codes_taken.add(code)
                created.append(customer)
                events.append(_PendingEvent(customer, Action.CREATE, creation_changes(customer)))
                results.append(UpsertResult(Outcome.CREATED, customer))
                continue
            redate = False
            if dated:
                if self._older(as_of, line, customer):
                    results.append(UpsertResult(Outcome.OUTDATED, customer))
                    continue
                redate = self._set_position(customer, as_of, line)
            changes = self._apply(customer, record)
            # A customer this batch creates is inserted as last seen: no UPDATE for it.
            if customer.pk is not None and changes:
                changed_fields.setdefault(id(customer), (customer, set()))[1].update(changes)
            elif customer.pk is not None and redate:
                redated[id(customer)] = customer
            if not changes:
                results.append(UpsertResult(Outcome.UNCHANGED, customer))
                continue
            events.append(_PendingEvent(customer, Action.UPDATE, changes))
            results.append(UpsertResult(Outcome.UPDATED, customer))
        bulk_insert(Customer, created)
        self._save_changes(changed_fields.values(), dated)
        if redated:
            only_redated = [c for key, c in redated.items() if key not in changed_fields]
            if only_redated:
                _update_fields(only_redated, POSITION_FIELDS)
        record_audit_events(
            audit_event_values(e.customer, e.action, e.changes, self.context) for e in events
        )
        return results

    def _older(self, as_of: datetime | None, line: int | None, customer: Customer) -> bool:
        """Whether a record of this date and line is older than the data `customer` carries.

        Of one date, a line of the file the customer's data came from is older
        when it comes before that data's line: one process, reading the file in
        order, would have applied it first. From another file (or none), the
        record is not older: of one date, the data applied last stays.
        """
        record, carried = _version(as_of), _version(customer.order_data_date)
        if record != carried:
            return record < carried
        return (
            line is not None
            and customer.order_data_line is not None
            and customer.order_data_file == self.file_key
            and line < customer.order_data_line
        )

    def _set_position(self, customer: Customer, as_of: datetime | None, line: int | None) -> bool:
        """Make (as_of, this file, line) the customer's data's position; whether it moved."""
        position = (as_of, self.file_key if line is not None else None, line)
        moved = position != (
            customer.order_data_date,
            customer.order_data_file,
            customer.order_data_line,
        )
        customer.order_data_date, customer.order_data_file, customer.order_data_line = position
        return moved

    def _locked_customers(self, keys: set, fields: set[str]) -> dict[Any, Customer]:
        """The channel's customers with these keys, locked until the transaction ends.

        Locked in primary-key order, so two writers never wait on each other in a cycle.
        Where the key is not unique (email, phone), the oldest customer is the one.
        Only `fields` (those the records give) are read, with what identifies a
        customer and names it in its audit records: the others are not compared,
        and a customer's five JSON columns cost more to read than the rest.
        """
        customers: dict[Any, Customer] = {}
        found = (
            Customer.objects.select_for_update()
            .filter(channel=self.channel, **{f"{self.identifier_field}__in": keys})
            .only(
                *fields,
                self.identifier_field,
                "channel",
                "channel_code",
                "email",
                "version",
                *POSITION_FIELDS,
            )
            .order_by("pk")
        )
        for customer in found:
            customers.setdefault(getattr(customer, self.identifier_field), customer)
        return customers

    def _channel_codes_taken(self, records, customers) -> set[str]:
        """Codes of the channel that a new customer of this batch could collide with."""
        if self.identifier_field == "channel_code":
            return set()  # A known code is an existing customer, found by its key.
        new_codes = {
            r["channel_code"] for r in records if r[self.identifier_field] not in customers
        }
        return set(
            Customer.objects.filter(channel=self.channel, channel_code__in=new_codes).values_list(
                "channel_code", flat=True
            )
        )

    def _apply(self, customer: Customer, record: dict) -> dict:
        changes = {}
        for field, value in record.items():
            if field in self.kept_fields:
                continue
            old = getattr(customer, field)
            if old != value:
                setattr(customer, field, value)
                changes[field] = [old, value]
        return changes

    @staticmethod
    def _save_changes(changed: "list[tuple[Customer, set[str]]]", dated: bool) -> None:
        """One UPDATE per set of changed fields: other columns are left as they are.

        Each changed customer's `version` is incremented, so that its ETag
        changes; with dates, the date of the data it now carries is written too.
        """
        now = timezone.now()
        by_fields: dict[frozenset, list[Model]] = defaultdict(list)
        for customer, fields in changed:
            customer.modified_date = now
            customer.version += 1  # the row is locked: see _locked_customers
            by_fields[frozenset(fields)].append(customer)
        for fields, customers in by_fields.items():
            dates = POSITION_FIELDS if dated else []
            _update_fields(customers, [*sorted(fields), "modified_date", "version", *dates])


def _update_fields(customers: list[Model], fields: list[str]) -> None:
    """One UPDATE ... FROM (VALUES ...) on PostgreSQL (pgbulk); Django's CASE WHEN elsewhere.

    pgbulk casts a text value to its column's type, which cuts one too long:
    the values are cleaned first (_cleaned_record), so none is.
    """
    if connection.vendor == "postgresql":
        pgbulk.update(Customer, customers, fields)
    else:
        Customer.objects.bulk_update(customers, fields)


def _cleaned_record(
    record: dict[str, Any], required: Sequence[str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(the record's values as the model's fields clean them, {field: messages} of the bad)."""
    values, errors = {}, {}
    for name in required:
        if name not in record:
            errors[name] = ["This field is required."]
    if type(record) is CleanRecord:
        return record, errors
    for name, value in record.items():
        if isinstance(value, dict | list):
            cleaned, messages = _clean_value(name, value)
        else:  # An import repeats its values (names, cities, flags): each is cleaned once.
            cleaned, messages = _clean_scalar(name, type(value), value)
        if messages:
            errors[name] = list(messages)
        else:
            values[name] = cleaned
    return values, errors


@functools.lru_cache(maxsize=100_000)
def _clean_scalar(name: str, value_type: type, value: Any) -> tuple[Any, tuple[str, ...]]:
    """_clean_value of a hashable value; the type is part of the key (True == 1)."""
    return _clean_value(name, value)


def _clean_value(name: str, value: Any) -> tuple[Any, tuple[str, ...]]:
    field = Customer._meta.get_field(name)
    try:
        value = field.clean(value, None)
    except ValidationError as error:
        return None, tuple(error.messages)
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value, ()
