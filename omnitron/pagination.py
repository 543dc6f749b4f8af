from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from omnitron.filters import BIGINT_MAX

MAX_LIMIT = 1000


class PageLimitPagination(PageNumberPagination):
    """`page` (from 1) and `limit` (default 10, at most MAX_LIMIT rows).

    A `limit` that is not a positive integer is a 400 naming it; DRF's own
    class would silently fall back to the default. A limit above the maximum
    is served at the maximum, as documented in the schema.
    """

    page_size_query_param = "limit"
    page_query_description = "Page number, from 1 (`last` for the last page)."
    max_page_size = MAX_LIMIT
    page_size_query_description = f"Rows per page (default 10, at most {MAX_LIMIT})."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["A positive integer is required."]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        """Both start at 1: `page=0` is a 404 (no such page), `limit=0` a 400."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


class BoundedCountPagination(PageLimitPagination):
    """`page` and `limit` as PageLimitPagination, at a cost that does not grow with the table.

    For lists read by machines, walked by keyset: `sort=id&id__gt=<last id>`,
    always page 1, so never an OFFSET. A page is one query for `limit + 1` rows
    (the extra row says whether there is a next page) and, for the paginated
    answer, one count that stops at `count_limit + 1` rows: `count` is exact up
    to `count_limit` matching rows and null above it. An exact count would scan
    every matching index entry on every page, a million of them at the start
    of a million-row walk.
    """

    count_limit = 10_000
    page_query_description = "Page number, from 1."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_page_size(request)
        self.page_number = self.get_page_number(request)
        offset = (self.page_number - 1) * self.limit
        rows = list(queryset[offset : offset + self.limit + 1])
        if not rows and self.page_number > 1:
            raise NotFound(self.invalid_page_message)
        self.has_next = len(rows) > self.limit
        self.queryset = queryset
        return rows[: self.limit]

    def get_page_number(self, request) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except ValueError:
            number = 0
        # An offset past what the database can address is no page either.
        if number < 1 or number * self.limit >= BIGINT_MAX:
            raise NotFound(self.invalid_page_message)
        return number

    def bounded_count(self, queryset) -> int | None:
        # The count keeps the page's ORDER BY: the database reads the first rows
        # of the index the page reads, and stops. Without it the planner may
        # pick a sequential scan that finds the few matching rows last.
        counted = queryset[: self.count_limit + 1].count()
        return counted if counted <= self.count_limit else None

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.bounded_count(self.queryset),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.page_number + 1)

    def get_previous_link(self):
        if self.page_number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.page_number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page_number - 1)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": (
                f"Rows matching the filters; null when more than {self.count_limit} match."
            ),
        }
        return response
