"""CustomerService.upsert_customers: the bulk path of the order import."""

from datetime import UTC, date, datetime

import pytest
from django.db import transaction

from audit.context import AuditContext
from audit.models import Action, AuditEvent, Source
from customers.bulk_upsert import Outcome
from customers.models import Customer
from customers.services import CustomerService
from tests.factories import CustomerFactory, create_customers

pytestmark = pytest.mark.django_db

IMPORT = AuditContext(source=Source.IMPORT, request_id="import-1")
MARCH_1, MARCH_5 = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)


def upsert(channel, records, **dates):
    with transaction.atomic():
        return CustomerService.upsert_customers(channel, records, audit_context=IMPORT, **dates)


def test_values_are_cleaned_as_the_model_cleans_them_and_bad_ones_name_the_field(channel):
    good = {"channel_code": "C-1", "email": "a@example.com", "date_of_birth": "1990-02-03"}
    records = [
        good,
        {"channel_code": "C-2", "email": "not-an-email"},
        {"channel_code": "C-3", "email": "c@example.com", "gender": "robot"},
        {"channel_code": "C-4", "email": "d@example.com", "first_name": "x" * 256},
        {"email": "e@example.com"},
    ]

    results = upsert(channel, records)

    assert [r.outcome for r in results] == [Outcome.CREATED] + [Outcome.REJECTED] * 4
    assert [set(r.errors) for r in results] == [
        set(),
        {"email"},
        {"gender"},
        {"first_name"},
        {"channel_code"},
    ]
    assert results[1].errors["email"] == ["Enter a valid email address."]
    stored = Customer.objects.get()
    assert (stored.channel_code, stored.date_of_birth) == ("C-1", date(1990, 2, 3))
    assert AuditEvent.objects.get().changes["date_of_birth"] == [None, "1990-02-03"]


def test_with_dates_a_customer_takes_only_data_as_new_as_it_carries(channel):
    customer = CustomerFactory(channel=channel, channel_code="C-1", last_name="Kaya")
    Customer.objects.filter(pk=customer.pk).update(order_data_date=datetime(2026, 3, 3, tzinfo=UTC))
    records = [
        {"channel_code": "C-1", "email": customer.email, "last_name": "Older"},
        {"channel_code": "C-1", "email": customer.email, "last_name": "Newer"},
        {"channel_code": "C-1", "email": customer.email, "last_name": "Undated"},
    ]

    results = upsert(
        channel,
        records,
        record_dates=[MARCH_1, MARCH_5, None],
    )

    assert [r.outcome for r in results] == [Outcome.OUTDATED, Outcome.UPDATED, Outcome.OUTDATED]
    customer.refresh_from_db()
    assert (customer.last_name, customer.order_data_date) == ("Newer", MARCH_5)
    updates = AuditEvent.objects.filter(object_id=customer.pk, action=Action.UPDATE)
    assert [e.changes for e in updates] == [{"last_name": ["Kaya", "Newer"]}]


def test_a_newer_record_without_changes_still_moves_the_carried_date_on(channel):
    customer = CustomerFactory(channel=channel, channel_code="C-1", last_name="Kaya")
    same = {"channel_code": "C-1", "email": customer.email, "last_name": "Kaya"}
    version = Customer.objects.get().version

    first = upsert(channel, [same], record_dates=[MARCH_5])
    later = upsert(channel, [{**same, "last_name": "Older"}], record_dates=[MARCH_1])

    assert [first[0].outcome, later[0].outcome] == [Outcome.UNCHANGED, Outcome.OUTDATED]
    stored = Customer.objects.get()
    assert (stored.last_name, stored.order_data_date) == ("Kaya", MARCH_5)
    assert stored.version == version  # no visible change: the ETag stays
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


FILE, OTHER_FILE = 7, -8  # orders.importer.file_key of two files


def test_of_one_date_a_files_later_line_stays_whichever_call_comes_last(channel):
    customer = CustomerFactory(channel=channel, channel_code="C-1", last_name="Kaya")
    record = {"channel_code": "C-1", "email": customer.email}
    in_file = {"record_dates": [MARCH_5], "file_key": FILE}

    later = upsert(channel, [{**record, "last_name": "Later"}], **in_file, record_lines=[9])
    earlier = upsert(channel, [{**record, "last_name": "Earlier"}], **in_file, record_lines=[4])
    again = upsert(channel, [{**record, "last_name": "Later"}], **in_file, record_lines=[9])

    outcomes = [later[0].outcome, earlier[0].outcome, again[0].outcome]
    assert outcomes == [Outcome.UPDATED, Outcome.OUTDATED, Outcome.UNCHANGED]
    stored = Customer.objects.get()
    assert (stored.last_name, stored.order_data_file, stored.order_data_line) == ("Later", FILE, 9)
    updates = AuditEvent.objects.filter(object_id=customer.pk, action=Action.UPDATE)
    assert [e.changes for e in updates] == [{"last_name": ["Kaya", "Later"]}]


def test_of_one_date_a_later_line_without_changes_moves_the_carried_line_on(channel):
    customer = CustomerFactory(channel=channel, channel_code="C-1", last_name="Kaya")
    record = {"channel_code": "C-1", "email": customer.email, "last_name": "Kaya"}
    in_file = {"record_dates": [MARCH_5], "file_key": FILE}
    upsert(channel, [record], **in_file, record_lines=[2])
    version = Customer.objects.get().version

    moved = upsert(channel, [record], **in_file, record_lines=[6])
    between = upsert(channel, [{**record, "last_name": "Between"}], **in_file, record_lines=[4])

    assert [moved[0].outcome, between[0].outcome] == [Outcome.UNCHANGED, Outcome.OUTDATED]
    stored = Customer.objects.get()
    assert (stored.last_name, stored.order_data_line, stored.version) == ("Kaya", 6, version)
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


@pytest.mark.parametrize(
    "second", [{"file_key": OTHER_FILE, "record_lines": [1]}, {}], ids=["other file", "no file"]
)
def test_of_one_date_a_record_of_another_file_or_none_is_applied_as_it_comes(channel, second):
    customer = CustomerFactory(channel=channel, channel_code="C-1", last_name="Kaya")
    record = {"channel_code": "C-1", "email": customer.email}
    upsert(
        channel,
        [{**record, "last_name": "First"}],
        record_dates=[MARCH_5],
        file_key=FILE,
        record_lines=[9],
    )

    results = upsert(channel, [{**record, "last_name": "Second"}], record_dates=[MARCH_5], **second)

    assert results[0].outcome == Outcome.UPDATED
    stored = Customer.objects.get()
    assert (stored.last_name, stored.order_data_file) == ("Second", second.get("file_key"))


def test_known_customers_each_get_their_own_new_values_and_keep_the_others(channel):
    first, second, untouched = create_customers(channel, 3)
    records = [
        {
            "channel_code": first.channel_code,
            "email": first.email,
            "first_name": "O'Brien \\ \t Çağla",
            "attributes": {"tier": 3, "tags": ["a", None]},
            "date_of_birth": date(1990, 2, 3),
            "is_active": True,
        },
        {
            "channel_code": second.channel_code,
            "email": second.email,
            "first_name": "Ali",
            "attributes": {"tier": 1},
            "date_of_birth": None,
            "is_active": True,
        },
    ]

    results = upsert(channel, records)

    assert [r.outcome for r in results] == [Outcome.UPDATED, Outcome.UPDATED]
    rows = {c.pk: c for c in Customer.objects.all()}
    assert (rows[first.pk].first_name, rows[first.pk].attributes) == (
        "O'Brien \\ \t Çağla",
        {"tier": 3, "tags": ["a", None]},
    )
    assert (rows[first.pk].date_of_birth, rows[first.pk].is_active) == (date(1990, 2, 3), True)
    assert (rows[second.pk].first_name, rows[second.pk].attributes) == ("Ali", {"tier": 1})
    assert (rows[second.pk].date_of_birth, rows[second.pk].is_active) == (None, True)
    assert rows[first.pk].last_name == rows[second.pk].last_name == "Çelik"  # not in the records
    assert rows[untouched.pk].first_name == untouched.first_name
    assert rows[first.pk].modified_date > first.modified_date
