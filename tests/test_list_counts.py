"""List counts: exact up to the limit, the planner's estimate above it, pages that end right."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from omnitron.counting import ESTIMATE_TRUSTED_FACTOR
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/customers/"


@pytest.fixture
def small_exact_limit(monkeypatch):
    """A limit of 5 rows stands in for the 10,000 of a real table."""
    monkeypatch.setattr("omnitron.counting.EXACT_COUNT_LIMIT", 5)


def walk(api, **params) -> list[dict]:
    bodies, url = [], LIST_URL
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        bodies.append(response.json())
        if not bodies[-1]["next"]:
            return bodies
        response = api.get(bodies[-1]["next"])


def test_count_is_exact_up_to_the_limit(api, channel):
    CustomerFactory.create_batch(7, channel=channel)

    body = api.get(LIST_URL, {"limit": 3}).json()

    assert body["count"] == 7


@pytest.mark.postgresql
def test_above_the_limit_pages_still_end_right(api, channel, small_exact_limit):
    customers = CustomerFactory.create_batch(12, channel=channel)

    pages = walk(api, limit=5)

    assert pages[0]["count"] > 5  # not counted to the end: an estimate, at least limit + 1
    assert [len(page["results"]) for page in pages] == [5, 5, 2]
    assert pages[-1]["count"] == 12  # the last page knows where the rows end
    seen = [row["pk"] for page in pages for row in page["results"]]
    assert sorted(seen) == sorted(c.pk for c in customers)
    assert api.get(LIST_URL, {"limit": 5, "page": 4}).status_code == 404


@pytest.mark.postgresql
def test_estimated_count_costs_no_extra_query(api, channel, small_exact_limit):
    """The same queries as an exact count: the estimate is read in the count's own query."""
    customers = CustomerFactory.create_batch(12, channel=channel)
    three = ",".join(str(c.pk) for c in customers[:3])
    api.get(LIST_URL)  # what the process caches after its first request

    with CaptureQueriesContext(connection) as estimated_queries:
        estimated = api.get(LIST_URL, {"limit": 2})
    with CaptureQueriesContext(connection) as exact_queries:
        exact = api.get(LIST_URL, {"limit": 2, "pk__in": three})

    assert estimated.json()["count"] > 5
    assert exact.json()["count"] == 3
    assert len(estimated_queries) == len(exact_queries)


@pytest.mark.postgresql
def test_an_estimate_far_above_the_limit_is_the_count_and_nothing_is_counted(
    api, channel, small_exact_limit
):
    """Above ESTIMATE_TRUSTED_FACTOR times the limit the planner's word is taken as it is.

    The planner is made to believe in 40 rows where 4 remain, fewer than the
    limit: had any row been counted, page one would say 4, exactly.
    """
    customers = CustomerFactory.create_batch(40, channel=channel)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    Customer.objects.filter(pk__in=[c.pk for c in customers[4:]]).delete()

    pages = walk(api, limit=2)

    assert pages[0]["count"] >= 5 * ESTIMATE_TRUSTED_FACTOR
    assert [len(page["results"]) for page in pages] == [2, 2]
    assert pages[-1]["count"] == 4


@pytest.mark.postgresql
def test_an_estimate_near_the_limit_is_checked_by_counting(api, channel, small_exact_limit):
    """Between the limit and ESTIMATE_TRUSTED_FACTOR times it, rows are counted: exact if few.

    The planner is made to believe in 8 rows (above the limit of 5, below 5 * 2)
    where 4 remain: page one says 4.
    """
    customers = CustomerFactory.create_batch(8, channel=channel)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    Customer.objects.filter(pk__in=[c.pk for c in customers[4:]]).delete()

    pages = walk(api, limit=2)

    assert [page["count"] for page in pages] == [4, 4]


def test_pages_end_at_the_depth_offset_pages_reach(api, channel):
    CustomerFactory.create_batch(3, channel=channel)

    deep = api.get(LIST_URL, {"limit": 10, "page": 1001})  # would start at row 10,001
    last_allowed = api.get(LIST_URL, {"limit": 10, "page": 1000})

    assert deep.status_code == 400
    assert "sort=id&id__gt=" in deep.json()["page"][0]
    assert last_allowed.status_code == 404  # allowed, and past the end of 3 rows
