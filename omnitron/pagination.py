from functools import partial

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from omnitron.counting import ESTIMATE_TRUSTED_FACTOR, EXACT_COUNT_LIMIT, BoundedCountPaginator

MAX_LIMIT = 1000
# OFFSET pages reach this far into a result; past it, a 400 points to the keyset
# walk. A deeper OFFSET reads and drops every row before it: at a million rows,
# the cost of a page would grow with its number.
MAX_PAGE_DEPTH = 10_000


class PageLimitPagination(PageNumberPagination):
    """`page` (from 1) and `limit` (default 10, at most MAX_LIMIT rows).

    A `limit` that is not a positive integer is a 400 naming it; DRF's own
    class would silently fall back to the default. A limit above the maximum
    is served at the maximum, as documented in the schema.

    `count` is exact up to EXACT_COUNT_LIMIT rows and, above, on PostgreSQL,
    the planner's estimate (omnitron/counting.py); `next` and `previous` are
    always right, and a page with no rows is a 404. Pages start within the
    first MAX_PAGE_DEPTH rows; a deeper one is a 400 naming `page`.
    """

    django_paginator_class = BoundedCountPaginator
    page_size_query_param = "limit"
    page_query_description = (
        f"Page number, from 1 (`last` for the last page). Pages start within the first "
        f"{MAX_PAGE_DEPTH:,} rows: to read further, sort by id and filter `id__gt=<last id>`."
    )
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

    def paginate_queryset(self, queryset, request, view=None):
        number = request.query_params.get(self.page_query_param, "1")
        # A number too long for int() (over 4,300 digits) is as deep as any.
        if (
            number.isascii()
            and number.isdigit()
            and (
                len(number) > 18
                or (int(number) - 1) * self.get_page_size(request) >= MAX_PAGE_DEPTH
            )
        ):
            raise ValidationError(
                {
                    self.page_query_param: [
                        f"Pages start within the first {MAX_PAGE_DEPTH:,} rows. To read further, "
                        "sort by id and walk by keyset: sort=id&id__gt=<the last id you read>."
                    ]
                }
            )
        # A view may name the unfiltered rows to read a page from, keys first (see
        # BoundedCountPaginator).
        rows_from = view.page_rows_from() if hasattr(view, "page_rows_from") else None
        self.django_paginator_class = partial(BoundedCountPaginator, rows_from=rows_from)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        """Both start at 1: `page=0` is a 404 (no such page), `limit=0` a 400; pages end deep."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"Rows matching the request: exact up to {EXACT_COUNT_LIMIT:,}; above that, on "
            "PostgreSQL, the query planner's estimate, and the estimate alone when the planner "
            f"expects more than {EXACT_COUNT_LIMIT * ESTIMATE_TRUSTED_FACTOR:,}. `next` is "
            "null on the last page either way, and the last page's count is exact."
        )
        return response
