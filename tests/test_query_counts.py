"""List endpoints run a fixed number of SQL queries, whatever the page size.

Per request: the token with its user's permissions (1, apitokens/authentication.py),
the count (1) and the page (1); the channel-scoped view adds its channel (1), a
`channel` filter the check of the given channel ids (1). A CSV or Excel export
of the OMS list-simple is one query for its rows (all of them, or the page).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order
from tests.factories import ChannelFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ROWS = 30


@pytest.fixture
def customers(channel):
    rows = [CustomerFactory(channel=channel, attributes={"tier": str(i % 3)}) for i in range(ROWS)]
    for i, customer in enumerate(rows[:10]):
        Order.objects.create(channel=channel, customer=customer, number=f"MP-{i}", amount="10")
    return rows


@pytest.mark.parametrize(
    ("url", "params", "queries"),
    [
        ("/api/v1/customers/", {}, 3),
        ("/api/v1/customers/", {"sort": "-modified_date", "is_active": "false"}, 3),
        ("/api/v1/customers/", {"attributes__tier": "1", "email__startswith": "c"}, 3),
        ("/api/v1/customers/detailed/", {}, 3),
        ("/api/v1/channel/{channel}/customers/", {}, 4),
        ("/api/v1/channel/{channel}/customers/detailed/", {}, 4),
        ("/api/v1/channels/", {}, 3),
        ("/api/v1/oms/customers/list-simple/", {}, 3),
        (
            "/api/v1/oms/customers/list-simple/",
            {"sort": "-modified_date", "channel_id": "{channel}", "erp_code": "null"},
            3,
        ),
        ("/api/v1/oms/customers/list-simple/", {"sort": "id", "id__gt": "0"}, 3),
    ],
)
def test_list_queries_do_not_grow_with_the_page(
    api, channel, customers, django_assert_num_queries, url, params, queries
):
    url = url.format(channel=channel.pk)
    params = {key: value.format(channel=channel.pk) for key, value in params.items()}
    for _ in range(3):
        ChannelFactory()
    for limit in (1, ROWS):
        with django_assert_num_queries(queries):
            response = api.get(url, {**params, "limit": limit})
        assert response.status_code == 200
        assert len(response.json()["results"]) >= 1


def test_channel_filter_adds_one_query_for_its_check(
    api, channel, customers, django_assert_num_queries
):
    for limit in (1, ROWS):
        with django_assert_num_queries(4):
            response = api.get("/api/v1/customers/", {"channel": channel.pk, "limit": limit})
        assert response.json()["count"] == ROWS


@pytest.mark.parametrize("format_", ["csv", "xls"])
@pytest.mark.parametrize(("params", "queries"), [({}, 2), ({"limit": 5}, 3)])
def test_exports_run_a_fixed_number_of_queries(
    api, channel, customers, django_assert_num_queries, format_, params, queries
):
    """The whole result: its rows (1); one page: its count and rows (2), as in JSON."""
    rows = []
    for count in (1, ROWS):
        with django_assert_num_queries(queries):
            response = api.get(
                "/api/v1/oms/customers/list-simple/",
                {**params, "format": format_, "id__lte": customers[count - 1].pk, "sort": "id"},
            )
            assert response.status_code == 200
            rows.append(b"".join(response.streaming_content))
    assert len(rows[1]) > len(rows[0])


def test_channel_filter_reads_no_distinct_rows(api, channel, customers):
    """One channel a customer: no DISTINCT (a sort of every matching row) is needed."""
    other = ChannelFactory(name="other")
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/customers/", {"channel": [channel.pk, other.pk]})

    assert response.json()["count"] == ROWS
    assert not [q for q in queries if "DISTINCT" in q["sql"].upper()]


def test_a_filterset_builds_only_the_filters_the_request_names():
    """The rest cannot change the result; building all fifty cost ms on every request."""
    from customers.filters import CustomerFilterSet

    named = CustomerFilterSet({"email__startswith": "a", "created_date__gte": "2026-01-01"})
    unbound = CustomerFilterSet()

    # `email` and `created_date` too: their names begin these parameters (harmless).
    assert set(named.filters) == {"email", "email__startswith", "created_date", "created_date__gte"}
    assert set(unbound.filters) == set(CustomerFilterSet.base_filters)
