"""CustomerService: the only writer of customers.

The API, the admin and the import command all call it. Each write runs in one
transaction with its audit record; the unique constraint in the database, not
a prior SELECT, decides duplicates.
"""

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Unpack

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from audit.context import AuditContext, current_audit_context
from audit.models import Action, Source
from audit.services import record_audit_event
from channels.models import Channel
from customers import anonymization
from customers.bulk_upsert import UpsertResult, _CustomerBatchUpsert
from customers.exceptions import (
    ChannelChangeNotAllowed,
    CustomerDeletionNotAllowed,
    CustomerDuplicatedFieldException,
    CustomerNotFound,
)
from customers.field_sets import (
    WRITABLE_FIELDS,
    CustomerChanges,
    CustomerFields,
    audit_value,
    check_field_names,
    creation_changes,
)
from customers.models import Customer
from omnitron.changes import apply_changes
from omnitron.conditional import check_if_match
from omnitron.db import is_unique_violation

UNIQUE_CHANNEL_CODE = "customer_unique_channel_code"

# What an app deletes with a customer, through its own service (so each row it
# owns is audited). Apps above customers register here, from AppConfig.ready():
# customers does not import them.
DependentsDeleter = Callable[[Customer, AuditContext], None]
_dependents_deleters: list[DependentsDeleter] = []


def delete_with_customers(deleter: DependentsDeleter) -> None:
    """Have `deleter(customer, audit_context)` run before a customer's row is deleted."""
    if deleter not in _dependents_deleters:
        _dependents_deleters.append(deleter)


def resolve_audit_context(audit_context: AuditContext | None) -> AuditContext:
    """The given context, else the current request's, else a new one (a shell or script)."""
    return audit_context or current_audit_context() or AuditContext(source=Source.SHELL)


@contextmanager
def duplicate_channel_code_refused() -> Iterator[None]:
    """Turn the (channel, channel_code) unique violation into CustomerDuplicatedFieldException.

    Wraps the transaction, so the violation is seen once it has rolled back.
    """
    try:
        yield
    except IntegrityError as error:
        if is_unique_violation(error, Customer, UNIQUE_CHANNEL_CODE):
            raise CustomerDuplicatedFieldException() from error
        raise


def locked_customer(pk: int) -> Customer:
    """The customer's row, locked until the transaction ends; CustomerNotFound if it is gone."""
    try:
        return Customer.objects.select_for_update().get(pk=pk)
    except Customer.DoesNotExist:
        raise CustomerNotFound() from None


class CustomerService:
    @classmethod
    def create_customer(
        cls,
        *,
        channel: Channel,
        channel_code: str,
        audit_context: AuditContext | None = None,
        **kwargs: Unpack[CustomerFields],
    ) -> Customer:
        """Create a customer and its `create` audit record.

        Raises CustomerDuplicatedFieldException if the channel already has a
        customer with this channel_code, and django's ValidationError for
        values the model refuses.
        """
        check_field_names(kwargs)
        context = resolve_audit_context(audit_context)
        customer = Customer(channel=channel, channel_code=channel_code, **kwargs)
        # The channel is an instance already; checking that it exists would cost a query.
        customer.full_clean(exclude=["channel"], validate_unique=False, validate_constraints=False)
        with duplicate_channel_code_refused(), transaction.atomic():
            customer.save(force_insert=True)
            record_audit_event(customer, Action.CREATE, creation_changes(customer), context)
        return customer

    @classmethod
    def update_customer(
        cls,
        *,
        customer: Customer,
        audit_context: AuditContext | None = None,
        if_match: Collection[str] | None = None,
        **kwargs: Unpack[CustomerChanges],
    ) -> Customer:
        """Apply the changed fields of `kwargs` to the customer; return it as now stored.

        The row is locked for the transaction, so concurrent updates of other
        fields are kept; only changed fields are saved, and only they are
        recorded. A call that changes nothing writes nothing. Raises
        ChannelChangeNotAllowed for a different channel,
        CustomerDuplicatedFieldException for a channel_code already taken and
        CustomerNotFound if the customer was deleted meanwhile.

        `if_match`: the ETags the caller last read (If-Match); unless the
        stored customer's is one of them, raises PreconditionFailed and
        writes nothing. Each change increments `version`, hence the ETag.
        """
        check_field_names(kwargs)
        context = resolve_audit_context(audit_context)
        with duplicate_channel_code_refused(), transaction.atomic():
            current = locked_customer(customer.pk)
            check_if_match(current, if_match)
            channel = kwargs.pop("channel", None)
            if channel is not None and channel.pk != current.channel_id:
                raise ChannelChangeNotAllowed()
            changes = apply_changes(current, kwargs)
            if changes:
                current.clean_fields(exclude=WRITABLE_FIELDS - changes.keys())
                current.version += 1
                current.save(update_fields=[*changes, "modified_date", "version"])
                record_audit_event(current, Action.UPDATE, changes, context)
        return current

    @classmethod
    def upsert_customers(
        cls,
        channel: Channel,
        records: Sequence[dict[str, Any]],
        identifier_field: str = "channel_code",
        audit_context: AuditContext | None = None,
        *,
        record_dates: Sequence[datetime | None] | None = None,
        file_key: int | None = None,
        record_lines: Sequence[int] | None = None,
    ) -> list[UpsertResult]:
        """Create or update the customer of each record, in order; one result per record.

        For the bulk paths (the order import). Each record is a dict of field
        values holding `email`, `channel_code` and `identifier_field`, whose
        value names the customer within the channel; the values are cleaned
        as the model's fields clean them (a bulk_upsert.CleanRecord's are
        clean already: taken as they are), and a record with a bad one is
        REJECTED with its `errors` ({field: messages}). So is a record whose
        new customer would take a channel_code already in use. Nothing is
        written for a rejected record.

        With `record_dates` (one a record: the date of its data, such as its
        order's), a customer only takes data at least as new as the data it
        carries: its `order_data_date` (none: older than any date), which
        each applied record sets to its own date. An older record is
        OUTDATED and writes nothing; of two records of one date, the later
        wins. With `file_key` (orders.importer.file_key of the file the
        records were read from) and `record_lines` (each record's line in
        it), the customer also carries its data's file and line, and of one
        date a line before that one of the same file is OUTDATED, whichever
        call comes last (the parts of a file imported side by side); of one
        date from another file, the later call wins. A newer record that
        changes nothing moves the date (and line) on alone, with no audit
        record (the customer's data is as it was). Must run
        inside the caller's transaction; the customers it reads stay locked
        until that transaction ends.
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("upsert_customers must run inside a transaction.")
        for record in records:
            check_field_names(record)
        context = resolve_audit_context(audit_context)
        upsert = _CustomerBatchUpsert(channel, identifier_field, context, file_key)
        return upsert.run(records, record_dates, record_lines)

    @classmethod
    def delete_customer(
        cls,
        *,
        customer: Customer,
        audit_context: AuditContext | None = None,
        if_match: Collection[str] | None = None,
    ) -> None:
        """Delete the customer, recording every field's last value.

        What other apps keep of the customer (its addresses) goes first,
        through their services (delete_with_customers), in this transaction.
        Raises CustomerDeletionNotAllowed if the customer has orders, and
        PreconditionFailed if its ETag is not one of `if_match` (when given);
        then nothing is removed. Raises CustomerNotFound if it was deleted
        meanwhile.
        """
        context = resolve_audit_context(audit_context)
        with transaction.atomic():
            current = locked_customer(customer.pk)
            check_if_match(current, if_match)
            changes = {
                field: [audit_value(current, field), None] for field in sorted(WRITABLE_FIELDS)
            }
            record_audit_event(current, Action.DELETE, changes, context)
            try:
                with transaction.atomic():
                    for delete_dependents in _dependents_deleters:
                        delete_dependents(current, context)
                    current.delete()
            except ProtectedError as error:
                raise CustomerDeletionNotAllowed() from error

    @classmethod
    def anonymize_customer(
        cls, *, customer: Customer, audit_context: AuditContext | None = None
    ) -> Customer:
        """Remove the person from the customer and from every copy kept of it; return it.

        Sets what the documents describe (`is_active` false, `attributes`
        holding only `anonimizing_user_id` and `anonimization_time`) and
        replaces the personal fields (customers/anonymization.py). Its earlier
        audit records keep which fields changed, not the values; the erasure
        handlers the other apps registered remove their copies (addresses,
        orders' raw payloads, webhook deliveries, stored answers, the admin's
        log). All in one transaction with one `anonymize` audit record, which
        holds the new values only. A customer already anonymized is returned
        as it is: nothing is written or recorded. Raises CustomerNotFound if
        the customer was deleted meanwhile.
        """
        context = resolve_audit_context(audit_context)
        with transaction.atomic():
            current = locked_customer(customer.pk)
            target = anonymization.anonymized_values(
                current, context.actor_id, timezone.now().isoformat().replace("+00:00", "Z")
            )
            changes = {}
            for field, value in target.items():
                old = getattr(current, field)
                if old != value:
                    changes[field] = [old, value]
            if not changes:
                return current
            removed = [
                changes[field][0] for field in anonymization.PERSONAL_FIELDS if field in changes
            ]
            terms = anonymization.text_terms(removed) - anonymization.text_terms(target.values())
            for field, (_, value) in changes.items():
                setattr(current, field, value)
            current.version += 1
            current.save(update_fields=[*changes, "modified_date", "version"])
            anonymization.scrub_audit_records(
                Customer, [current.pk], anonymization.PERSONAL_FIELDS, terms, str(current)
            )
            for handler in anonymization.erasure_handlers():
                handler(current, terms, context)
            recorded = {
                field: [
                    anonymization.REDACTED
                    if field in anonymization.PERSONAL_FIELDS and old not in (None, "", {})
                    else old,
                    new,
                ]
                for field, (old, new) in changes.items()
            }
            record_audit_event(current, Action.ANONYMIZE, recorded, context)
        return current
