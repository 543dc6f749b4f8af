"""Counting rows without scanning a large table for every page.

An exact COUNT(*) reads every matching row: at a million customers that is
the slowest part of showing page one. Here the count is exact up to
EXACT_COUNT_LIMIT rows (reading at most that many), and above it, on
PostgreSQL, the planner's estimate of the row count, which costs nothing to
read. A count above the limit is therefore approximate; what is shown of it
says so.
"""

import json

from django.db import connections
from django.db.models import QuerySet

EXACT_COUNT_LIMIT = 10_000


def bounded_count(queryset: QuerySet, limit: int = EXACT_COUNT_LIMIT) -> tuple[int, bool]:
    """(count, exact): the exact count if at most `limit`, else the planner's estimate.

    On databases without a planner estimate (SQLite, the development
    database) the count is always exact.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count(), True
    counted = queryset.order_by()[: limit + 1].count()
    if counted <= limit:
        return counted, True
    return max(limit + 1, planner_row_estimate(queryset)), False


def planner_row_estimate(queryset: QuerySet) -> int:
    """The number of rows PostgreSQL's planner expects the query to return."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
