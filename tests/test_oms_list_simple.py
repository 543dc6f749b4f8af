"""GET and OPTIONS /api/v1/oms/customers/list-simple/, against spec/oms-customers-list-simple.md.

The spec's two example answers are kept verbatim in tests/data/; the
service's answers must match them field by field (values aside).
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from customers.models import Customer
from tests.factories import ChannelFactory, CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/oms/customers/list-simple/"
DATA = Path(__file__).parent / "data"
SPEC_RESPONSE = json.loads((DATA / "oms_list_simple_response.json").read_text())
SPEC_OPTIONS = json.loads((DATA / "oms_list_simple_options.json").read_text())


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


CHANNELS = ("web", "market", "app")
# In creation order, so in ascending pk order; modified dates in another order.
CUSTOMERS = {
    "ayse": ("web", "ayse@example.com", "Ayşe", "Yılmaz", "05551112233", "ERP-1"),
    "mehmet": ("web", "mehmet@example.com", "Mehmet", "Demir", None, None),
    "zeynep": ("market", "zeynep@shop.test", "Zeynep", "Yılmaz", "05552223344", "ERP-3"),
    "ali": ("market", "ali@example.com", "Ali", "", None, "ERP-4"),
    "guest": ("app", "ayse@example.com", "", "", None, None),
}
MODIFIED = {
    "ayse": utc(2024, 4, 3, 10, 0),
    "mehmet": utc(2024, 4, 1, 8, 0),
    "zeynep": utc(2024, 4, 2, 12, 0),
    "ali": utc(2024, 4, 2, 23, 59, 59),
    "guest": utc(2024, 4, 4, 0, 0),
}
IN_PK_ORDER = list(CUSTOMERS)


@pytest.fixture
def named(db) -> dict[str, int]:
    """Creates the channels and customers; answers {name: pk} for all of them."""
    channels = {name: ChannelFactory(name=name) for name in CHANNELS}
    pks = {name: channel.pk for name, channel in channels.items()}
    for name, (channel, email, first, last, phone, erp) in CUSTOMERS.items():
        customer = CustomerFactory(
            channel=channels[channel],
            email=email,
            first_name=first,
            last_name=last,
            phone_number=phone,
            erp_code=erp,
        )
        # modified_date is auto_now: only an UPDATE sets a chosen value.
        Customer.objects.filter(pk=customer.pk).update(modified_date=MODIFIED[name])
        pks[name] = customer.pk
    return pks


def listed(api, params: dict, named: dict[str, int]) -> list[str]:
    response = api.get(URL, {**params, "limit": 100})
    assert response.status_code == 200, response.content
    names = {pk: name for name, pk in named.items()}
    return [names[row["id"]] for row in response.json()["results"]]


# The response, against the spec's example


def test_the_answer_has_the_fields_of_the_spec_example(api, channel):
    spec_rows = SPEC_RESPONSE["results"]
    for row in spec_rows:
        CustomerFactory(
            channel=channel,
            email=row["email"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            phone_number=row["phone_number"],
            erp_code=row["erp_code"],
        )

    body = api.get(URL).json()

    assert list(body) == list(SPEC_RESPONSE)
    assert body["count"] == len(spec_rows)
    assert body["next"] is None and body["previous"] is None
    for row, spec_row in zip(body["results"], spec_rows, strict=True):
        assert list(row) == list(spec_row)
        for field, value in spec_row.items():
            if value is not None:
                assert type(row[field]) is type(value), field
        assert row["omnitron_id"] == row["id"]
        assert row["channel"] == channel.pk
        assert row["created_date"].endswith("Z") and row["modified_date"].endswith("Z")
        for field in ("email", "first_name", "last_name", "phone_number", "erp_code"):
            assert row[field] == spec_row[field], field


def test_a_customer_is_shown_as_stored(api, named):
    customer = Customer.objects.get(pk=named["ayse"])

    row = api.get(URL, {"id__lte": named["ayse"]}).json()["results"][0]

    assert row == {
        "id": customer.pk,
        "created_date": customer.created_date.isoformat().replace("+00:00", "Z"),
        "modified_date": "2024-04-03T10:00:00Z",
        "omnitron_id": customer.pk,
        "email": "ayse@example.com",
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone_number": "05551112233",
        "erp_code": "ERP-1",
        "channel": named["web"],
    }


def test_the_next_link_is_the_spec_s(api, named):
    body = api.get(URL, {"limit": 2}).json()

    assert body["next"] == f"http://testserver{URL}?limit=2&page=2"
    assert body["previous"] is None
    second = api.get(body["next"]).json()
    assert second["previous"] == f"http://testserver{URL}?limit=2"
    third = api.get(second["next"]).json()
    assert third["previous"] == f"http://testserver{URL}?limit=2&page=2"
    assert third["next"] is None
    ids = [row["id"] for page in (body, second, third) for row in page["results"]]
    assert ids == [named[name] for name in IN_PK_ORDER]


# OPTIONS, against the spec's example


@pytest.fixture
def options(api) -> dict:
    response = api.options(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_options_has_the_keys_of_the_spec_example(options):
    assert list(options) == list(SPEC_OPTIONS)
    assert options["name"] == SPEC_OPTIONS["name"] == "list-simple"
    assert options["renders"] == SPEC_OPTIONS["renders"]
    assert options["parses"] == SPEC_OPTIONS["parses"]


def test_options_filters_are_the_spec_s(options):
    assert options["filters"] == SPEC_OPTIONS["filters"]


def test_options_actions_describe_the_fields_as_the_spec_does(options):
    assert list(options["actions"]) == ["GET"]
    fields, spec_fields = options["actions"]["GET"], SPEC_OPTIONS["actions"]["GET"]
    assert list(fields) == list(spec_fields)
    for name, spec_info in spec_fields.items():
        assert fields[name] == spec_info, name


def test_options_answer_json_whatever_the_format_asked(api):
    for response in (
        api.options(URL, HTTP_ACCEPT="text/csv"),
        api.options(f"{URL}?format=xls"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.json()["name"] == "list-simple"


# Filters: one line per documented lookup

FILTER_CASES = [
    ({}, IN_PK_ORDER),
    ({"id__gt": "{mehmet}"}, ["zeynep", "ali", "guest"]),
    ({"id__gte": "{mehmet}"}, ["mehmet", "zeynep", "ali", "guest"]),
    ({"id__lt": "{zeynep}"}, ["ayse", "mehmet"]),
    ({"id__lte": "{zeynep}"}, ["ayse", "mehmet", "zeynep"]),
    ({"first_name": "Ayşe"}, ["ayse"]),
    ({"last_name": "Yılmaz"}, ["ayse", "zeynep"]),
    ({"email": "ayse@example.com"}, ["ayse", "guest"]),
    ({"phone_number": "05552223344"}, ["zeynep"]),
    ({"phone_number": "null"}, ["mehmet", "ali", "guest"]),
    ({"erp_code": "ERP-1"}, ["ayse"]),
    ({"erp_code": "null"}, ["mehmet", "guest"]),
    ({"channel_id": "{web}"}, ["ayse", "mehmet"]),
    ({"channel_id": "{app}"}, ["guest"]),
    ({"modified_date": "2024-04-02T23:59:59Z"}, ["ali"]),
    ({"modified_date": "2024-04-02T14:00:00+02:00"}, ["zeynep"]),
    ({"modified_date__gt": "2024-04-03T10:00:00Z"}, ["guest"]),
    ({"modified_date__gte": "2024-04-03T10:00:00Z"}, ["ayse", "guest"]),
    ({"modified_date__lt": "2024-04-02T12:00:00Z"}, ["mehmet"]),
    ({"modified_date__lte": "2024-04-02T12:00:00Z"}, ["mehmet", "zeynep"]),
    ({"channel_id": "{market}", "id__gt": "{zeynep}"}, ["ali"]),
    ({"email": "nobody@example.com"}, []),
    # An empty value is no filter, as everywhere in the API.
    ({"email": "", "id__gt": ""}, IN_PK_ORDER),
]


@pytest.mark.parametrize(
    ("params", "expected"), FILTER_CASES, ids=[str(p) for p, _ in FILTER_CASES]
)
def test_filter(api, named, params, expected):
    params = {key: value.format(**named) for key, value in params.items()}

    assert listed(api, params, named) == expected


SORT_CASES = [
    ("id", IN_PK_ORDER),
    ("-id", IN_PK_ORDER[::-1]),
    ("modified_date", ["mehmet", "zeynep", "ali", "ayse", "guest"]),
    ("-modified_date", ["guest", "ayse", "ali", "zeynep", "mehmet"]),
]


@pytest.mark.parametrize(("sort", "expected"), SORT_CASES)
def test_sort(api, named, sort, expected):
    assert listed(api, {"sort": sort}, named) == expected


def test_equal_modified_dates_are_ordered_by_id(api, named):
    Customer.objects.update(modified_date=utc(2024, 5, 1))

    assert listed(api, {"sort": "modified_date"}, named) == IN_PK_ORDER
    assert listed(api, {"sort": "-modified_date"}, named) == IN_PK_ORDER[::-1]


INVALID_CASES = [
    ("id__gt", "abc"),
    ("id__gte", "1.5"),
    ("id__lt", "99999999999999999999"),
    ("id__lte", "-"),
    ("channel_id", "web"),
    ("channel_id", "99999999999999999999999"),
    ("modified_date", "yesterday"),
    ("modified_date__gt", "2024-13-01T00:00:00Z"),
    ("modified_date__gte", "2024-04-01T25:00:00Z"),
    ("modified_date__lt", "9999-12-31T23:00:00-05:00"),
    ("modified_date__lte", "1 April 2024"),
    ("sort", "email"),
    ("sort", "created_date"),
    ("sort", "-foo"),
    ("email", "a" * 255),
    ("email", "ayse\x00@example.com"),
    ("first_name", "A" * 256),
    ("last_name", "A\x00"),
    ("phone_number", "5" * 129),
    ("erp_code", "E" * 65),
    ("limit", "0"),
    ("limit", "ten"),
]


@pytest.mark.parametrize(
    ("param", "value"), INVALID_CASES, ids=[f"{p}={v[:20]!r}" for p, v in INVALID_CASES]
)
@pytest.mark.parametrize("format_", ["json", "csv", "xls"])
def test_invalid_value_is_a_json_400_naming_the_parameter(api, named, param, value, format_):
    response = api.get(URL, {param: value, "format": format_})

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == [param]
    assert isinstance(body[param], list) and body[param]


# Pages


@pytest.mark.parametrize("page", ["4", "0", "-1", "abc", "²"])
def test_a_page_that_does_not_exist_is_a_404(api, named, page):
    response = api.get(URL, {"limit": 2, "page": page})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize("page", ["5001", "9" * 30, "9" * 5000])
def test_a_page_deeper_than_offset_pages_go_is_a_400_pointing_to_the_keyset_walk(api, named, page):
    response = api.get(URL, {"limit": 2, "page": page})

    assert response.status_code == 400
    assert "id__gt" in response.json()["page"][0]


def test_an_empty_result_is_a_page_of_nothing(api, named):
    body = api.get(URL, {"email": "nobody@example.com"}).json()

    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_count_is_exact_up_to_its_limit_and_a_number_above(api, named, monkeypatch):
    monkeypatch.setattr("omnitron.counting.EXACT_COUNT_LIMIT", 3)

    everyone = api.get(URL, {"limit": 2}).json()
    few = api.get(URL, {"channel_id": named["market"]}).json()
    at_the_limit = api.get(URL, {"id__gt": named["mehmet"]}).json()

    assert everyone["count"] > 3  # exact on SQLite; the planner's estimate on PostgreSQL
    assert len(everyone["results"]) == 2 and everyone["next"]
    assert few["count"] == 2
    assert at_the_limit["count"] == 3


# Formats


def test_json_is_the_default(api, named):
    response = api.get(URL)

    assert response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize(
    ("request_kwargs", "content_type", "filename"),
    [
        ({"HTTP_ACCEPT": "text/csv"}, "text/csv; charset=utf-8", "customers.csv"),
        ({"data": {"format": "csv"}}, "text/csv; charset=utf-8", "customers.csv"),
        ({"HTTP_ACCEPT": "application/xls"}, "application/xls", "customers.xlsx"),
        ({"data": {"format": "xls"}}, "application/xls", "customers.xlsx"),
    ],
)
def test_csv_and_excel_by_accept_or_format(api, named, request_kwargs, content_type, filename):
    response = api.get(URL, **request_kwargs)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.streaming
    assert b"".join(response.streaming_content)


def test_format_json_and_accept_json(api, named):
    for response in (
        api.get(URL, {"format": "json"}),
        api.get(URL, HTTP_ACCEPT="application/json"),
    ):
        assert response["Content-Type"] == "application/json"
        assert len(response.json()["results"]) == len(CUSTOMERS)


def test_an_unknown_format_is_a_json_404(api, named):
    response = api.get(URL, {"format": "pdf"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_accept_header_it_cannot_answer_is_a_json_406(api, named):
    response = api.get(URL, HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


# Authentication and permissions


@pytest.mark.parametrize("method", ["get", "options"])
@pytest.mark.parametrize("accept", ["application/json", "text/csv", "application/xls"])
def test_no_token_is_a_json_401(method, accept, channel):
    response = getattr(APIClient(), method)(URL, HTTP_ACCEPT=accept)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_a_401(channel):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(URL, {"format": "csv"})

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize("method", ["get", "options"])
@pytest.mark.parametrize("format_", ["json", "csv", "xls"])
def test_without_view_customer_it_is_a_json_403(no_permission_api, named, method, format_):
    response = getattr(no_permission_api, method)(f"{URL}?format={format_}")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "You do not have permission to perform this action."}


def test_view_customer_is_enough(read_only_api, named):
    assert read_only_api.get(URL).status_code == 200
    assert read_only_api.options(URL).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_only_reads(api, named, method):
    response = getattr(api, method)(URL, {}, format="json")

    assert response.status_code == 405
    assert Customer.objects.count() == len(CUSTOMERS)
