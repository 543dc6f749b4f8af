"""Walking the OMS list-simple by keyset: `sort=id&id__gt=<last id>`, page after page.

Each customer is read exactly once, even while customers come and go, and a
page late in the walk costs what the first one does: no OFFSET, and a count
that stops at omnitron.counting.EXACT_COUNT_LIMIT.
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from customers.services import CustomerService
from tests.factories import FIXTURE_CONTEXT, CustomerFactory, create_customers

pytestmark = pytest.mark.django_db

URL = "/api/v1/oms/customers/list-simple/"


def walk(api, params: dict, limit: int, between_pages=None) -> list[int]:
    """The ids read by a BI tool walking by keyset, calling `between_pages` after each page."""
    ids: list[int] = []
    last = 0
    while True:
        body = api.get(URL, {**params, "sort": "id", "id__gt": last, "limit": limit}).json()
        page = [row["id"] for row in body["results"]]
        if not page:
            return ids
        ids += page
        last = page[-1]
        if between_pages:
            between_pages()


def test_a_keyset_walk_reads_every_customer_once(api, channel, other_channel):
    customers = create_customers(channel, 230, prefix="W") + create_customers(other_channel, 70)

    ids = walk(api, {}, limit=37)

    assert ids == sorted(customer.pk for customer in customers)
    assert walk(api, {"channel_id": other_channel.pk}, limit=9) == [
        customer.pk for customer in customers[230:]
    ]


def test_a_keyset_walk_reads_each_customer_once_while_others_come_and_go(api, channel):
    first = create_customers(channel, 100)
    deleted: list[int] = []
    added: list[int] = []

    def meanwhile():
        # For five pages: an early (already read) and a late customer go, a new one comes.
        turn = len(added)
        if turn == 5:
            return
        for customer in (first[turn], first[-1 - turn]):
            CustomerService.delete_customer(customer=customer, audit_context=FIXTURE_CONTEXT)
            deleted.append(customer.pk)
        added.append(CustomerFactory(channel=channel).pk)

    ids = walk(api, {}, limit=10, between_pages=meanwhile)

    assert len(ids) == len(set(ids))
    remaining = {customer.pk for customer in first} - set(deleted)
    assert remaining <= set(ids)
    assert not set(deleted[1::2]) & set(ids)
    # Every customer added during the walk has a higher id: it is read too.
    assert set(added) <= set(ids)


def page_queries(api, params: dict) -> list[str]:
    """The SQL of the page and count queries (after the token with its permissions)."""
    with CaptureQueriesContext(connection) as queries:
        response = api.get(URL, params)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries[1:]]


def test_keyset_pages_run_no_offset_and_a_bounded_count(api, channel, monkeypatch):
    monkeypatch.setattr("omnitron.counting.EXACT_COUNT_LIMIT", 50)
    ids = [customer.pk for customer in create_customers(channel, 120)]

    for last in (0, ids[60], ids[-5]):
        queries = page_queries(api, {"sort": "id", "id__gt": last, "limit": 10})
        (count,) = [sql for sql in queries if "COUNT(" in sql.upper()]
        (page,) = [sql for sql in queries if sql != count]

        # At most its 10 rows, and one more to see whether a next page follows.
        limit = re.search(r"\bLIMIT (\d+)\b", page)
        assert "OFFSET" not in page.upper() and limit and int(limit[1]) <= 11
        if connection.vendor == "postgresql":  # SQLite, the development database, counts all
            assert re.search(r"\bLIMIT 51\b", count)


def test_count_is_an_estimate_above_its_limit_until_the_end_of_the_walk(api, channel, monkeypatch):
    monkeypatch.setattr("omnitron.counting.EXACT_COUNT_LIMIT", 50)
    ids = [customer.pk for customer in create_customers(channel, 120)]

    def count_after(last: int):
        return api.get(URL, {"sort": "id", "id__gt": last, "limit": 10}).json()["count"]

    assert count_after(0) > 50  # exact on SQLite; the planner's estimate on PostgreSQL
    assert count_after(ids[69]) == 50
    assert count_after(ids[-4]) == 3


def examined_rows(plan: dict) -> int:
    """Rows the scans of an EXPLAIN ANALYZE plan read: returned plus filtered out."""
    rows = 0
    if "Scan" in plan["Node Type"] and plan["Node Type"] != "Subquery Scan":  # tables only
        rows += plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
    return rows + sum(examined_rows(child) for child in plan.get("Plans", []))


@pytest.mark.postgresql
@pytest.mark.parametrize("sort", ["id", "-id"])
def test_a_late_keyset_page_reads_no_more_rows_than_the_first(api, channel, monkeypatch, sort):
    monkeypatch.setattr("omnitron.counting.EXACT_COUNT_LIMIT", 500)
    ids = [customer.pk for customer in create_customers(channel, 6000)]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    lookup, start, late = (
        ("id__gt", 0, ids[-150]) if sort == "id" else ("id__lt", ids[-1] + 1, ids[150])
    )

    for position in (start, late):
        for sql in page_queries(api, {"sort": sort, lookup: position, "limit": 100}):
            bound = 501 if "COUNT(" in sql.upper() else 101
            assert examined_rows(explain_analyze(sql)) <= bound, (position, sql)


def explain_analyze(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (result,) = cursor.fetchone()
    return (json.loads(result) if isinstance(result, str) else result)[0]["Plan"]
