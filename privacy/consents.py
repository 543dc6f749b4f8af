"""The consent history (and the former addresses), written from the audit records.

Every write of a customer, single or bulk, passes its audit records to
`record_consent_changes` (an audit listener, privacy/apps.py) inside its
transaction; the writers need not know of it. A record that sets a contact
permission makes one ConsentChange per flag: a create every flag with no
previous value, an update or an anonymization each flag it changed. An
address's delete record makes a FormerAddress of its customer.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from addresses.models import Address
from audit.models import Action
from customers.models import Customer
from omnitron.bulk_insert import bulk_insert_values
from privacy.models import ConsentChange, ConsentField, FormerAddress

CONSENT_FIELDS = tuple(ConsentField.values)
RECORDED_ACTIONS = frozenset({Action.CREATE, Action.UPDATE, Action.ANONYMIZE})


def record_privacy_rows(
    rows: Sequence[dict[str, Any]], audit_ids: Sequence[int], instance: models.Model | None
) -> None:
    """The audit listener: consent changes and former addresses of these records."""
    types = ContentType.objects.get_for_models(Customer, Address)
    record_consent_changes(rows, types[Customer].pk, instance)
    address_type = types[Address].pk
    former = [
        FormerAddress(customer_id=row["changes"]["customer"][0], address_id=row["object_id"])
        for row in rows
        if row["content_type_id"] == address_type and row["action"] == Action.DELETE
    ]
    if former:
        FormerAddress.objects.bulk_create(former)


def record_consent_changes(
    rows: Sequence[dict[str, Any]], customer_type: int, instance: models.Model | None
) -> None:
    found = [
        row
        for row in rows
        if row["content_type_id"] == customer_type
        and row["action"] in RECORDED_ACTIONS
        and any(field in row["changes"] for field in CONSENT_FIELDS)
    ]
    if not found:
        return
    channels = _channels(found, instance)
    values = [
        {
            "customer_id": row["object_id"],
            "field": field,
            "value": row["changes"][field][1],
            "previous": row["changes"][field][0],
            "changed_at": row["timestamp"],
            "source": row["source"],
            "actor_id": row["actor_id"],
            "actor_repr": row["actor_repr"],
            "channel_id": channels[row["object_id"]],
            "request_id": row["request_id"],
        }
        for row in found
        for field in CONSENT_FIELDS
        if field in row["changes"]
    ]
    if len(values) == 1:
        ConsentChange(**values[0]).save(force_insert=True)
    else:
        bulk_insert_values(ConsentChange, values)


def _channels(rows, instance) -> dict[int, int]:
    """Each customer's channel: from the instance, a create's changes, else one query."""
    if isinstance(instance, Customer):
        return {instance.pk: instance.channel_id}
    channels = {
        row["object_id"]: row["changes"]["channel"][1]
        for row in rows
        if "channel" in row["changes"]
    }
    unknown = {row["object_id"] for row in rows} - channels.keys()
    if unknown:
        channels.update(
            Customer.objects.filter(pk__in=unknown).order_by().values_list("pk", "channel_id")
        )
    return channels
