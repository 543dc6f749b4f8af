"""OrderImportService: writes a batch of marketplace orders and upserts their customers."""

import dataclasses
from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_audit_events, row_audit_event_values
from channels.models import Channel
from customers.bulk_upsert import Outcome
from customers.models import Customer
from customers.services import CustomerService
from omnitron.bulk_insert import EncodedJSON, bulk_insert_values
from omnitron.db import commit_without_waiting_for_disk, lock_for_transaction
from orders.models import ORDER_DATA_FIELDS, Order, OrderItem
from orders.order_lines import OrderLine, RejectedLine

# The advisory-lock namespace of "importing orders into channel N".
IMPORT_LOCK_NAMESPACE = 0x0D3E
# What an order's `create` audit record holds (the raw payload and items are on the order).
AUDITED_ORDER_FIELDS = ("customer", *ORDER_DATA_FIELDS)


@dataclasses.dataclass
class BatchReport:
    orders_created: int = 0
    orders_present: int = 0
    customers: Counter = dataclasses.field(default_factory=Counter)  # Outcome -> count
    rejected: list[tuple[OrderLine, RejectedLine]] = dataclasses.field(default_factory=list)


def order_creation_changes(order: dict, customer_id: int) -> dict:
    """The `changes` of an order's create record, from its line's values (OrderLine.order)."""
    return {
        field: [None, customer_id if field == "customer" else order[field]]
        for field in AUDITED_ORDER_FIELDS
    }


class OrderImportService:
    @classmethod
    def import_batch(
        cls,
        channel: Channel,
        lines: list[OrderLine],
        audit_context: AuditContext,
        identifier_field: str | None = None,
    ) -> BatchReport:
        """Import `lines` in one transaction: all of the batch lands, or none of it.

        An order whose number the channel already has is left alone, and so is
        its customer data: importing the same lines again writes nothing.
        Imports into one channel take turns batch by batch (an advisory lock
        on PostgreSQL), so overlapping files never double an order or a customer.
        """
        identifier_field = identifier_field or channel.customer_identifier_field
        report = BatchReport()
        with transaction.atomic():
            lock_for_transaction(IMPORT_LOCK_NAMESPACE, channel.pk)
            commit_without_waiting_for_disk()  # a lost batch is imported by the next run
            new_lines = cls._lines_not_yet_imported(channel, lines, report)
            results = CustomerService.upsert_customers(
                channel,
                [line.customer for line in new_lines],
                identifier_field,
                audit_context,
                record_dates=[line.order["ordered_at"] for line in new_lines],
                carried_dates=cls._newest_order_dates(channel, new_lines, identifier_field),
            )
            imported: list[tuple[OrderLine, int]] = []  # with the customer's pk
            for line, result in zip(new_lines, results, strict=True):
                report.customers[result.outcome] += 1
                if result.outcome is Outcome.REJECTED:
                    errors = {f"customer.{name}": m for name, m in result.errors.items()}
                    report.rejected.append((line, RejectedLine(errors)))
                    continue
                imported.append((line, result.customer.pk))
            cls._insert_orders(channel, imported, audit_context)
            report.orders_created = len(imported)
        return report

    @staticmethod
    def _lines_not_yet_imported(
        channel: Channel, lines: list[OrderLine], report: BatchReport
    ) -> list[OrderLine]:
        """The lines whose order number is new to the channel (the first line of a repeat)."""
        seen = set(
            Order.objects.filter(channel=channel, number__in={line.number for line in lines})
            .order_by()
            .values_list("number", flat=True)
        )
        new_lines = []
        for line in lines:
            if line.number in seen:
                report.orders_present += 1
                continue
            seen.add(line.number)
            new_lines.append(line)
        return new_lines

    @staticmethod
    def _newest_order_dates(
        channel: Channel, lines: list[OrderLine], identifier_field: str
    ) -> dict[int, datetime | None]:
        """{customer pk: the date of its newest order} of the customers the lines name.

        A customer carries the data of its newest order: an older order's data
        is not applied, whichever import brings it and whenever. Imports of a
        channel take turns (the advisory lock), so no order lands in between.
        """
        keys = {line.customer[identifier_field] for line in lines}
        # One index lookup a customer: a join with GROUP BY gets planned as a
        # scan of every channel's orders.
        newest_order = (
            Order.objects.filter(customer=OuterRef("pk"), ordered_at__isnull=False)
            .order_by("-ordered_at")
            .values("ordered_at")[:1]
        )
        newest = (
            Customer.objects.filter(channel=channel, **{f"{identifier_field}__in": keys})
            .order_by()
            .values_list("pk")
            .annotate(newest=Subquery(newest_order))
        )
        return dict(newest)

    @staticmethod
    def _insert_orders(
        channel: Channel, lines: list[tuple[OrderLine, int]], audit_context: AuditContext
    ) -> None:
        """The orders, their items and their create records, from the lines' plain values."""
        order_ids = bulk_insert_values(
            Order,
            [
                {
                    **line.order,
                    "channel_id": channel.pk,
                    "customer_id": customer_id,
                    "raw_payload": EncodedJSON(line.text.decode()),
                }
                for line, customer_id in lines
            ],
        )
        bulk_insert_values(
            OrderItem,
            [
                {**item, "order_id": order_id}
                for (line, _), order_id in zip(lines, order_ids, strict=True)
                for item in line.items
            ],
        )
        record_audit_events(
            row_audit_event_values(
                Order,
                order_id,
                line.number,
                Action.CREATE,
                order_creation_changes(line.order, customer_id),
                audit_context,
            )
            for (line, customer_id), order_id in zip(lines, order_ids, strict=True)
        )
