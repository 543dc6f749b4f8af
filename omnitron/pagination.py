from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

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
