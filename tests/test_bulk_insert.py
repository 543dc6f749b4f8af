"""bulk_insert_values: rows land whole, however many chunks their text is sent in, or not at all."""

import pytest
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
