"""The consent history's pages: newest first, by keyset (an opaque `cursor`), `limit` rows."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

from omnitron.pagination import MAX_LIMIT


class NewestFirstCursorPagination(CursorPagination):
    """DRF's keyset pages on (-changed_at, -id), which the consent indexes are read in.

    Each page is a range of an index whatever its depth; `next` and
    `previous` carry the position. A `limit` that is not a positive integer
    is a 400 naming it.
    """

    ordering = ("-changed_at", "-id")
    page_size_query_param = "limit"
    max_page_size = MAX_LIMIT

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: ["A positive integer is required."]})
        return min(int(raw), self.max_page_size)
