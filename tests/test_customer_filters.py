"""The customer list filters (CustomerFilterSet), through the HTTP stack.

One small fixture of varied customers; each documented lookup is one line:
the query parameters and the exact set of customers that must come back.
Customers and channels are named in the tables; a parameter value may refer to
their primary keys as `{ayse}` or `{web}` (filled in with str.format).
"""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from channels.models import Channel
from customers.filters import CustomerFilterSet
from customers.models import Customer, Gender, IntegrationMapping, UserType
from omnitron.filters import IntegerPkMultipleChoiceField
from tests.factories import ChannelFactory, CustomerFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/customers/"
DETAILED_LIST_URL = "/api/v1/customers/detailed/"
ALL_ROWS = {"limit": 100}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


CHANNEL_NAMES = {"web": "Web shop", "market": "Marketplace", "app": "Mobile app"}

# In creation order, so in ascending pk order.
CUSTOMERS = {
    "ayse": {
        "channel": "web",
        "channel_code": "W-1",
        "email": "ayse@example.com",
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone_number": "05551112233",
        "erp_code": "ERP-1",
        "is_active": True,
        "email_allowed": True,
        "sms_allowed": False,
        "call_allowed": True,
        "gender": Gender.FEMALE,
        "user_type": UserType.REGISTERED,
        "date_of_birth": date(1990, 5, 1),
        "date_joined": utc(2024, 1, 10, 8, 0),
        "attributes": {"logged_ip": "127.0.0.1", "verified_user": True, "tier": 3},
        "extra_field": {"source": "web", "newsletter": True},
    },
    "mehmet": {
        "channel": "web",
        "channel_code": "W-2",
        "email": "mehmet@example.com",
        "first_name": "Mehmet",
        "last_name": "Demir",
        "phone_number": None,
        "erp_code": None,
        "is_active": False,
        "email_allowed": False,
        "sms_allowed": True,
        "call_allowed": False,
        "gender": Gender.MALE,
        "user_type": UserType.GUEST,
        "date_of_birth": None,
        "date_joined": None,
        "attributes": {"logged_ip": "10.0.0.7", "verified_user": False, "referrer": None},
        "extra_field": {},
    },
    "zeynep": {
        "channel": "market",
        "channel_code": "M-1",
        "email": "zeynep@shop.test",
        "first_name": "Zeynep",
        "last_name": "Kaya",
        "phone_number": "05552223344",
        "erp_code": "ERP-3",
        "is_active": True,
        "email_allowed": True,
        "sms_allowed": True,
        "call_allowed": False,
        "gender": Gender.FEMALE,
        "user_type": UserType.GUEST,
        "date_of_birth": date(1985, 12, 31),
        "date_joined": utc(2024, 2, 1, 12, 30),
        # The same values as ayse's, stored as strings.
        "attributes": {"verified_user": "true", "tier": "3"},
        "extra_field": {"source": "marketplace"},
    },
    "ali": {
        "channel": "market",
        "channel_code": "M-2",
        "email": "ali@example.com",
        "first_name": "Ali",
        "last_name": "Polat",
        "phone_number": "05553334455",
        "erp_code": None,
        "is_active": True,
        "email_allowed": False,
        "sms_allowed": False,
        "call_allowed": True,
        "gender": Gender.MALE,
        "user_type": None,
        "date_of_birth": date(1978, 3, 15),
        "date_joined": utc(2023, 11, 5, 9, 15),
        "attributes": {"logged_ip": "127.0.0.1", "tier": 1},
        "extra_field": {"source": "marketplace", "campaign": "spring"},
    },
    "elif": {
        "channel": "app",
        "channel_code": "A-1",
        "email": "elif@example.org",
        "first_name": "Elif",
        "last_name": "Arslan",
        "phone_number": "05554445566",
        "erp_code": "ERP-5",
        "is_active": False,
        "email_allowed": True,
        "sms_allowed": False,
        "call_allowed": False,
        "gender": None,
        "user_type": UserType.REGISTERED,
        "date_of_birth": date(2000, 1, 1),
        "date_joined": utc(2023, 6, 1, 0, 0),
        "attributes": {"logged_ip": "127.0.0.1", "verified_user": True},
        "extra_field": {"newsletter": False},
    },
    "guest": {
        # Ayşe again, as a guest in the app: email is not unique.
        "channel": "app",
        "channel_code": "A-2",
        "email": "ayse@example.com",
        "first_name": "",
        "last_name": "",
        "phone_number": None,
        "erp_code": None,
        "is_active": False,
        "email_allowed": False,
        "sms_allowed": False,
        "call_allowed": False,
        "gender": None,
        "user_type": UserType.GUEST,
        "date_of_birth": None,
        "date_joined": None,
        "attributes": {},
        "extra_field": {},
    },
    "burak": {
        "channel": "web",
        "channel_code": "W-3",
        "email": "burak@example.com",
        "first_name": "Burak",
        "last_name": "Tekin",
        "phone_number": "05556667788",
        "erp_code": "ERP-7",
        "is_active": True,
        "email_allowed": False,
        "sms_allowed": True,
        "call_allowed": True,
        "gender": Gender.MALE,
        "user_type": UserType.REGISTERED,
        "date_of_birth": date(1990, 5, 1),
        "date_joined": utc(2024, 3, 1, 10, 0),
        "attributes": {"tier": 2, "verified_user": "false"},
        "extra_field": {"source": "web"},
    },
}

# created_date, modified_date: over several days, in an order unlike the pks'.
TIMESTAMPS = {
    "ayse": (utc(2024, 3, 1, 10, 0), utc(2024, 4, 3, 10, 0)),
    "mehmet": (utc(2024, 3, 2, 9, 0), utc(2024, 4, 1, 8, 0)),
    "zeynep": (utc(2024, 3, 2, 18, 30), utc(2024, 4, 2, 12, 0)),
    "ali": (utc(2024, 3, 5, 0, 0), utc(2024, 4, 2, 23, 59, 59)),
    "elif": (utc(2024, 3, 4, 23, 59, 59), utc(2024, 4, 5, 7, 0)),
    "guest": (utc(2024, 3, 3, 12, 0), utc(2024, 4, 4, 0, 0)),
    "burak": (utc(2024, 2, 28, 15, 0), utc(2024, 4, 1, 20, 0)),
}

# (customer, integration_type, code): codes repeat across integration types.
MAPPINGS = [
    ("ayse", "erp", "A-100"),
    ("ayse", "crm", "X-1"),
    ("zeynep", "erp", "Z-200"),
    ("ali", "crm", "A-100"),
]

EVERYONE = set(CUSTOMERS)


@pytest.fixture
def named_pks(db) -> dict[str, int]:
    """Creates the channels, customers and mappings; answers {name: pk} for all of them."""
    channels = {key: ChannelFactory(name=name) for key, name in CHANNEL_NAMES.items()}
    customers = {}
    for name, fields in CUSTOMERS.items():
        customers[name] = CustomerFactory(**{**fields, "channel": channels[fields["channel"]]})
    for name, integration_type, code in MAPPINGS:
        IntegrationMapping.objects.create(
            customer=customers[name], integration_type=integration_type, code=code
        )
    for name, (created, modified) in TIMESTAMPS.items():
        Customer.objects.filter(pk=customers[name].pk).update(
            created_date=created, modified_date=modified
        )
    return {
        **{name: channel.pk for name, channel in channels.items()},
        **{name: customer.pk for name, customer in customers.items()},
    }


def with_pks(params: dict, named_pks: dict[str, int]) -> dict:
    """Fills `{name}` placeholders in the parameter values with primary keys."""

    def fill(value):
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value.format_map(named_pks) if isinstance(value, str) else value

    return {key: fill(value) for key, value in params.items()}


def names_of(results: list[dict], named_pks: dict[str, int]) -> list[str]:
    customer_names = {named_pks[name]: name for name in CUSTOMERS}
    return [customer_names[row["pk"]] for row in results]


def get_list(api, params: dict, named_pks: dict[str, int], url: str = LIST_URL):
    return api.get(url, {**ALL_ROWS, **with_pks(params, named_pks)})


def listed_names(api, params: dict, named_pks: dict[str, int], url: str = LIST_URL) -> list[str]:
    response = get_list(api, params, named_pks, url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"]), "every row on one page"
    return names_of(body["results"], named_pks)


FILTER_CASES = [
    # created_date (a datetime) and its date
    ({"created_date": "2024-03-02T09:00:00Z"}, {"mehmet"}),
    ({"created_date": "2024-03-02T12:00:00+03:00"}, {"mehmet"}),
    # An offset beyond PostgreSQL's +/-15:59 is read, then converted to UTC.
    ({"created_date": "2024-03-03T01:00:00+16:00"}, {"mehmet"}),
    ({"created_date__gt": "2024-03-02T09:00:00Z"}, {"zeynep", "ali", "elif", "guest"}),
    ({"created_date__gte": "2024-03-02T09:00:00Z"}, {"mehmet", "zeynep", "ali", "elif", "guest"}),
    ({"created_date__lt": "2024-03-05T00:00:00Z"}, EVERYONE - {"ali"}),
    ({"created_date__lte": "2024-03-01T10:00:00Z"}, {"ayse", "burak"}),
    ({"created_date__date": "2024-03-02"}, {"mehmet", "zeynep"}),
    ({"created_date__date__gt": "2024-03-03"}, {"ali", "elif"}),
    ({"created_date__date__gte": "2024-03-03"}, {"guest", "elif", "ali"}),
    ({"created_date__date__lt": "2024-03-02"}, {"ayse", "burak"}),
    ({"created_date__date__lte": "2024-03-02"}, {"ayse", "burak", "mehmet", "zeynep"}),
    # modified_date
    ({"modified_date": "2024-04-02T23:59:59Z"}, {"ali"}),
    ({"modified_date__gt": "2024-04-03T10:00:00Z"}, {"elif", "guest"}),
    ({"modified_date__gte": "2024-04-03T10:00:00Z"}, {"ayse", "elif", "guest"}),
    ({"modified_date__lt": "2024-04-02T00:00:00Z"}, {"mehmet", "burak"}),
    ({"modified_date__lte": "2024-04-02T12:00:00Z"}, {"mehmet", "burak", "zeynep"}),
    ({"modified_date__date": "2024-04-02"}, {"zeynep", "ali"}),
    ({"modified_date__date__gt": "2024-04-03"}, {"elif", "guest"}),
    ({"modified_date__date__gte": "2024-04-03"}, {"ayse", "elif", "guest"}),
    ({"modified_date__date__lt": "2024-04-02"}, {"mehmet", "burak"}),
    ({"modified_date__date__lte": "2024-04-02"}, {"mehmet", "burak", "zeynep", "ali"}),
    # channel, repeatable
    ({"channel": "{web}"}, {"ayse", "mehmet", "burak"}),
    ({"channel": ["{web}", "{app}"]}, {"ayse", "mehmet", "burak", "elif", "guest"}),
    # email
    ({"email": "ayse@example.com"}, {"ayse", "guest"}),
    ({"email": "ayse@example"}, set()),
    ({"email__startswith": "a"}, {"ayse", "ali", "guest"}),
    ({"email__startswith": "zeynep@shop"}, {"zeynep"}),
    ({"email__startswith": "%"}, set()),
    ({"email__startswith": "_"}, set()),
    # Case-sensitive on every database, as PostgreSQL's LIKE (SQLite's ignores ASCII case).
    ({"email__startswith": "A"}, set()),
    ({"email__startswith": "AYSE@"}, set()),
    ({"email__startswith": "Zeynep@shop"}, set()),
    ({"email__startswith": "ayse@example.com"}, {"ayse", "guest"}),
    ({"email__startswith": "a_se"}, set()),
    # exact text, `null` matching a NULL
    ({"first_name": "Ayşe"}, {"ayse"}),
    ({"first_name": "null"}, set()),
    ({"last_name": "Kaya"}, {"zeynep"}),
    ({"last_name": "null"}, set()),
    ({"phone_number": "05552223344"}, {"zeynep"}),
    ({"phone_number": "null"}, {"mehmet", "guest"}),
    ({"channel_code": "M-2"}, {"ali"}),
    ({"channel_code": "null"}, set()),
    ({"erp_code": "ERP-5"}, {"elif"}),
    ({"erp_code": "null"}, {"mehmet", "ali", "guest"}),
    # booleans, each spelling
    ({"is_active": "true"}, {"ayse", "zeynep", "ali", "burak"}),
    ({"is_active": "True"}, {"ayse", "zeynep", "ali", "burak"}),
    ({"is_active": "1"}, {"ayse", "zeynep", "ali", "burak"}),
    ({"is_active": "false"}, {"mehmet", "elif", "guest"}),
    ({"is_active": "False"}, {"mehmet", "elif", "guest"}),
    ({"is_active": "0"}, {"mehmet", "elif", "guest"}),
    ({"email_allowed": "true"}, {"ayse", "zeynep", "elif"}),
    ({"email_allowed": "True"}, {"ayse", "zeynep", "elif"}),
    ({"email_allowed": "1"}, {"ayse", "zeynep", "elif"}),
    ({"email_allowed": "false"}, {"mehmet", "ali", "guest", "burak"}),
    ({"email_allowed": "False"}, {"mehmet", "ali", "guest", "burak"}),
    ({"email_allowed": "0"}, {"mehmet", "ali", "guest", "burak"}),
    ({"sms_allowed": "true"}, {"mehmet", "zeynep", "burak"}),
    ({"sms_allowed": "True"}, {"mehmet", "zeynep", "burak"}),
    ({"sms_allowed": "1"}, {"mehmet", "zeynep", "burak"}),
    ({"sms_allowed": "false"}, {"ayse", "ali", "elif", "guest"}),
    ({"sms_allowed": "False"}, {"ayse", "ali", "elif", "guest"}),
    ({"sms_allowed": "0"}, {"ayse", "ali", "elif", "guest"}),
    ({"call_allowed": "true"}, {"ayse", "ali", "burak"}),
    ({"call_allowed": "True"}, {"ayse", "ali", "burak"}),
    ({"call_allowed": "1"}, {"ayse", "ali", "burak"}),
    ({"call_allowed": "false"}, {"mehmet", "zeynep", "elif", "guest"}),
    ({"call_allowed": "False"}, {"mehmet", "zeynep", "elif", "guest"}),
    ({"call_allowed": "0"}, {"mehmet", "zeynep", "elif", "guest"}),
    # date_joined (ISO date-time), choices, date_of_birth
    ({"date_joined": "2024-02-01T12:30:00Z"}, {"zeynep"}),
    ({"date_joined": "2024-02-01T15:30:00+03:00"}, {"zeynep"}),
    ({"date_joined": "2024-02-02T12:00:00+23:30"}, {"zeynep"}),
    ({"gender": "female"}, {"ayse", "zeynep"}),
    ({"gender": "male"}, {"mehmet", "ali", "burak"}),
    ({"user_type": "guest"}, {"mehmet", "zeynep", "guest"}),
    ({"user_type": "registered"}, {"ayse", "elif", "burak"}),
    ({"date_of_birth": "1990-05-01"}, {"ayse", "burak"}),
    ({"date_of_birth": "1985-12-31"}, {"zeynep"}),
    # id and pk
    ({"id": "{zeynep}"}, {"zeynep"}),
    ({"id__gt": "{ali}"}, {"elif", "guest", "burak"}),
    ({"id__gte": "{ali}"}, {"ali", "elif", "guest", "burak"}),
    ({"id__lt": "{zeynep}"}, {"ayse", "mehmet"}),
    ({"id__lte": "{zeynep}"}, {"ayse", "mehmet", "zeynep"}),
    ({"pk": "{elif}"}, {"elif"}),
    ({"pk__gt": "{guest}"}, {"burak"}),
    ({"pk__gte": "{guest}"}, {"guest", "burak"}),
    ({"pk__lt": "{mehmet}"}, {"ayse"}),
    ({"pk__lte": "{mehmet}"}, {"ayse", "mehmet"}),
    ({"pk__in": "{ayse},{ali},{burak}"}, {"ayse", "ali", "burak"}),
    ({"pk__in": "{ali}"}, {"ali"}),
    ({"id": "0"}, set()),
    # JSON keys: a string, a boolean and a number, spelled as text
    ({"attributes__logged_ip": "127.0.0.1"}, {"ayse", "ali", "elif"}),
    ({"attributes__verified_user": "true"}, {"ayse", "zeynep", "elif"}),
    ({"attributes__verified_user": "false"}, {"mehmet", "burak"}),
    ({"attributes__tier": "3"}, {"ayse", "zeynep"}),
    ({"attributes__tier": "1"}, {"ali"}),
    ({"attributes__referrer": "null"}, {"mehmet"}),
    ({"attributes__missing_key": "1"}, set()),
    ({"attributes__logged_ip": "127.0.0.1", "attributes__verified_user": "true"}, {"ayse", "elif"}),
    ({"attributes__tier": "3", "attributes__verified_user": "true"}, {"ayse", "zeynep"}),
    ({"extra_field__source": "marketplace"}, {"zeynep", "ali"}),
    ({"extra_field__newsletter": "true"}, {"ayse"}),
    ({"extra_field__source": "web", "attributes__tier": "2"}, {"burak"}),
    # integration mappings: both parameters describe one mapping row
    ({"mapping": "A-100"}, {"ayse", "ali"}),
    ({"mapping": "Z-200"}, {"zeynep"}),
    ({"mapping": "nobody"}, set()),
    ({"mapping__integration_type": "crm"}, {"ayse", "ali"}),
    ({"mapping__integration_type": "erp"}, {"ayse", "zeynep"}),
    ({"mapping": "A-100", "mapping__integration_type": "crm"}, {"ali"}),
    ({"mapping": "A-100", "mapping__integration_type": "erp"}, {"ayse"}),
    ({"mapping": "X-1", "mapping__integration_type": "erp"}, set()),
    # several filters at once
    ({"channel": "{web}", "is_active": "true", "gender": "male"}, {"burak"}),
    ({"email": "ayse@example.com", "channel": "{app}"}, {"guest"}),
]


def case_id(params: dict) -> str:
    return "&".join(f"{key}={value}" for key, value in params.items())


@pytest.mark.parametrize(
    ("params", "expected"), FILTER_CASES, ids=[case_id(params) for params, _ in FILTER_CASES]
)
def test_filter_returns_exactly_the_matching_customers(api, named_pks, params, expected):
    assert set(listed_names(api, params, named_pks)) == expected


def test_without_filters_every_customer_comes_back_newest_id_first(api, named_pks):
    assert listed_names(api, {}, named_pks) == list(reversed(CUSTOMERS))


SORT_CASES = [
    ("id", ["ayse", "mehmet", "zeynep", "ali", "elif", "guest", "burak"]),
    ("-id", ["burak", "guest", "elif", "ali", "zeynep", "mehmet", "ayse"]),
    ("pk", ["ayse", "mehmet", "zeynep", "ali", "elif", "guest", "burak"]),
    ("-pk", ["burak", "guest", "elif", "ali", "zeynep", "mehmet", "ayse"]),
    ("created_date", ["burak", "ayse", "mehmet", "zeynep", "guest", "elif", "ali"]),
    ("-created_date", ["ali", "elif", "guest", "zeynep", "mehmet", "ayse", "burak"]),
    ("modified_date", ["mehmet", "burak", "zeynep", "ali", "ayse", "guest", "elif"]),
    ("-modified_date", ["elif", "guest", "ayse", "ali", "zeynep", "burak", "mehmet"]),
    # ayse and guest share an email: the tie is broken by id, in the sort's direction.
    ("email", ["ali", "ayse", "guest", "burak", "elif", "mehmet", "zeynep"]),
    ("-email", ["zeynep", "mehmet", "elif", "burak", "guest", "ayse", "ali"]),
    ("first_name", ["guest", "ali", "ayse", "burak", "elif", "mehmet", "zeynep"]),
    ("-first_name", ["zeynep", "mehmet", "elif", "burak", "ayse", "ali", "guest"]),
    ("last_name", ["guest", "elif", "mehmet", "zeynep", "ali", "burak", "ayse"]),
    ("-last_name", ["ayse", "burak", "ali", "zeynep", "mehmet", "elif", "guest"]),
    ("channel_code", ["elif", "guest", "zeynep", "ali", "ayse", "mehmet", "burak"]),
    ("-channel_code", ["burak", "mehmet", "ayse", "ali", "zeynep", "guest", "elif"]),
    # NULL sorts after every value ascending and before them descending, on every database.
    ("date_joined", ["elif", "ali", "ayse", "zeynep", "burak", "mehmet", "guest"]),
    ("-date_joined", ["guest", "mehmet", "burak", "zeynep", "ayse", "ali", "elif"]),
    ("date_of_birth", ["ali", "zeynep", "ayse", "burak", "elif", "mehmet", "guest"]),
    ("-date_of_birth", ["guest", "mehmet", "elif", "burak", "ayse", "zeynep", "ali"]),
]


@pytest.mark.parametrize(("sort", "expected_order"), SORT_CASES, ids=[s for s, _ in SORT_CASES])
def test_sort_orders_every_customer(api, named_pks, sort, expected_order):
    assert listed_names(api, {"sort": sort}, named_pks) == expected_order


def test_each_request_sorts_with_a_sort_filter_and_form_field_of_its_own():
    base = CustomerFilterSet.base_filters["sort"]
    base_field = base.field  # made on the class's filter, as the schema and OPTIONS make it
    first = CustomerFilterSet({"sort": "-modified_date"}, queryset=Customer.objects.all())
    second = CustomerFilterSet({"sort": "created_date"}, queryset=Customer.objects.all())
    mine, theirs = first.filters["sort"], second.filters["sort"]

    assert len({id(base), id(mine), id(theirs)}) == 3
    assert (mine.parent, theirs.parent) == (first, second)
    assert len({id(base_field), id(mine.field), id(theirs.field)}) == 3
    mine.extra["help_text"] = "changed for one request"
    assert base.extra["help_text"] == theirs.extra["help_text"] == ""
    assert first.form.is_valid() and second.form.is_valid()
    assert first.form.cleaned_data["sort"] == ["-modified_date"]
    assert second.form.cleaned_data["sort"] == ["created_date"]


def test_sort_applies_to_the_filtered_rows(api, named_pks):
    params = {"is_active": "true", "sort": "created_date"}
    assert listed_names(api, params, named_pks) == ["burak", "ayse", "zeynep", "ali"]


INVALID_CASES = [
    ("is_active", "maybe"),
    ("is_active", "yes"),
    ("email_allowed", "2"),
    ("id", "abc"),
    ("id", "1.5"),
    ("id", "99999999999999999999999"),
    ("id__gt", "-99999999999999999999999"),
    ("pk", "abc"),
    ("pk__lte", "1e3"),
    ("pk__in", "1,x"),
    ("pk__in", "1,99999999999999999999999"),
    ("created_date", "notadate"),
    ("created_date__gte", "2024-02-30T00:00:00Z"),
    ("created_date__date", "2024-13-01"),
    ("modified_date__date__lt", "tomorrow"),
    ("date_joined", "2024-01-10T25:00:00Z"),
    # Valid date-times whose UTC value is out of Python's range.
    ("created_date__lt", "9999-12-31T23:00:00-05:00"),
    ("date_joined", "0001-01-01T00:00:00+01:00"),
    ("date_of_birth", "yesterday"),
    ("gender", "other"),
    ("user_type", "admin"),
    ("channel", "abc"),
    ("channel", "999999"),
    ("channel", "99999999999999999999999"),
    ("sort", "password"),
    ("sort", "-foo"),
    ("sort", "channel__name"),
    ("attributes__bad.key", "1"),
    ("attributes__bad key", "1"),
    ("attributes__", "1"),
    ("attributes__a__b", "1"),
    ("attributes__tier\n", "3"),
    ("attributes__" + "k" * 65, "1"),
    ("extra_field__$.source", "web"),
    ("email", "ayse\x00@example.com"),
    ("email__startswith", "ayse\x00"),
    ("first_name", "A\x00"),
    ("attributes__logged_ip", "127.0.0.1\x00"),
    ("mapping", "A-100\x00"),
    # Longer than the column holds: no match is possible, and a huge LIKE pattern fails.
    ("email__startswith", "a" * 100_000),
    ("email", "a" * 255),
    ("first_name", "A" * 256),
    ("channel_code", "C" * 65),
    ("mapping", "M" * 129),
]


@pytest.mark.parametrize(
    ("param", "value"), INVALID_CASES, ids=[f"{p}={v!r}" for p, v in INVALID_CASES]
)
def test_invalid_value_is_a_400_naming_the_parameter(api, named_pks, param, value):
    response = api.get(LIST_URL, {param: value})

    assert response.status_code == 400, response.content
    body = response.json()
    assert param in body, body
    assert isinstance(body[param], list) and body[param], body


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["999999"], "Select a valid choice. 999999 is not one of the available choices."),
        (["{web}", "999999"], "Select a valid choice. 999999 is not one of the available choices."),
        (["abc"], "“abc” is not a valid value."),
        (["-1e3"], "“-1e3” is not a valid value."),
    ],
)
def test_an_unknown_or_malformed_channel_is_named_with_djangos_message(
    api, named_pks, values, message
):
    values = [value.format(**named_pks) for value in values]

    response = api.get(LIST_URL, {"channel": values})

    assert response.status_code == 400, response.content
    assert response.json() == {"channel": [message]}


def test_a_channel_given_twice_or_padded_filters_once(api, named_pks):
    web = str(named_pks["web"])

    names = listed_names(api, {"channel": [web, f" {web} ", web]}, named_pks)

    assert sorted(names) == ["ayse", "burak", "mehmet"]


def test_a_64_character_key_is_accepted(api, named_pks):
    assert listed_names(api, {"attributes__" + "k" * 64: "1"}, named_pks) == []


def test_every_invalid_parameter_is_named_at_once(api, named_pks):
    response = api.get(LIST_URL, {"is_active": "maybe", "gender": "other", "email": "ayse"})

    assert response.status_code == 400
    assert set(response.json()) == {"is_active", "gender"}


@pytest.mark.parametrize(
    "params",
    [
        {"password": "x"},
        {"channel__name": "Web shop"},
        {"channel__name__startswith": "Web"},
        {"mappings__code": "A-100"},
        {"email__icontains": "ayse"},
        {"is_staff": "true"},
    ],
    ids=case_id,
)
def test_unknown_parameters_do_not_filter(api, named_pks, params):
    assert set(listed_names(api, params, named_pks)) == EVERYONE


def test_channel_name_cannot_filter_across_the_relation(api, named_pks):
    """`channel__name` is no filter: a name that no channel has still lists everyone."""
    assert set(listed_names(api, {"channel__name": "no such channel"}, named_pks)) == EVERYONE
    assert set(listed_names(api, {"channel__name": "Web shop"}, named_pks)) == EVERYONE


def channel_list_url(channel_pk: int, detailed: bool = False) -> str:
    return f"/api/v1/channel/{channel_pk}/customers/" + ("detailed/" if detailed else "")


@pytest.mark.parametrize("detailed", [False, True], ids=["list", "detailed"])
def test_channel_view_filters_within_its_channel(api, named_pks, detailed):
    web_url = channel_list_url(named_pks["web"], detailed)
    app_url = channel_list_url(named_pks["app"], detailed)

    assert set(listed_names(api, {}, named_pks, web_url)) == {"ayse", "mehmet", "burak"}
    assert listed_names(api, {"email__startswith": "ayse"}, named_pks, web_url) == ["ayse"]
    assert listed_names(api, {"email__startswith": "ayse"}, named_pks, app_url) == ["guest"]
    assert listed_names(api, {"is_active": "1", "sort": "-created_date"}, named_pks, web_url) == [
        "ayse",
        "burak",
    ]
    assert listed_names(api, {"mapping": "A-100"}, named_pks, web_url) == ["ayse"]
    assert listed_names(api, {"channel": "{market}"}, named_pks, web_url) == []


@pytest.mark.parametrize("detailed", [False, True], ids=["list", "detailed"])
def test_channel_view_answers_a_400_for_invalid_values(api, named_pks, detailed):
    response = api.get(channel_list_url(named_pks["web"], detailed), {"is_active": "maybe"})

    assert response.status_code == 400
    assert "is_active" in response.json()


DETAILED_CASES = [
    ({"email__startswith": "a"}, {"ayse", "ali", "guest"}),
    ({"attributes__verified_user": "true", "channel": "{market}"}, {"zeynep"}),
    ({"mapping__integration_type": "erp", "erp_code": "null"}, set()),
    ({"erp_code": "null", "phone_number": "null"}, {"mehmet", "guest"}),
    ({"created_date__date__gte": "2024-03-03"}, {"ali", "elif", "guest"}),
]


@pytest.mark.parametrize(
    ("params", "expected"), DETAILED_CASES, ids=[case_id(params) for params, _ in DETAILED_CASES]
)
def test_detailed_list_filters_like_the_list(api, named_pks, params, expected):
    assert set(listed_names(api, params, named_pks, DETAILED_LIST_URL)) == expected
    assert set(listed_names(api, params, named_pks)) == expected


def test_detailed_list_sorts_like_the_list(api, named_pks):
    params = {"sort": "-date_of_birth"}
    assert listed_names(api, params, named_pks, DETAILED_LIST_URL) == listed_names(
        api, params, named_pks
    )


def test_detailed_list_answers_a_400_for_invalid_values(api, named_pks):
    response = api.get(DETAILED_LIST_URL, {"pk__in": "1,x"})

    assert response.status_code == 400
    assert "pk__in" in response.json()


# Not JSON a database stores (NaN, Infinity, beyond a double) or too deep to decode.
UNREADABLE_JSON_VALUES = ["NaN", "Infinity", "-Infinity", "1e999", "[" * 1000 + "]" * 1000]
JSON_KEY_ROUTES = ["list", "detailed", "channel"]


@pytest.mark.parametrize("route", JSON_KEY_ROUTES)
@pytest.mark.parametrize("param", ["attributes__tier", "extra_field__source"])
@pytest.mark.parametrize(
    "value", UNREADABLE_JSON_VALUES, ids=["NaN", "Infinity", "-Infinity", "1e999", "nested"]
)
def test_a_json_key_value_no_database_can_compare_is_a_400_naming_it(
    api, named_pks, route, param, value
):
    url = {
        "list": LIST_URL,
        "detailed": DETAILED_LIST_URL,
        "channel": channel_list_url(named_pks["web"]),
    }[route]

    response = api.get(url, {param: value})

    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [param]
    assert body[param][0].startswith("Invalid value"), body


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", {"ayse", "zeynep"}), ("1e-400", set()), ("[[3]]", set()), ("-Infinityx", set())],
)
def test_a_json_key_number_near_the_edges_still_filters(api, named_pks, value, expected):
    assert set(listed_names(api, {"attributes__tier": value}, named_pks)) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (["99999999999999999999"], "invalid_pk_value"),
        (["{web}"], "invalid_choice"),  # exists, but not among the field's choices
        (["abc"], "invalid_pk_value"),
    ],
)
def test_a_channel_field_over_some_channels_refuses_the_others(named_pks, value, code):
    field = IntegerPkMultipleChoiceField(queryset=Channel.objects.filter(pk=named_pks["app"]))

    with pytest.raises(ValidationError) as raised:
        field.clean([item.format(**named_pks) for item in value])

    assert raised.value.code == code
    assert list(field.clean([str(named_pks["app"])])) == [Channel.objects.get(pk=named_pks["app"])]
