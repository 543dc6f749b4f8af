"""AddressService: the only writer of addresses.

The API, the admin and the order import call it. Each write runs in one
transaction with its audit record; the unique constraint on (customer,
hash_data), not a prior SELECT, decides duplicates, so concurrent creates of
one address make one row.
"""

import hashlib
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Unpack

from django.db import IntegrityError, connections, transaction
from django.db.models import JSONField
from django.utils import timezone

from addresses.exceptions import (
    ADDRESS_NOT_IN_PARENT_MESSAGES,
    CUSTOMER_CHANGE_MESSAGE,
    INACTIVE_LOCATION_MESSAGE,
    AddressDuplicated,
    AddressFieldError,
)
from addresses.field_sets import (
    FOREIGN_KEYS,
    LOCATION_FIELDS,
    RECORD_DEFAULTS,
    SORTED_WRITABLE_FIELDS,
    WRITABLE_FIELDS,
    AddressChanges,
    AddressFields,
    AddressRecord,
    audit_value,
    check_field_names,
    creation_changes,
    digest_of,
    record_creation_changes,
    record_digest,
)
from addresses.models import UNIQUE_CUSTOMER_HASH, Address, address_label
from audit.context import AuditContext, current_audit_context
from audit.models import Action, Source
from audit.services import (
    audit_event_values,
    record_audit_event,
    record_audit_events,
    row_audit_event_values,
)
from customers.anonymization import REDACTED
from customers.models import Customer
from locations.models import City, Country
from omnitron.changes import apply_changes
from omnitron.conditional import check_if_match
from omnitron.db import is_unique_violation

# The keys a bulk record may hold: columns, a foreign key by its id.
RECORD_FIELDS = frozenset(f"{f}_id" if f in FOREIGN_KEYS else f for f in WRITABLE_FIELDS)
# Rows per INSERT of the bulk path: within the bound parameters of one
# statement (PostgreSQL 65,535, SQLite 32,766) at 26 columns a row.
INSERT_BATCH_SIZE = 1000


def resolve_audit_context(audit_context: AuditContext | None) -> AuditContext:
    """The given context, else the current request's, else a new one (a shell or script)."""
    return audit_context or current_audit_context() or AuditContext(source=Source.SHELL)


@contextmanager
def duplicate_refused(address: Address) -> Iterator[None]:
    """Turn the (customer, hash_data) unique violation into AddressDuplicated.

    Wraps the transaction, so the violation is seen once it has rolled back.
    """
    try:
        yield
    except IntegrityError as error:
        if is_unique_violation(error, Address, UNIQUE_CUSTOMER_HASH):
            raise AddressDuplicated(address.hash_data) from error
        raise


def check_locations(address: Address, changed: Collection[str]) -> None:
    """Raise AddressFieldError unless the address's locations make one chain.

    The city must be in the country, the township in the city, the district
    in the township (a district without a township is in none); the error
    names the lower field of a pair that disagrees. A location the write sets
    (`changed`) must be active. Nothing is checked when no location changes:
    the stored chain stays as it is. Reads the locations through the address
    (instances already there cost no query).
    """
    if not set(changed) & set(LOCATION_FIELDS):
        return
    errors = {}
    for field in LOCATION_FIELDS:
        location = getattr(address, field)
        if field in changed and location is not None and not location.is_active:
            errors[field] = INACTIVE_LOCATION_MESSAGE.format(kind=field)
    city, township, district = address.city, address.township, address.district
    if city.country_id != address.country_id:
        errors.setdefault("city", ADDRESS_NOT_IN_PARENT_MESSAGES["city"])
    if township is not None and township.city_id != address.city_id:
        errors.setdefault("township", ADDRESS_NOT_IN_PARENT_MESSAGES["township"])
    if district is not None and district.township_id != address.township_id:
        errors.setdefault("district", ADDRESS_NOT_IN_PARENT_MESSAGES["district"])
    if errors:
        raise AddressFieldError(errors, code="not_in_parent")


def _clean(address: Address, fields: Collection[str]) -> None:
    """Validate `fields` of the address as the model does (lengths, choices, email)."""
    # Foreign keys are instances already checked; checking that they exist would cost queries.
    address.clean_fields(exclude=[f.name for f in Address._meta.fields if f.name not in fields])


# An address keeps where it is (its locations, for the statistics of orders) and
# its kind; who and exactly where go.
ADDRESS_CLEARED = {
    "email": None,
    "phone_number": "",
    "first_name": "",
    "last_name": "",
    "line": "",
    "postcode": None,
    "title": None,
    "notes": None,
    "company_name": None,
    "tax_office": None,
    "tax_no": None,
    "identity_number": None,
    "remote_id": None,
    "extra_field": {},
    "is_active": False,
}


def anonymized_address_digest(address_id: int) -> str:
    """A `hash_data` unique to the address that no content hashes to."""
    return hashlib.sha256(f"anonymized-address:{address_id}".encode()).hexdigest()


class AddressService:
    @classmethod
    def create_address(
        cls,
        *,
        customer: Customer,
        first_name: str,
        last_name: str,
        phone_number: str,
        country: Country,
        city: City,
        line: str,
        audit_context: AuditContext | None = None,
        **kwargs: Unpack[AddressFields],
    ) -> Address:
        """Create an address of `customer` and its `create` audit record.

        Raises AddressDuplicated if the customer already has an address with
        this content (its digest, `hash_data`); AddressFieldError for
        locations out of their chain or inactive, and django's
        ValidationError for values the model refuses.
        """
        check_field_names(kwargs)
        context = resolve_audit_context(audit_context)
        address = Address(
            customer=customer,
            first_name=first_name,
            last_name=last_name,
            phone_number=phone_number,
            country=country,
            city=city,
            line=line,
            **kwargs,
        )
        check_locations(address, LOCATION_FIELDS)
        _clean(address, set(WRITABLE_FIELDS) - FOREIGN_KEYS)
        address.hash_data = digest_of(address)
        with duplicate_refused(address), transaction.atomic():
            address.save(force_insert=True)
            record_audit_event(address, Action.CREATE, creation_changes(address), context)
        return address

    @classmethod
    def update_address(
        cls,
        *,
        address: Address,
        audit_context: AuditContext | None = None,
        if_match: Collection[str] | None = None,
        **kwargs: Unpack[AddressChanges],
    ) -> Address:
        """Apply the changed fields of `kwargs` to the address; return it as now stored.

        The row is locked for the transaction; only changed fields are saved
        and recorded (and `hash_data` when the content changes). A call that
        changes nothing writes nothing. Raises AddressFieldError for another
        customer (an address stays with its customer) and for locations as
        create_address does, and AddressDuplicated when the new content is
        another address of the customer.

        `if_match`: the ETags the caller last read (If-Match); unless the
        stored address's is one of them, raises PreconditionFailed and writes
        nothing. Each change increments `version`, hence the ETag.
        """
        check_field_names(kwargs)
        context = resolve_audit_context(audit_context)
        current = None
        try:
            with transaction.atomic():
                # The locations come along to check the chain; only the address is locked.
                current = (
                    Address.objects.select_for_update(of=("self",))
                    .select_related(*LOCATION_FIELDS)
                    .get(pk=address.pk)
                )
                check_if_match(current, if_match)
                customer = kwargs.pop("customer", None)
                if customer is not None and customer.pk != current.customer_id:
                    raise AddressFieldError({"customer": CUSTOMER_CHANGE_MESSAGE})
                changes = {}
                for field, value in kwargs.items():
                    old = audit_value(current, field)
                    setattr(current, field, value)
                    new = audit_value(current, field)
                    if old != new:
                        changes[field] = [old, new]
                if changes:
                    check_locations(current, changes)
                    _clean(current, changes.keys() - FOREIGN_KEYS)
                    digest = digest_of(current)
                    if digest != current.hash_data:
                        changes["hash_data"] = [current.hash_data, digest]
                        current.hash_data = digest
                    current.version += 1
                    saved = [Address._meta.get_field(field).attname for field in changes]
                    current.save(update_fields=[*saved, "modified_date", "version"])
                    record_audit_event(current, Action.UPDATE, changes, context)
        except IntegrityError as error:
            if current is not None and is_unique_violation(error, Address, UNIQUE_CUSTOMER_HASH):
                raise AddressDuplicated(current.hash_data) from error
            raise
        return current

    @classmethod
    def delete_address(
        cls,
        *,
        address: Address,
        audit_context: AuditContext | None = None,
        if_match: Collection[str] | None = None,
    ) -> None:
        """Delete the address, recording every field's last value.

        Raises PreconditionFailed if its ETag is not one of `if_match` (when
        given), and django's ProtectedError if something still refers to it;
        then nothing is removed.
        """
        context = resolve_audit_context(audit_context)
        with transaction.atomic():
            current = Address.objects.select_for_update().get(pk=address.pk)
            check_if_match(current, if_match)
            changes = {
                field: [audit_value(current, field), None]
                for field in sorted([*SORTED_WRITABLE_FIELDS, "hash_data"])
            }
            record_audit_event(current, Action.DELETE, changes, context)
            current.delete()

    @classmethod
    def delete_addresses_of(cls, customer: Customer, audit_context: AuditContext) -> None:
        """Delete the customer's addresses, each with a `delete` audit record (customer deletion).

        Runs in the caller's transaction, which holds the customer's row lock.
        Raises django's ProtectedError if something still refers to one of them.
        """
        addresses = list(Address.objects.filter(customer=customer).order_by("pk"))
        if not addresses:
            return
        record_audit_events(
            audit_event_values(
                address,
                Action.DELETE,
                {
                    field: [audit_value(address, field), None]
                    for field in sorted([*SORTED_WRITABLE_FIELDS, "hash_data"])
                },
                audit_context,
            )
            for address in addresses
        )
        Address.objects.filter(pk__in=[address.pk for address in addresses]).delete()

    @classmethod
    def anonymize_addresses_of(cls, customer: Customer, audit_context: AuditContext) -> None:
        """Clear the personal fields of the customer's addresses (ADDRESS_CLEARED).

        For CustomerService.anonymize_customer's transaction. Each changed
        address gets a new `hash_data` no content hashes to, a new version,
        and an `anonymize` audit record whose old values are marked redacted.
        """
        addresses = list(
            Address.objects.select_for_update().filter(customer=customer).order_by("pk")
        )
        changed, records = [], []
        now = timezone.now()
        for address in addresses:
            target = {**ADDRESS_CLEARED, "hash_data": anonymized_address_digest(address.pk)}
            changes = apply_changes(address, target)
            if not changes:
                continue
            address.version += 1
            address.modified_date = now
            changed.append(address)
            recorded = {
                field: [
                    REDACTED if old not in (None, "", {}) and field != "is_active" else old,
                    new,
                ]
                for field, (old, new) in changes.items()
            }
            records.append(
                row_audit_event_values(
                    Address, address.pk, REDACTED, Action.ANONYMIZE, recorded, audit_context
                )
            )
        fields = [*ADDRESS_CLEARED, "hash_data", "version", "modified_date"]
        Address.objects.bulk_update(changed, fields, batch_size=500)
        if records:
            record_audit_events(records)

    @classmethod
    def upsert_addresses(
        cls,
        records: Sequence[AddressRecord],
        audit_context: AuditContext | None = None,
        *,
        digests: Sequence[str] | None = None,
    ) -> list[int]:
        """The id of the address of each record, in order: the customer's own, else a new one.

        For the bulk paths (the order import). Each record is an AddressRecord
        of clean values (see `clean_address_record`), locations by id, already
        a chain; they are not read again. An address the customer already has
        (same `hash_data`) is reused as stored, whatever its notes, remote_id,
        extra_field or flag; records of one new address make one. Whatever
        the number of records (up to INSERT_BATCH_SIZE new ones): one read of
        the existing ones, one INSERT of the new ones (ON CONFLICT DO NOTHING),
        one insert of their `create` audit records, and one more read when a
        concurrent writer created some of them first. Writes in a transaction
        of its own, or within the caller's.

        `digests`: each record's `hash_data` (record_digest) when the caller
        has it already, such as the order import, which computes the content
        part where it parses its lines. Records are plain values throughout:
        no model instance is built.
        """
        context = resolve_audit_context(audit_context)
        for record in records:
            check_field_names(record, RECORD_FIELDS)
        if digests is None:
            digests = [record_digest(record) for record in records]
        keys = [
            (record["customer_id"], digest) for record, digest in zip(records, digests, strict=True)
        ]
        ids = _ids_of_addresses(keys)
        new: dict[tuple[int, str], AddressRecord] = {}
        for key, record in zip(keys, records, strict=True):
            if key not in ids:
                new.setdefault(key, record)
        if not new:
            return [ids[key] for key in keys]
        with transaction.atomic():
            created = _insert_new_addresses(new)
            ids.update(created)
            ids.update(_ids_of_addresses(new.keys() - created.keys()))
            record_audit_events(
                row_audit_event_values(
                    Address,
                    pk,
                    address_label(new[key]["first_name"], new[key]["last_name"], new[key]["line"]),
                    Action.CREATE,
                    record_creation_changes(new[key], key[1]),
                    context,
                )
                for key, pk in created.items()
            )
        return [ids[key] for key in keys]


def clean_address_record(record: AddressRecord) -> AddressRecord:
    """Check one bulk record as create_address would, but for its location chain's ids.

    Raises TypeError for an unknown key and django's ValidationError (keyed
    by field) for a value the model refuses or a required field missing.
    Returns the record. Reads nothing: the caller resolves the locations.
    """
    check_field_names(record, RECORD_FIELDS)
    _clean(Address(**record), set(WRITABLE_FIELDS) - FOREIGN_KEYS)
    return record


def _ids_of_addresses(keys: Collection[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The ids of the stored addresses among `keys` ((customer_id, hash_data) pairs)."""
    if not keys:
        return {}
    wanted = set(keys)
    digests = list({digest for _, digest in wanted})
    connection = connections[Address.objects.db]
    # A digest covers the customer's id: the hash_data index alone finds them.
    if connection.vendor == "postgresql":
        # One array parameter: a thousand digests cost Django's IN nothing to prepare.
        meta = Address._meta
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(meta.get_field('customer').column)}, {quote('hash_data')}, "
                f"{quote(meta.pk.column)} FROM {quote(meta.db_table)} "
                f"WHERE {quote('hash_data')} = ANY(%s)",
                [digests],
            )
            rows = cursor.fetchall()
    else:
        rows = (
            Address.objects.filter(hash_data__in=digests)
            .order_by()
            .values_list("customer_id", "hash_data", "id")
        )
    return {(customer, digest): pk for customer, digest, pk in rows if (customer, digest) in wanted}


def _insert_new_addresses(
    records: dict[tuple[int, str], AddressRecord],
) -> dict[tuple[int, str], int]:
    """INSERT the records' addresses, by (customer_id, hash_data), skipping those another
    writer has inserted first.

    Returns the ids of the rows this call inserted, by (customer_id,
    hash_data). PostgreSQL's ON CONFLICT DO NOTHING waits for a concurrent
    insert of the same key and skips the row once that commits; SQLite has one
    writer at a time. Django's bulk_create returns no ids with ignore_conflicts.
    """
    connection = connections[Address.objects.db]
    meta = Address._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    customer, digest = (quote(meta.get_field(name).column) for name in ("customer", "hash_data"))
    # The auto dates of every row, as save() would set them; the other values are
    # clean already and go as they are, but for the JSON ones, which need adapting.
    now = timezone.now()
    fixed = {
        field.attname: field.get_db_prep_save(now, connection)
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    }
    defaults = {**RECORD_DEFAULTS, "version": meta.get_field("version").get_default()}
    json_fields = [field for field in fields if isinstance(field, JSONField)]
    created = {}
    keyed = list(records.items())
    with connection.cursor() as cursor:
        for start in range(0, len(keyed), INSERT_BATCH_SIZE):
            params = []
            for (_, hash_data), record in keyed[start : start + INSERT_BATCH_SIZE]:
                values = {**defaults, **record, "hash_data": hash_data, **fixed}
                for field in json_fields:
                    values[field.attname] = field.get_db_prep_save(
                        values[field.attname], connection
                    )
                params.extend(values[field.attname] for field in fields)
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                f"VALUES {', '.join([row] * (len(params) // len(fields)))} "
                f"ON CONFLICT ({customer}, {digest}) DO NOTHING "
                f"RETURNING {quote(meta.pk.column)}, {customer}, {digest}",
                params,
            )
            created.update({(c, d): pk for pk, c, d in cursor.fetchall()})
    return created
