"""Pages read keys first (`email__startswith`): the rows and order of a plain read."""

import pytest

from customers.models import Customer
from tests.conftest import client_for, grant, make_user
from tests.factories import CustomerFactory, create_customers

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/customers/"


@pytest.fixture(autouse=True)
def keys_first_from_one_row(monkeypatch):
    """Pages are read keys first past 500 matching rows: here, past 1."""
    monkeypatch.setattr("omnitron.counting.KEYS_FIRST_MIN_ROWS", 1)


@pytest.fixture
def customers(channel, other_channel):
    """60 customers over two channels; 22 emails start with `b1` (b1, b10 to b19, twice)."""
    create_customers(channel, 40, prefix="B")
    create_customers(other_channel, 20, prefix="B")  # the same emails, in another channel
    return Customer.objects.all()


def walk(api, url: str, params: dict) -> tuple[list[int], list[int]]:
    """Every page's pks, and the count each page gave."""
    pks, counts = [], []
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        pks += [row["pk"] for row in body["results"]]
        counts.append(body["count"])
        if not body["next"]:
            return pks, counts
        response = api.get(body["next"])


@pytest.mark.parametrize(
    ("sort", "ordering"),
    [
        (None, ["-id"]),
        ("email", ["email", "id"]),
        ("-modified_date", ["-modified_date", "-id"]),
        ("first_name", ["first_name", "id"]),
    ],
)
def test_pages_hold_the_filtered_rows_in_order(api, customers, sort, ordering):
    params = {"email__startswith": "b1", "limit": 4, **({"sort": sort} if sort else {})}
    expected = list(
        Customer.objects.filter(email__startswith="b1")
        .order_by(*ordering)
        .values_list("pk", flat=True)
    )

    pks, counts = walk(api, LIST_URL, params)

    assert len(expected) == 22  # b1, b10-b19 in two channels
    assert pks == expected
    assert set(counts) == {22}


def test_the_detailed_list_keeps_its_totals_and_channel(api, customers):
    response = api.get(f"{LIST_URL}detailed/", {"email__startswith": "b2", "limit": 50})

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    expected = Customer.objects.filter(email__startswith="b2").order_by("-id")
    assert [row["pk"] for row in rows] == list(expected.values_list("pk", flat=True))
    for row in rows:
        assert row["orders_info"]["total_order_count"] == 0
        assert row["channel"]["name"] == Customer.objects.get(pk=row["pk"]).channel.name


def test_a_channels_view_lists_only_its_own(api, channel, customers):
    url = f"/api/v1/channel/{channel.pk}/customers/"

    pks, _ = walk(api, url, {"email__startswith": "b1", "limit": 5})

    expected = Customer.objects.filter(channel=channel, email__startswith="b1").order_by("-id")
    assert pks == list(expected.values_list("pk", flat=True))


def test_with_other_filters_both_apply(api, channel, customers):
    pks, counts = walk(api, LIST_URL, {"email__startswith": "b1", "channel": channel.pk})

    expected = Customer.objects.filter(channel=channel, email__startswith="b1").order_by("-id")
    assert pks == list(expected.values_list("pk", flat=True))
    assert counts == [11, 11]


def test_costs_the_queries_of_a_plain_page(api, customers, django_assert_num_queries):
    api.get(LIST_URL)  # what the process caches after its first request
    with django_assert_num_queries(3):  # the token, the count, the page
        response = api.get(LIST_URL, {"email__startswith": "b1", "limit": 100})
    assert len(response.json()["results"]) == 22


def test_a_customers_audit_events_ignore_the_list_filter(channel):
    """The history's page is of audit records: never read from the customers by key."""
    auditor = make_user("auditor", read_only=True)
    grant(auditor, "audit.view_auditevent")
    customer = CustomerFactory(channel=channel, email="b1@example.com")

    response = client_for(auditor).get(
        f"{LIST_URL}{customer.pk}/audit_events/", {"email__startswith": "b1"}
    )

    assert response.status_code == 200, response.content
    assert [event["action"] for event in response.json()["results"]] == ["create"]
