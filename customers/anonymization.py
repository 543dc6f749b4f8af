"""What anonymizing a customer removes, and how a removed value is marked wherever it was kept.

The documents' anonymized customer: `is_active` false and, in `attributes`,
`anonimizing_user_id` and `anonimization_time`. Everything else that names
the person goes: names, email (a placeholder unique to the customer), phone,
date of birth, the other attributes, `extra_field`, the kwargs and localized
fields, and the codes that tie the row to the person elsewhere (`channel_code`
and `erp_code`: a later order of that marketplace identity makes a new
customer). Gender, user type, the join date and the consent flags' history are
kept: they describe no one once the rest is gone.

CustomerService.anonymize_customer writes the customer and scrubs its own
audit history; the apps that keep other copies (addresses, orders, events,
stored answers, the admin's log) register an erasure handler here, called in
the same transaction, as `events` registers an audit listener: customers
need not import the apps that sit above it.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.context import AuditContext
from audit.models import AuditEvent
from customers.models import Customer

# What replaces a removed value wherever a copy of it was kept.
REDACTED = "[redacted]"
ANONYMIZED_EMAIL_DOMAIN = "anonymized.invalid"
# The two keys the documents give an anonymized customer's `attributes`.
ANONYMIZING_USER_KEY = "anonimizing_user_id"
ANONYMIZATION_TIME_KEY = "anonimization_time"
# Fields whose every earlier value is the person's (the codes included).
PERSONAL_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone_number",
    "channel_code",
    "erp_code",
    "date_of_birth",
    "attributes",
    "extra_field",
    "attributes_kwargs",
    "localized_attributes",
    "localized_attributes_kwargs",
)
# The consent flags: nobody is left to contact.
CONSENT_FIELDS = ("email_allowed", "sms_allowed", "call_allowed")
# Strings shorter than this are not searched for in kept copies: too many
# unrelated texts contain them (a two-letter name).
MIN_TERM_LENGTH = 3


def placeholder_code(customer: Customer) -> str:
    """A channel_code no marketplace sends: unique in the channel, as the pk is."""
    return f"anonymized-{customer.pk}"


def anonymized_values(customer: Customer, actor_id: int | None, now: str) -> dict[str, Any]:
    """The customer's fields once anonymized (a second anonymization keeps the first's marks)."""
    kept = customer.attributes if isinstance(customer.attributes, dict) else {}
    attributes = {
        ANONYMIZING_USER_KEY: kept.get(ANONYMIZING_USER_KEY, actor_id),
        ANONYMIZATION_TIME_KEY: kept.get(ANONYMIZATION_TIME_KEY, now),
    }
    return {
        "is_active": False,
        "email": f"anonymized-{customer.pk}@{ANONYMIZED_EMAIL_DOMAIN}",
        "first_name": "",
        "last_name": "",
        "phone_number": None,
        "channel_code": placeholder_code(customer),
        "erp_code": None,
        "date_of_birth": None,
        "attributes": attributes,
        "extra_field": {},
        "attributes_kwargs": {},
        "localized_attributes": {},
        "localized_attributes_kwargs": {},
        **dict.fromkeys(CONSENT_FIELDS, False),
    }


def text_terms(values: Iterable[Any]) -> set[str]:
    """Every string (and date, as ISO text) inside `values` that is worth searching for."""
    terms: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif value is not None and not isinstance(value, bool | int | float):
            text = str(value.isoformat() if hasattr(value, "isoformat") else value).strip()
            if len(text) >= MIN_TERM_LENGTH:
                terms.add(text)

    walk(list(values))
    return terms


def redact_json(value: Any, terms: set[str]) -> Any:
    """`value` with every string that contains one of `terms` (in any case) replaced whole."""
    folded = {term.casefold() for term in terms}

    def redact(value):
        if isinstance(value, dict):
            return {key: redact(item) for key, item in value.items()}
        if isinstance(value, list):
            return [redact(item) for item in value]
        if isinstance(value, str) and any(term in value.casefold() for term in folded):
            return REDACTED
        return value

    return redact(value) if folded else value


def redact_changes(changes: dict, personal_fields: Iterable[str], terms: set[str]) -> dict:
    """An audit record's `{field: [old, new]}` with the personal fields' values marked.

    An empty value (null, "", {}) stays as it was: it tells nothing about anyone.
    Other fields keep their values but for strings holding one of `terms`.
    """
    personal = set(personal_fields)
    redacted = {}
    for field, pair in changes.items():
        if field in personal and isinstance(pair, list):
            redacted[field] = [item if item in (None, "", {}, []) else REDACTED for item in pair]
        else:
            redacted[field] = redact_json(pair, terms)
    return redacted


def scrub_audit_records(
    model: type[models.Model],
    object_ids: Iterable[int],
    personal_fields: Iterable[str],
    terms: set[str],
    object_repr: str | None = REDACTED,
) -> int:
    """Mark the removed values in the audit records of these objects; how many were rewritten.

    `object_repr` replaces each record's (None: kept, for a repr naming no
    one, such as an order's number). Records already clean are left alone.
    """
    object_ids = list(object_ids)
    if not object_ids:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    records = AuditEvent.objects.filter(content_type=content_type, object_id__in=object_ids)
    changed = []
    for record in records.only("id", "changes", "object_repr"):
        changes = redact_changes(record.changes, personal_fields, terms)
        repr_ = record.object_repr if object_repr is None else object_repr
        if changes != record.changes or record.object_repr != repr_:
            record.changes, record.object_repr = changes, repr_
            changed.append(record)
    AuditEvent.objects.bulk_update(changed, ["changes", "object_repr"], batch_size=500)
    return len(changed)


# A handler gets the customer as now anonymized, the search terms of what was
# removed (text_terms) and the context of the anonymization; it
# removes the copies its app keeps, inside the anonymizing transaction.
ErasureHandler = Callable[[Customer, set[str], AuditContext], None]
_handlers: list[ErasureHandler] = []


def add_erasure_handler(handler: ErasureHandler) -> None:
    """Call `handler` for each anonymized customer, inside the anonymizing transaction."""
    if handler not in _handlers:
        _handlers.append(handler)


def erasure_handlers() -> tuple[ErasureHandler, ...]:
    return tuple(_handlers)
