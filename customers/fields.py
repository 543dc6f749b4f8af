"""Which customer fields the services write, and how audit records store their values."""

from typing import Any

from customers.models import Customer

READ_ONLY_FIELDS = frozenset({"id", "created_date", "modified_date", "version"})
WRITABLE_FIELDS = frozenset(
    f.name for f in Customer._meta.concrete_fields if f.name not in READ_ONLY_FIELDS
)
SORTED_WRITABLE_FIELDS = tuple(sorted(WRITABLE_FIELDS))


def audit_value(customer: Customer, field: str) -> Any:
    """A field's value as the audit record stores it (the channel by its pk)."""
    if field == "channel":
        return customer.channel_id
    return getattr(customer, field)


def creation_changes(customer: Customer) -> dict:
    """The `changes` of a create record: every writable field, from None to its value."""
    return {field: [None, audit_value(customer, field)] for field in SORTED_WRITABLE_FIELDS}


def check_field_names(fields: dict) -> None:
    unknown = set(fields) - WRITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not writable customer fields: {', '.join(sorted(unknown))}")
