"""Removing an anonymized customer from every copy kept outside its own row.

`erase_copies` is the erasure handler (customers/anonymization.py) that
CustomerService.anonymize_customer calls inside its transaction, after the
customer's row and its own audit records are rewritten. It removes, in turn:
the personal fields of the customer's addresses (each recorded as an
`anonymize` of the address), their audit records, the customer and its
addresses inside its orders' raw payloads (and the orders' audit records),
the stored idempotent answers about the customer, the admin's log entries,
and its integration mappings (codes that name the person in another system).
Orders, their amounts and items stay.

Events and webhook deliveries hold no copy: both are read from the audit
records, scrubbed here (a delivery's body is written at each attempt). Each
step reads the rows of this customer by an index (its addresses, its orders,
the audit records of these objects) but one: stored answers are found by
what their text holds, in one pass.
"""

import json
import operator
from functools import reduce
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import BinaryField, F, Func, IntegerField, Q, Value
from django.db.models.lookups import GreaterThan

from addresses.models import Address
from addresses.services import ADDRESS_CLEARED, AddressService
from audit.context import AuditContext
from customers.anonymization import (
    REDACTED,
    redact_json,
    scrub_audit_records,
    text_terms,
)
from customers.models import Customer, IntegrationMapping
from idempotency.models import IdempotencyKey
from orders.models import Order
from orders.services import OrderImportService
from privacy.models import FormerAddress

# The digest is of the removed content, which a guess could confirm: replaced too.
ADDRESS_PERSONAL_FIELDS = (*ADDRESS_CLEARED.keys() - {"is_active"}, "hash_data")
# Keys of an order's raw payload whose object is a person or an address.
PERSON_KEYS = ("customer",)
ADDRESS_KEY_PART = "address"
# The bytes that open a customer's answer (CustomerSerializer's first fields).
CUSTOMER_ANSWER_START = '{{"pk":{pk},"channel":'


def erase_copies(customer: Customer, terms: set[str], context: AuditContext) -> None:
    address_ids, address_terms = _anonymize_addresses(customer, context)
    terms = terms | address_terms
    scrub_audit_records(Address, address_ids, ADDRESS_PERSONAL_FIELDS, terms)
    order_ids = _scrub_orders(customer, terms)
    scrub_audit_records(Order, order_ids, (), terms, object_repr=None)
    _forget_stored_answers(customer, terms)
    _scrub_admin_log(customer, address_ids, terms)
    IntegrationMapping.objects.filter(customer=customer).delete()


def _anonymize_addresses(customer: Customer, context: AuditContext) -> tuple[list[int], set[str]]:
    """Clear the personal fields of the customer's addresses, audited; (every id it had, terms).

    The ids include addresses deleted earlier (FormerAddress): their audit
    records hold their values too. Those records are scrubbed before
    AddressService writes the anonymization's own, which hold no removed value.
    """
    personal = [field for field in ADDRESS_CLEARED if field != "is_active"]
    rows = list(
        Address.objects.select_for_update()
        .filter(customer=customer)
        .order_by("pk")
        .values_list("pk", *personal)
    )
    deleted = FormerAddress.objects.filter(customer=customer).values_list("address_id", flat=True)
    ids = sorted({row[0] for row in rows} | set(deleted))
    terms = text_terms(value for row in rows for value in row[1:]) - text_terms(
        ADDRESS_CLEARED.values()
    )
    scrub_audit_records(Address, ids, ADDRESS_PERSONAL_FIELDS, terms)
    AddressService.anonymize_addresses_of(customer, context)
    return ids, terms


def redact_payload(payload: Any, terms: set[str]) -> Any:
    """An order's raw payload with its person and addresses marked, and any text naming them."""
    if isinstance(payload, dict):
        redacted = {}
        for key, value in payload.items():
            if isinstance(value, dict) and (key in PERSON_KEYS or ADDRESS_KEY_PART in key):
                redacted[key] = _redact_strings(value)
            else:
                redacted[key] = redact_payload(value, terms)
        return redacted
    if isinstance(payload, list):
        return [redact_payload(item, terms) for item in payload]
    return redact_json(payload, terms)


def _redact_strings(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _redact_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_strings(item) for item in value]
    if isinstance(value, str) and value:
        return REDACTED
    return value


def _scrub_orders(customer: Customer, terms: set[str]) -> list[int]:
    """Mark the person in the raw payloads and extra fields of the customer's orders; their ids."""
    return OrderImportService.rewrite_orders_of(
        customer,
        lambda order: (
            redact_payload(order.raw_payload, terms),
            redact_json(order.extra_field, terms),
        ),
    )


class BytePosition(Func):
    """Where `needle` starts in the bytes `haystack` (1-based; 0: nowhere)."""

    output_field = IntegerField()

    def __init__(self, haystack, needle: bytes):
        super().__init__(haystack, Value(needle, output_field=BinaryField()))

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="INSTR", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        swapped = self.copy()
        swapped.set_source_expressions(self.get_source_expressions()[::-1])
        return super(BytePosition, swapped).as_sql(
            compiler, connection, template="POSITION(%(expressions)s)", arg_joiner=" IN ", **extra
        )


def _forget_stored_answers(customer: Customer, terms: set[str]) -> None:
    """Delete the stored idempotent answers about the customer.

    A stored answer keeps no path, only its body: it is about the customer
    when it is the customer (its opening bytes), names the customer by its
    key, or holds its email or phone. A retry of such a request runs again.
    """
    needles = [
        CUSTOMER_ANSWER_START.format(pk=customer.pk),
        f'"customer":{customer.pk},',
        f'"customer":{customer.pk}}}',
        *(term for term in terms if "@" in term or _is_phone(term)),
    ]
    contains = [GreaterThan(BytePosition(F("response_body"), n.encode()), 0) for n in needles]
    IdempotencyKey.objects.filter(reduce(operator.or_, (Q(c) for c in contains))).delete()


def _is_phone(text: str) -> bool:
    digits = text.translate(str.maketrans("", "", "+-() "))
    return len(digits) >= 5 and digits.isdigit()


def _scrub_admin_log(customer: Customer, address_ids: list[int], terms: set[str]) -> None:
    """The admin's log entries of the customer and its addresses, without the removed values."""
    types = ContentType.objects.get_for_models(Customer, Address)
    entries = LogEntry.objects.filter(
        Q(content_type=types[Customer], object_id=str(customer.pk))
        | Q(content_type=types[Address], object_id__in=[str(pk) for pk in address_ids])
    )
    changed = []
    for entry in entries:
        repr_ = str(customer) if entry.content_type_id == types[Customer].pk else REDACTED
        message = entry.change_message
        try:
            message = json.dumps(redact_json(json.loads(message), terms), ensure_ascii=False)
        except ValueError:
            message = redact_json(message, terms)
        if (repr_, message) != (entry.object_repr, entry.change_message):
            entry.object_repr, entry.change_message = repr_, message
            changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["object_repr", "change_message"])
