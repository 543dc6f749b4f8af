"""List counts: exact up to the limit, the planner's estimate above it, pages that end right."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from omnitron import counting
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
    """The same queries as an exact count: the estimate is read in the count's own query.

    So it is for a query remembered over the limit, whose rows are not counted.
    """
    customers = CustomerFactory.create_batch(12, channel=channel)
    three = ",".join(str(c.pk) for c in customers[:3])
    api.get(LIST_URL)  # what the process caches after its first request
    counting.forget_over_limit_counts()

    # A capture is read at once: the next request empties the connection's query log.
    with CaptureQueriesContext(connection) as captured:
        estimated = api.get(LIST_URL, {"limit": 2})
    estimated_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        remembered = api.get(LIST_URL, {"limit": 2})
    remembered_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        exact = api.get(LIST_URL, {"limit": 2, "pk__in": three})
    exact_queries = len(captured)

    assert estimated.json()["count"] > 5
    assert remembered.json()["count"] > 5
    assert exact.json()["count"] == 3
    assert estimated_queries == remembered_queries == exact_queries > 0


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


@pytest.mark.postgresql
def test_a_query_over_the_limit_is_not_counted_again_while_remembered(
    api, channel, small_exact_limit, settings
):
    """Once over the limit, the same query's next pages read the estimate, no rows counted.

    The planner is made to believe in 6 rows (so they are counted: below
    ESTIMATE_TRUSTED_FACTOR times the limit) where 12 are. Once 8 of them are
    deleted, a count would say 4; the remembered query still says at least what
    it said, until it is forgotten.
    """
    settings.OMNITRON_OVER_LIMIT_COUNT_SECONDS = 60
    customers = CustomerFactory.create_batch(6, channel=channel)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    customers += CustomerFactory.create_batch(6, channel=channel)

    first = api.get(LIST_URL, {"limit": 2}).json()
    Customer.objects.filter(pk__in=[c.pk for c in customers[4:]]).delete()
    with CaptureQueriesContext(connection) as queries:
        remembered = api.get(LIST_URL, {"limit": 2}).json()
    [count_query] = [q["sql"] for q in queries.captured_queries if "estimate" in q["sql"]]
    other_query = api.get(LIST_URL, {"limit": 2, "channel": channel.pk}).json()
    counting.forget_over_limit_counts()
    counted_again = api.get(LIST_URL, {"limit": 2}).json()

    assert first["count"] > 5  # counted to limit + 1: not exact
    assert remembered["count"] >= first["count"]  # not the 4 a count would find
    assert re.search(r"CASE WHEN estimate >\s*-1 THEN NULL", count_query)  # no row counted
    assert other_query["count"] == 4  # another query is counted
    assert counted_again["count"] == 4


@pytest.mark.postgresql
def test_over_limit_counts_expire_and_can_be_turned_off(
    api, channel, small_exact_limit, settings, monkeypatch
):
    CustomerFactory.create_batch(12, channel=channel)
    clock = [1000.0]
    monkeypatch.setattr("omnitron.counting.time.monotonic", lambda: clock[0])
    settings.OMNITRON_OVER_LIMIT_COUNT_SECONDS = 30
    api.get(LIST_URL, {"limit": 2})
    Customer.objects.filter(pk__in=list(Customer.objects.values_list("pk", flat=True)[3:])).delete()

    clock[0] += 29
    still_remembered = api.get(LIST_URL, {"limit": 2}).json()
    clock[0] += 2
    expired = api.get(LIST_URL, {"limit": 2}).json()
    settings.OMNITRON_OVER_LIMIT_COUNT_SECONDS = 0
    CustomerFactory.create_batch(9, channel=channel)
    api.get(LIST_URL, {"limit": 2})
    Customer.objects.filter(pk__in=list(Customer.objects.values_list("pk", flat=True)[3:])).delete()
    never_remembered = api.get(LIST_URL, {"limit": 2}).json()

    assert still_remembered["count"] > 5
    assert expired["count"] == 3
    assert never_remembered["count"] == 3


def test_an_exact_count_is_never_remembered(api, channel, small_exact_limit):
    CustomerFactory.create_batch(4, channel=channel)
    assert api.get(LIST_URL).json()["count"] == 4

    CustomerFactory.create(channel=channel)

    assert api.get(LIST_URL).json()["count"] == 5
