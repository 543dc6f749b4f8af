"""The address list's filters, one line per lookup (NetBox style).

The fixture: two customers of one channel; five addresses in İstanbul and
Ankara (one a retail store's, one inactive, one without email or postcode),
made at known times.
"""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from locations.models import City, Country, Township
from tests.factories import CustomerFactory, create_address

pytestmark = pytest.mark.django_db

URL = "/api/v1/addresses/"
JAN, FEB, MAR = (datetime(2026, month, 1, 12, tzinfo=UTC) for month in (1, 2, 3))

# (params, expected lines): `{name}` is replaced by the pk of that fixture object.
FILTER_CASES = [
    ({"customer": "{ayse}"}, ["ev", "is", "eski"]),
    ({"customer": "{ali}"}, ["magaza", "ankara"]),
    ({"customer": "999999"}, []),
    ({"hash_data": "{ev_hash}"}, ["ev"]),
    ({"hash_data": "0" * 64}, []),
    ({"is_active": "false"}, ["eski"]),
    ({"is_active": "true", "customer": "{ayse}"}, ["ev", "is"]),
    ({"country": "{TR}"}, ["ev", "is", "eski", "magaza", "ankara"]),
    ({"city": "{Ankara}"}, ["ankara"]),
    ({"city": "{İstanbul}", "customer": "{ali}"}, ["magaza"]),
    ({"postcode": "34710"}, ["ev", "is"]),
    ({"postcode": "null"}, ["ankara"]),
    ({"email": "ayse@example.com"}, ["ev", "is", "eski"]),
    ({"email": "null"}, ["ankara"]),
    ({"phone_number": "05320000000"}, ["magaza", "ankara"]),
    ({"remote_id": "R-1"}, ["ev"]),
    ({"remote_id": "null"}, ["is", "eski", "magaza", "ankara"]),
    ({"address_type": "retail_store"}, ["magaza"]),
    ({"address_type": "customer"}, ["ev", "is", "eski", "ankara"]),
    ({"created_date": "2026-02-01T12:00:00Z"}, ["is"]),
    ({"created_date__gt": "2026-02-01T12:00:00Z"}, ["eski", "magaza", "ankara"]),
    ({"created_date__gte": "2026-02-01T12:00:00Z"}, ["is", "eski", "magaza", "ankara"]),
    ({"created_date__lt": "2026-02-01T12:00:00Z"}, ["ev"]),
    ({"created_date__lte": "2026-02-01T15:00:00+03:00"}, ["ev", "is"]),
    ({"modified_date": "2026-01-01T12:00:00Z"}, ["ev"]),
    ({"modified_date__gt": "2026-02-01T12:00:00Z"}, ["eski", "magaza", "ankara"]),
    ({"modified_date__gte": "2026-02-01T12:00:00Z"}, ["is", "eski", "magaza", "ankara"]),
    ({"modified_date__lt": "2026-03-01T12:00:00Z"}, ["ev", "is"]),
    ({"modified_date__lte": "2026-01-01T12:00:00Z"}, ["ev"]),
]
INVALID_FILTER_CASES = [
    ("customer", "abc"),
    ("customer", "9" * 30),
    ("country", "1.5"),
    ("city", "x"),
    ("is_active", "maybe"),
    ("address_type", "warehouse"),
    ("hash_data", "a" * 65),
    ("postcode", "1" * 65),
    ("email", "a" * 255),
    ("phone_number", "5" * 129),
    ("remote_id", "r" * 129),
    ("created_date__gt", "yesterday"),
    ("modified_date", "2026-13-01T00:00:00Z"),
]


@pytest.fixture
def addresses(channel, tr_locations, monkeypatch):
    tr = Country.objects.get(code="TR")
    istanbul, ankara = City.objects.get(name="İstanbul"), City.objects.get(name="Ankara")
    kadikoy = Township.objects.get(name="Kadıköy")
    ayse = CustomerFactory(channel=channel)
    ali = CustomerFactory(channel=channel, first_name="Ali")
    made = {}

    def add(name, when, customer, city, **fields):
        monkeypatch.setattr(timezone, "now", lambda: when)
        made[name] = create_address(customer, tr, city, line=name, **fields)

    ayse_fields = {"email": "ayse@example.com", "township": kadikoy, "postcode": "34710"}
    add("ev", JAN, ayse, istanbul, remote_id="R-1", **ayse_fields)
    add("is", FEB, ayse, istanbul, **ayse_fields)
    add("eski", MAR, ayse, istanbul, email="ayse@example.com", is_active=False, postcode="1")
    ali_fields = {"email": "ali@example.com", "phone_number": "05320000000"}
    add(
        "magaza",
        MAR,
        ali,
        istanbul,
        address_type="retail_store",
        retail_store=4,
        postcode="9",
        **ali_fields,
    )
    add("ankara", MAR, ali, ankara, phone_number="05320000000")
    monkeypatch.undo()
    return {
        "ayse": ayse.pk,
        "ali": ali.pk,
        "TR": tr.pk,
        "İstanbul": istanbul.pk,
        "Ankara": ankara.pk,
        "ev_hash": made["ev"].hash_data,
    }


def lines(response) -> list[str]:
    return [row["line"] for row in response.json()["results"]]


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES, ids=str)
def test_filter(api, addresses, params, expected):
    params = {name: value.format(**addresses) for name, value in params.items()}

    response = api.get(URL, {**params, "limit": 100})

    assert response.status_code == 200, response.content
    assert sorted(lines(response)) == sorted(expected)


@pytest.mark.parametrize(("param", "value"), INVALID_FILTER_CASES)
def test_invalid_filter_value_is_a_400_naming_it(api, addresses, param, value):
    response = api.get(URL, {param: value})

    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_the_channel_route_takes_the_same_filters(api, addresses, channel):
    response = api.get(f"/api/v1/channel/{channel.pk}/addresses/", {"customer": addresses["ali"]})

    assert sorted(lines(response)) == ["ankara", "magaza"]


def test_options_lists_the_filters(api, addresses):
    response = api.options(URL)

    assert response.status_code == 200
    names = {entry["field_name"] for entry in response.json()["filters"]}
    assert {"customer", "hash_data", "address_type", "created_date"} <= names
