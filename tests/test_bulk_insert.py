"""bulk_insert_values: rows land whole, however many chunks their text is sent in, or not at all."""

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from audit.context import AuditContext
from audit.models import AuditEvent, Source
from audit.services import row_audit_event_values
from customers.models import Customer
from omnitron.bulk_insert import COPY_CHUNK_SIZE, bulk_insert_values
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# Text that COPY must escape, and that a chunk boundary could cut through.
CONTEXT = AuditContext(source=Source.SHELL, request_id="bulk-insert-test")
AWKWARD = "tab\there, line\nbreak, back\\slash, Çağla 🛒, \r"


def audit_rows(customer, count: int) -> list[dict]:
    return [
        row_audit_event_values(
            Customer,
            customer.pk,
            f"{n} {AWKWARD}",
            "update",
            {"note": [None, f"{n} {AWKWARD}" + "x" * 200]},
            CONTEXT,
        )
        for n in range(count)
    ]


def test_rows_sent_in_many_chunks_land_exactly(channel):
    customer = CustomerFactory(channel=channel)
    # Over 300 characters a row: several chunks of COPY text on PostgreSQL.
    count = 4 * COPY_CHUNK_SIZE // 300
    rows = audit_rows(customer, count)

    keys = bulk_insert_values(AuditEvent, rows)

    assert len(set(keys)) == count
    stored = dict(AuditEvent.objects.filter(pk__in=keys).values_list("pk", "object_repr"))
    assert [stored[key] for key in keys] == [f"{n} {AWKWARD}" for n in range(count)]
    changes = AuditEvent.objects.get(pk=keys[-1]).changes
    assert changes == {"note": [None, f"{count - 1} {AWKWARD}" + "x" * 200]}


def test_a_value_that_fails_late_in_the_stream_leaves_no_row(channel):
    customer = CustomerFactory(channel=channel)
    rows = audit_rows(customer, 4 * COPY_CHUNK_SIZE // 300)
    rows[-1]["changes"] = {"not JSON": {1, 2}}  # a set: found after the first chunks were sent
    before = AuditEvent.objects.count()

    with pytest.raises(TypeError), transaction.atomic():
        bulk_insert_values(AuditEvent, rows)

    assert AuditEvent.objects.count() == before
    with connection.cursor() as cursor:  # the connection is usable afterwards
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_json_values_are_stored_as_the_fields_encoder_writes_them(channel):
    """orjson writes what it writes the same; the rest is the field's encoder's (Django's)."""
    customer = CustomerFactory(channel=channel)
    changes = {
        "date_joined": [None, datetime(2024, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)],
        "date_of_birth": [date(1990, 2, 3), None],
        "amount": [Decimal("149.90"), Decimal("0.10")],
        "code": [uuid.UUID("12345678-1234-5678-1234-567812345678"), None],
        "big": [2**70, -(2**63)],
        "keys": [{1: "one", "ü": [1.5, 1e-7, True, None]}, {}],
        "text": [f"line\nbreak \u2028 {AWKWARD}", ""],
    }
    row = row_audit_event_values(Customer, customer.pk, "repr", "update", changes, CONTEXT)

    [key] = bulk_insert_values(AuditEvent, [row])

    stored = AuditEvent.objects.get(pk=key).changes
    assert stored == json.loads(DjangoJSONEncoder().encode(changes))
    assert stored["date_joined"][1] == "2024-05-01T09:30:15.123Z"
