"""Counting rows without scanning a large table for every page.

An exact COUNT(*) reads every matching row: at a million customers that is
the slowest part of serving page one. Here, on PostgreSQL, the planner's
estimate of the row count is read first (an EXPLAIN: no row is read). When it
is far above EXACT_COUNT_LIMIT (ESTIMATE_TRUSTED_FACTOR times), it is the
count. Otherwise at most EXACT_COUNT_LIMIT + 1 rows are counted: the count is
exact up to the limit, and above it the larger of the estimate and what was
counted. Either way it is one query, so a list costs the same number of
queries at every table size. On SQLite (the development database) counts are
exact.

A query found to match more than the limit is remembered, with its count,
for OMNITRON_OVER_LIMIT_COUNT_SECONDS in the process: its count is not exact
anyway, and paging through it, or asking it again, would count the same
limit + 1 rows every time (a prefix filter at ten million customers: half its
database time). Until then the same query's count is the planner's estimate,
or the count remembered if that is larger, read in the same one query with no
row counted. Exact counts are never remembered: a write shows in the next one.
"""

import threading
import time

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

EXACT_COUNT_LIMIT = 10_000
# An estimate this many times the limit is trusted without counting: a planner
# that far off on a plain filter is rare, and `next` never depends on the count.
# Below it, up to limit + 1 rows are counted (about 2 ms at 10,001 index entries)
# to learn whether the result is small enough to be exact; a higher factor would
# make a filter the planner puts at a few times the limit pay that on every page
# only to be told what the estimate said.
ESTIMATE_TRUSTED_FACTOR = 2
# Pages are read keys first (see BoundedCountPaginator) only past this many matching
# rows: below it, reading every matching row costs less than the second plan, and
# above it the page reads only its own rows from the table (bench/results.md).
KEYS_FIRST_MIN_ROWS = 500
# Created by customers/migrations/0004_count_estimate_function.py (PostgreSQL only),
# which holds its SQL.
ESTIMATE_FUNCTION = "omnitron_row_estimate"
# Queries remembered as over the limit, per process, at most this many.
OVER_LIMIT_QUERIES = 1024

# (database alias, SQL, parameters, limit) -> (until, count) of queries found over the limit.
_over_limit: dict[tuple, tuple[float, int]] = {}
_over_limit_lock = threading.Lock()


def bounded_count(queryset: QuerySet, limit: int | None = None) -> tuple[int, bool]:
    """(count, exact): the exact count if at most `limit`, else an estimate (see above)."""
    limit = EXACT_COUNT_LIMIT if limit is None else limit
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count(), True
    try:
        # The row estimate does not depend on the columns: the primary key alone
        # is one compiled query for both the EXPLAIN and the count.
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match (an empty `__in`): no query needed
        return 0, True
    key = _query_key(queryset.db, sql, params, limit)
    over_limit = _remembered_over_limit(key)
    # Above this estimate nothing is counted: for a query remembered over the limit, any.
    trusted_above = -1 if over_limit is not None else limit * ESTIMATE_TRUSTED_FACTOR
    with connection.cursor() as cursor:
        # The query as text, for the function's EXPLAIN: mogrify quotes the values.
        text = cursor.mogrify(sql, params).decode()
        # CASE runs the counting subquery only when the estimate is not trusted.
        cursor.execute(
            f"SELECT estimate, CASE WHEN estimate > %s THEN NULL ELSE (SELECT count(*) FROM "
            f"(SELECT 1 FROM ({sql}) AS matching LIMIT %s) AS bounded) END "
            f"FROM (SELECT {ESTIMATE_FUNCTION}(%s) AS estimate) AS e",
            [trusted_above, *params, limit + 1, text],
        )
        estimate, counted = cursor.fetchone()
    if counted is None:
        return max(estimate, over_limit or 0), False
    if counted <= limit:
        return counted, True
    count = max(counted, estimate)
    _remember_over_limit(key, count)
    return count, False


def _query_key(alias: str, sql: str, params, limit: int) -> tuple | None:
    """What identifies a count: None when a parameter cannot be a dict key (not remembered)."""
    key = (alias, sql, tuple(params), limit)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _remembered_over_limit(key: tuple | None) -> int | None:
    """The count a query was last given when counted over the limit, if that is recent."""
    remembered = _over_limit.get(key) if key is not None else None
    if remembered is None or remembered[0] <= time.monotonic():
        return None
    return remembered[1]


def _remember_over_limit(key: tuple | None, count: int) -> None:
    seconds = settings.OMNITRON_OVER_LIMIT_COUNT_SECONDS
    if key is None or seconds <= 0:
        return
    with _over_limit_lock:
        if len(_over_limit) >= OVER_LIMIT_QUERIES:
            del _over_limit[next(iter(_over_limit))]  # the oldest
        _over_limit.pop(key, None)
        _over_limit[key] = (time.monotonic() + seconds, count)


def forget_over_limit_counts() -> None:
    """Count every query afresh at its next page."""
    _over_limit.clear()


class BoundedCountPaginator(Paginator):
    """A paginator whose count is bounded_count's, and whose pages still end right.

    An estimate can be off either way, so a page reads one row more than it
    shows: that row, not the estimate, says whether a next page exists, and
    a page with no rows past the first is a missing page (404), as ever.

    With `rows_from` (the same rows unfiltered) and KEYS_FIRST_MIN_ROWS matching
    rows or more, a page is read keys first:
    the page's primary keys from the filtered query, then its rows from
    `rows_from` by key, in one statement. Where the filter's index holds the
    key, the database reads only the index for the matching rows, and the
    table for the page's rows alone, rather than every matching row to sort them.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        self.rows_from: QuerySet | None = kwargs.pop("rows_from", None)
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)

    @cached_property
    def _bounded(self) -> tuple[int, bool]:
        return bounded_count(self.object_list)

    @cached_property
    def count(self) -> int:
        return self._bounded[0]

    @property
    def count_is_exact(self) -> bool:
        return self._bounded[1]

    def page(self, number):
        if self.count_is_exact:
            number = self.validate_number(number)
            bottom = (number - 1) * self.per_page
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._rows(bottom, top), number, self)
        # An estimate bounds nothing: a page exists if it has rows.
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        rows = self._rows(bottom, bottom + self.per_page + 1)
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        seen = bottom + len(rows)
        self.count = seen if len(rows) <= self.per_page else max(self.count, seen)
        self.__dict__.pop("num_pages", None)
        return self._get_page(rows[: self.per_page], number, self)

    def _rows(self, bottom: int, top: int) -> list:
        if (
            self.rows_from is None
            or self.count < KEYS_FIRST_MIN_ROWS
            or not isinstance(self.object_list, QuerySet)
        ):
            return list(self.object_list[bottom:top])
        keys = self.object_list.values("pk")[bottom:top]
        rows = self.rows_from.filter(pk__in=keys)
        if self.object_list.query.order_by:
            rows = rows.order_by(*self.object_list.query.order_by)
        return list(rows)

    @staticmethod
    def _page_number(number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number >= 2**53:  # an OFFSET no database addresses: no page either
            raise EmptyPage("That page contains no results")
        return number
