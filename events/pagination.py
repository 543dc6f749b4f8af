"""The feed's pages: keyset by id, `after=<id>` and `limit`."""

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from omnitron.pagination import MAX_LIMIT

BIGINT_MAX = 2**63 - 1


def _integer(request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw) if raw.isascii() and raw.strip().lstrip("-").isdigit() else None
    except ValueError:
        value = None
    if value is None or not minimum <= value <= BIGINT_MAX:
        raise ValidationError({name: [f"Enter an integer of at least {minimum}."]})
    return value


class AfterIdPagination(BasePagination):
    """Events with an id above `after` (default 0), oldest first, `limit` at a time.

    `next` carries the last id of the page and is there while the page is
    full; a reader that keeps following it (or asks again with the last id it
    read) sees every event once, in commit order.
    """

    after_query_param = "after"
    limit_query_param = "limit"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.after = _integer(request, self.after_query_param, 0, 0)
        limit = _integer(request, self.limit_query_param, settings.REST_FRAMEWORK["PAGE_SIZE"], 1)
        self.limit = min(limit, MAX_LIMIT)
        self.page = list(queryset.filter(id__gt=self.after).order_by("id")[: self.limit])
        return self.page

    def get_paginated_response(self, data):
        next_url = None
        if len(self.page) == self.limit:
            next_url = replace_query_param(
                self.request.build_absolute_uri(), self.after_query_param, self.page[-1].id
            )
        return Response({"next": next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page (`after=<last id>`); null on a page not full.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.after_query_param,
                "required": False,
                "in": "query",
                "description": "Events with an id above this one (default 0: from the start).",
                "schema": {"type": "integer", "minimum": 0},
            },
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"Events a page (default 10, at most {MAX_LIMIT}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
