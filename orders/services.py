"""OrderImportService: writes a batch of marketplace orders and upserts their customers."""

import dataclasses
from collections import Counter
from collections.abc import Callable

from django.db import transaction

from addresses.field_sets import LOCATION_ATTNAMES, content_digest
from addresses.models import Address
from addresses.services import AddressService
from audit.context import AuditContext
from audit.models import Action
from audit.services import record_audit_events, row_audit_event_values
from channels.models import Channel
from customers.bulk_upsert import Outcome
from customers.models import Customer
from customers.services import CustomerService
from omnitron.bulk_insert import EncodedJSON, bulk_insert_values
from omnitron.db import (
    commit_without_waiting_for_disk,
    find_rows_by_index,
    lock_for_transaction,
)
from orders.exceptions import (
    ADDRESS_NOT_OF_CUSTOMER_MESSAGE,
    CUSTOMER_NOT_IN_CHANNEL_MESSAGE,
    OrderNumberTaken,
    OrderRejected,
)
from orders.models import ORDER_DATA_FIELDS, Order, OrderItem
from orders.order_lines import ADDRESS_KEYS, OrderAddress, OrderLine, RejectedLine
from orders.places import PlaceResolver, ResolvedPlace
from orders.selectors import orders_with_items

# The advisory-lock namespace of "importing orders into channel N".
IMPORT_LOCK_NAMESPACE = 0x0D3E
# What an order's `create` audit record holds (the raw payload and items are on the order).
AUDITED_ORDER_FIELDS = ("customer", *ORDER_DATA_FIELDS, *ADDRESS_KEYS)


@dataclasses.dataclass
class BatchReport:
    orders_created: int = 0
    orders_present: int = 0
    customers: Counter = dataclasses.field(default_factory=Counter)  # Outcome -> count
    rejected: list[tuple[OrderLine, RejectedLine]] = dataclasses.field(default_factory=list)


def order_creation_changes(order: dict, customer_id: int, address_ids: dict | None = None) -> dict:
    """The `changes` of an order's create record, from its line's values (OrderLine.order)
    and its addresses' ids ({"shipping_address": pk, ...})."""
    values = {
        **order,
        "customer": customer_id,
        **dict.fromkeys(ADDRESS_KEYS),
        **(address_ids or {}),
    }
    return {field: [None, values[field]] for field in AUDITED_ORDER_FIELDS}


class OrderImportService:
    """The one writer of orders: the import's batches and create_orders' single order.

    Both read an order in the marketplace's shape (orders.order_lines), upsert
    its customer through CustomerService, and write the order, its items and
    their audit records in one transaction. Writers of one channel take turns
    (an advisory lock on PostgreSQL), so a number is never written twice.
    """

    @classmethod
    def import_batch(
        cls,
        channel: Channel,
        lines: list[OrderLine],
        audit_context: AuditContext,
        identifier_field: str | None = None,
        places: PlaceResolver | None = None,
        file_key: int | None = None,
    ) -> BatchReport:
        """Import `lines` in one transaction: all of the batch lands, or none of it.

        `places`: the resolver of the run (it remembers the places it has
        read); a line whose address names a place it cannot resolve is
        rejected naming the field (`order.shipping_address.city`).
        `file_key`: orders.importer.file_key of the file the lines were read
        from; of two orders of one customer and date in it, the later line's
        customer data stays, whichever batch lands last.

        An order whose number the channel already has is left alone, and so is
        its customer data: importing the same lines again writes nothing.
        Imports into one channel take turns batch by batch, so overlapping
        files never double an order or a customer.
        """
        identifier_field = identifier_field or channel.customer_identifier_field
        report = BatchReport()
        with transaction.atomic():
            lock_for_transaction(IMPORT_LOCK_NAMESPACE, channel.pk)
            commit_without_waiting_for_disk()  # a lost batch is imported by the next run
            find_rows_by_index()
            new_lines = cls._lines_not_yet_imported(channel, lines, report)
            places = places or PlaceResolver(channel.pk)
            cls._write(
                channel, new_lines, identifier_field, audit_context, report, places, file_key
            )
        return report

    @staticmethod
    def rewrite_orders_of(
        customer: Customer, rewrite: Callable[[Order], tuple[dict, dict]]
    ) -> list[int]:
        """Give the customer's orders the (raw_payload, extra_field) `rewrite` makes; their ids.

        For the erasure of an anonymized customer (its copies inside its
        orders), in the anonymizing transaction; amounts and items stay.
        """
        orders = list(
            Order.objects.filter(customer=customer).only("id", "raw_payload", "extra_field")
        )
        changed = []
        for order in orders:
            payload, extra = rewrite(order)
            if (payload, extra) != (order.raw_payload, order.extra_field):
                order.raw_payload, order.extra_field = payload, extra
                changed.append(order)
        Order.objects.bulk_update(changed, ["raw_payload", "extra_field"], batch_size=500)
        return [order.pk for order in orders]

    @classmethod
    def create_order(cls, channel: Channel, line: OrderLine, audit_context: AuditContext) -> Order:
        """Write the order of `line` (create_orders); return it with its items.

        Raises OrderNumberTaken when the channel already has the number (so
        two concurrent posts of one order make one order), and OrderRejected
        naming the fields for anything else the import would reject, such as
        a customer pk of another channel. Nothing is written then.
        """
        report = BatchReport()
        with transaction.atomic():
            lock_for_transaction(IMPORT_LOCK_NAMESPACE, channel.pk)
            if not cls._lines_not_yet_imported(channel, [line], report):
                raise OrderNumberTaken()
            written = cls._write(
                channel,
                [line],
                channel.customer_identifier_field,
                audit_context,
                report,
                PlaceResolver(channel.pk),
            )
            if report.rejected:
                raise OrderRejected(report.rejected[0][1].errors)
        return orders_with_items().get(pk=written[0])

    @classmethod
    def _write(
        cls,
        channel: Channel,
        lines: list[OrderLine],
        identifier_field: str,
        audit_context: AuditContext,
        report: BatchReport,
        places: PlaceResolver,
        file_key: int | None = None,
    ) -> list[int]:
        """Upsert the lines' customers and addresses, write their orders; the orders' ids.

        A line that cannot be written (a place unknown, its customer rejected)
        goes to `report.rejected`, and nothing of it is written.
        """
        lines = cls._lines_with_known_places(lines, places, report)
        customer_ids = cls._customers_of(
            channel, lines, identifier_field, audit_context, report, file_key
        )
        with_customers: list[tuple[OrderLine, int]] = []
        for line in lines:
            outcome = customer_ids[id(line)]
            if isinstance(outcome, RejectedLine):
                report.rejected.append((line, outcome))
            else:
                with_customers.append((line, outcome))
        addresses = cls._addresses_of(with_customers, places, audit_context)
        imported = []
        for line, customer_id in with_customers:
            outcome = addresses[id(line)]
            if isinstance(outcome, RejectedLine):
                report.rejected.append((line, outcome))
            else:
                imported.append((line, customer_id, outcome))
        order_ids = cls._insert_orders(channel, imported, audit_context)
        report.orders_created = len(imported)
        return order_ids

    @staticmethod
    def _lines_with_known_places(
        lines: list[OrderLine], places: PlaceResolver, report: BatchReport
    ) -> list[OrderLine]:
        """The lines whose addresses' places resolve; the others rejected, naming the field."""
        resolved = places.resolve(
            address.place
            for line in lines
            for address in line.addresses.values()
            if isinstance(address, OrderAddress)
        )
        kept = []
        for line in lines:
            errors = {}
            for key, address in line.addresses.items():
                if isinstance(address, OrderAddress):
                    place = resolved[address.place]
                    if not isinstance(place, ResolvedPlace):
                        errors.update({f"order.{key}.{f}": m for f, m in place.items()})
            if errors:
                report.rejected.append((line, RejectedLine(errors)))
            else:
                kept.append(line)
        return kept

    @staticmethod
    def _addresses_of(
        lines: list[tuple[OrderLine, int]], places: PlaceResolver, audit_context: AuditContext
    ) -> dict[int, dict[str, int] | RejectedLine]:
        """{id(line): {"shipping_address": pk, ...}, or why the line is rejected}.

        An address object becomes the customer's address of that content,
        reused by digest or created (AddressService.upsert_addresses: one
        read and at most one insert for the batch). An address pk
        (create_orders) must be one of the customer's addresses.
        """
        # An order mostly bills to the address it ships to, and a customer's orders
        # repeat its addresses: each distinct one is built and digested once, from
        # the content the parser computed.
        distinct: dict[tuple, int] = {}
        unique, digests, owners = [], [], []
        referenced: dict[int, int | None] = {}
        for line, customer_id in lines:
            for key, address in line.addresses.items():
                if not isinstance(address, OrderAddress):
                    referenced[address] = None
                    continue
                place = places.known[address.place]
                locations = (place.country_id, place.city_id, place.township_id, place.district_id)
                content_key = (customer_id, locations, address.content)
                position = distinct.setdefault(content_key, len(distinct))
                if position == len(unique):
                    unique.append(
                        {
                            **address.values,
                            "customer_id": customer_id,
                            **dict(zip(LOCATION_ATTNAMES, locations, strict=True)),
                        }
                    )
                    digests.append(content_digest(customer_id, locations, address.content))
                owners.append((id(line), key, position))
        if referenced:
            referenced.update(
                Address.objects.filter(pk__in=referenced).values_list("pk", "customer_id")
            )
        outcomes: dict[int, dict[str, int] | RejectedLine] = {}
        for line, customer_id in lines:
            ids, errors = {}, {}
            for key, address in line.addresses.items():
                if isinstance(address, OrderAddress):
                    continue
                if referenced[address] != customer_id:
                    errors[f"order.{key}"] = [ADDRESS_NOT_OF_CUSTOMER_MESSAGE]
                ids[key] = address
            outcomes[id(line)] = RejectedLine(errors) if errors else ids
        if unique:
            unique_ids = AddressService.upsert_addresses(unique, audit_context, digests=digests)
            for line_id, key, position in owners:
                outcome = outcomes[line_id]
                if not isinstance(outcome, RejectedLine):
                    outcome[key] = unique_ids[position]
        return outcomes

    @staticmethod
    def _customers_of(
        channel: Channel,
        lines: list[OrderLine],
        identifier_field: str,
        audit_context: AuditContext,
        report: BatchReport,
        file_key: int | None,
    ) -> dict[int, int | RejectedLine]:
        """{id(line): its customer's pk, or why the line is rejected}.

        A line naming its customer by pk (create_orders) leaves the customer
        as it is; the others upsert theirs, their data applied by order date.
        """
        outcomes: dict[int, int | RejectedLine] = {}
        named = [line for line in lines if line.customer_id is not None]
        if named:
            known = set(
                Customer.objects.filter(
                    channel=channel, pk__in={line.customer_id for line in named}
                ).values_list("pk", flat=True)
            )
            for line in named:
                outcomes[id(line)] = (
                    line.customer_id
                    if line.customer_id in known
                    else RejectedLine({"order.customer": [CUSTOMER_NOT_IN_CHANNEL_MESSAGE]})
                )
        given = [line for line in lines if line.customer_id is None]
        results = CustomerService.upsert_customers(
            channel,
            [line.customer for line in given],
            identifier_field,
            audit_context,
            record_dates=[line.order["ordered_at"] for line in given],
            file_key=file_key,
            record_lines=[line.line_number for line in given],
        )
        for line, result in zip(given, results, strict=True):
            report.customers[result.outcome] += 1
            if result.outcome is Outcome.REJECTED:
                errors = {f"order.customer.{name}": m for name, m in result.errors.items()}
                outcomes[id(line)] = RejectedLine(errors)
            else:
                outcomes[id(line)] = result.customer.pk
        return outcomes

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
    def _insert_orders(
        channel: Channel,
        lines: list[tuple[OrderLine, int, dict[str, int]]],
        audit_context: AuditContext,
    ) -> list[int]:
        """The orders, their items and their create records, from the lines' plain values
        (with the pks of each line's customer and addresses)."""
        order_ids = bulk_insert_values(
            Order,
            [
                {
                    **line.order,
                    "channel_id": channel.pk,
                    "customer_id": customer_id,
                    **{f"{key}_id": pk for key, pk in address_ids.items()},
                    "raw_payload": EncodedJSON(line.text.decode()),
                }
                for line, customer_id, address_ids in lines
            ],
        )
        bulk_insert_values(
            OrderItem,
            [
                {**item, "order_id": order_id}
                for (line, _, _), order_id in zip(lines, order_ids, strict=True)
                for item in line.items
            ],
        )
        record_audit_events(
            row_audit_event_values(
                Order,
                order_id,
                line.number,
                Action.CREATE,
                order_creation_changes(line.order, customer_id, address_ids),
                audit_context,
            )
            for (line, customer_id, address_ids), order_id in zip(lines, order_ids, strict=True)
        )
        return order_ids
