"""Upserting the customers of many orders of one channel at once (the order import).

Called through CustomerService.upsert_customers, inside the caller's
transaction: one locked read of the customers a batch names, one insert of the
new ones, one update per set of changed fields, one insert of the audit
records, whatever the batch size.
"""

import dataclasses
import enum
from collections import defaultdict
from typing import Any

from django.db.models import Model
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import audit_event_values, record_audit_events
from channels.models import Channel
from customers.field_sets import creation_changes
from customers.models import Customer
from omnitron.bulk_insert import bulk_insert
from omnitron.bulk_update import bulk_update_fields


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclasses.dataclass(frozen=True)
class UpsertResult:
    outcome: Outcome
    customer: Customer | None = None
    error: str = ""


@dataclasses.dataclass
class _PendingEvent:
    customer: Customer
    action: str
    changes: dict


class CustomerBatchUpsert:
    """Applies customer records in order, as one service call each would, but in bulk.

    Records are dicts of clean field values (see CustomerService.upsert_customers).
    A customer named by several records is created by the first and updated
    by each later one that changes something; every step gets its audit record.
    """

    def __init__(self, channel: Channel, identifier_field: str, audit_context: AuditContext):
        self.channel = channel
        self.identifier_field = identifier_field
        self.context = audit_context
        # The key is never rewritten; a channel_code that is not the key is the
        # customer's code from its first order, so a later order cannot make it
        # collide with another customer's.
        self.kept_fields = {identifier_field, "channel_code"}

    def run(self, records: list[dict[str, Any]]) -> list[UpsertResult]:
        customers = self._locked_customers(
            {r[self.identifier_field] for r in records}, {name for r in records for name in r}
        )
        codes_taken = self._channel_codes_taken(records, customers)
        created: list[Customer] = []
        changed_fields: dict[int, tuple[Customer, set[str]]] = {}
        events: list[_PendingEvent] = []
        results = []
        for record in records:
            key = record[self.identifier_field]
            customer = customers.get(key)
            if customer is None:
                code = record["channel_code"]
                if code in codes_taken:
                    results.append(
                        UpsertResult(
                            Outcome.REJECTED,
                            error=f"channel_code {code!r} belongs to another customer "
                            f"of this channel (identified by {self.identifier_field}).",
                        )
                    )
                    continue
                customer = Customer(channel_id=self.channel.pk, **record)
                customers[key] = customer
                codes_taken.add(code)
                created.append(customer)
                events.append(_PendingEvent(customer, Action.CREATE, creation_changes(customer)))
                results.append(UpsertResult(Outcome.CREATED, customer))
                continue
            changes = self._apply(customer, record)
            if not changes:
                results.append(UpsertResult(Outcome.UNCHANGED, customer))
                continue
            # A customer this batch creates is inserted as last seen: no UPDATE for it.
            if customer.pk is not None:
                changed_fields.setdefault(id(customer), (customer, set()))[1].update(changes)
            events.append(_PendingEvent(customer, Action.UPDATE, changes))
            results.append(UpsertResult(Outcome.UPDATED, customer))
        bulk_insert(Customer, created)
        self._save_changes(changed_fields.values())
        record_audit_events(
            audit_event_values(e.customer, e.action, e.changes, self.context) for e in events
        )
        return results

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
            .only(*fields, self.identifier_field, "channel", "channel_code", "email", "version")
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
    def _save_changes(changed: "list[tuple[Customer, set[str]]]") -> None:
        """One UPDATE per set of changed fields: other columns are left as they are.

        Each changed customer's `version` is incremented, so that its ETag changes.
        """
        now = timezone.now()
        by_fields: dict[frozenset, list[Model]] = defaultdict(list)
        for customer, fields in changed:
            customer.modified_date = now
            customer.version += 1  # the row is locked: see _locked_customers
            by_fields[frozenset(fields)].append(customer)
        for fields, customers in by_fields.items():
            bulk_update_fields(customers, [*sorted(fields), "modified_date", "version"])
