"""Which customer fields the services write, and how audit records store their values."""

from datetime import date, datetime
from typing import Any, TypedDict

from channels.models import Channel
from customers.models import Customer

READ_ONLY_FIELDS = frozenset(
    {
        "id",
        "created_date",
        "modified_date",
        "version",
        "order_data_date",
        "order_data_file",
        "order_data_line",
    }
)
WRITABLE_FIELDS = frozenset(
    f.name for f in Customer._meta.concrete_fields if f.name not in READ_ONLY_FIELDS
)
SORTED_WRITABLE_FIELDS = tuple(sorted(WRITABLE_FIELDS))


class CustomerFields(TypedDict, total=False):
    """The writable fields of a customer beside its identity (channel, channel_code)."""

    email: str
    first_name: str
    last_name: str
    phone_number: str | None
    is_active: bool
    erp_code: str | None
    extra_field: dict[str, Any]
    date_joined: datetime | None
    email_allowed: bool
    sms_allowed: bool
    call_allowed: bool
    gender: str | None
    attributes: dict[str, Any]
    user_type: str | None
    date_of_birth: date | None
    attributes_kwargs: dict[str, Any]
    localized_attributes: dict[str, Any]
    localized_attributes_kwargs: dict[str, Any]


class CustomerChanges(CustomerFields, total=False):
    """Every writable field of a customer: what an update may name."""

    channel: Channel
    channel_code: str


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
