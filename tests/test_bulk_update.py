"""bulk_update_fields: the named fields of each object are written, the others left, nothing cut."""

from datetime import UTC, date, datetime

import pytest
from django.db import DataError, transaction

from customers.models import Customer
from omnitron.bulk_update import bulk_update_fields
from tests.factories import create_customers

pytestmark = pytest.mark.django_db


def test_each_object_gets_its_own_values_of_the_named_fields(channel):
    first, second, untouched = create_customers(channel, 3)
    first.first_name, first.attributes = "O'Brien \\ \t Çağla", {"tier": 3, "tags": ["a", None]}
    first.date_of_birth, first.is_active = date(1990, 2, 3), True
    second.first_name, second.attributes = "Ali", {}
    second.date_of_birth, second.is_active = None, False
    first.modified_date = second.modified_date = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    first.last_name = "not written: not named"

    bulk_update_fields(
        [first, second],
        ["first_name", "attributes", "date_of_birth", "is_active", "modified_date"],
    )

    rows = {c.pk: c for c in Customer.objects.filter(pk__in=[first.pk, second.pk, untouched.pk])}
    assert (rows[first.pk].first_name, rows[first.pk].attributes) == (
        "O'Brien \\ \t Çağla",
        {"tier": 3, "tags": ["a", None]},
    )
    assert (rows[first.pk].date_of_birth, rows[first.pk].is_active) == (date(1990, 2, 3), True)
    assert rows[first.pk].last_name == "Çelik"
    assert (rows[second.pk].first_name, rows[second.pk].attributes) == ("Ali", {})
    assert (rows[second.pk].date_of_birth, rows[second.pk].is_active) == (None, False)
    assert rows[second.pk].modified_date == datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    assert rows[untouched.pk].first_name == untouched.first_name


@pytest.mark.postgresql  # SQLite keeps text of any length
def test_a_value_too_long_for_its_column_is_an_error_not_cut(channel):
    [customer] = create_customers(channel, 1)
    customer.gender = "x" * 17  # the column holds 16
    if Customer._meta.get_field("gender").max_length != 16:
        pytest.fail("the test assumes gender holds 16 characters")

    with pytest.raises(DataError), transaction.atomic():
        bulk_update_fields([customer], ["gender"])


def test_no_objects_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk_update_fields([], ["first_name"])
