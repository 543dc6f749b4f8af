"""GET and OPTIONS /api/v1/oms/customers/list-simple/: customers for business intelligence."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView

from customers.models import Customer
from customers.oms.filters import OmsCustomerFilterSet
from customers.oms.serializers import EXPORT_COLUMNS, HEADER, OmsCustomerSerializer, export_row
from omnitron.db import stream_in_transaction
from omnitron.json_renderer import FastJSONRenderer
from omnitron.metadata import FilteredListMetadata
from omnitron.table_renderers import CSVRenderer, ExcelRenderer, TableRenderer

EXPORT_FILENAME = "customers"

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "xls"],
    description=(
        "The answer's format, instead of the `Accept` header: `json` (default), `csv` "
        "(text/csv) or `xls` (an Excel workbook, application/xls). CSV and Excel hold every "
        "customer the filters match, streamed; with `page` or `limit`, only that page."
    ),
)


@extend_schema(
    parameters=[
        FORMAT_PARAMETER,
        OpenApiParameter("channel_id", OpenApiTypes.INT, description="Channel Id"),
    ],
    responses={
        (200, "application/json"): OmsCustomerSerializer,
        (200, "text/csv"): OpenApiTypes.STR,
        (200, "application/xls"): OpenApiTypes.BINARY,
    },
)
class OmsCustomerListView(ListAPIView):
    """Customers for business intelligence, in JSON, CSV or Excel.

    Sorted by id unless `sort` says otherwise. A full read walks by keyset,
    `sort=id&id__gt=<last id of the previous page>`, at the same cost on every
    page: always page 1 (no OFFSET), and a count that reads at most 10,001 rows
    (omnitron/counting.py). Errors and OPTIONS are JSON whatever the format asked.
    """

    name = "list-simple"
    queryset = Customer.objects.only(*EXPORT_COLUMNS).order_by("id")
    serializer_class = OmsCustomerSerializer
    filterset_class = OmsCustomerFilterSet
    renderer_classes = [FastJSONRenderer, CSVRenderer, ExcelRenderer]
    metadata_class = FilteredListMetadata
    # Rows a streamed export holds in memory at once (a server-side cursor on PostgreSQL).
    export_chunk_size = 2000

    def list(self, request, *args, **kwargs):
        customers = self.filter_queryset(self.get_queryset())
        if isinstance(request.accepted_renderer, TableRenderer):
            return self.export(customers, request.accepted_renderer)
        page = self.paginate_queryset(customers)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def export(self, customers, renderer: TableRenderer) -> StreamingHttpResponse:
        """The whole filtered result as a file, streamed; with `page` or `limit`, that page."""
        values = customers.values_list(*EXPORT_COLUMNS)
        paging = {self.paginator.page_query_param, self.paginator.page_size_query_param}
        if paging & set(self.request.query_params):
            rows = self.paginate_queryset(values)
        else:
            rows = stream_in_transaction(values, self.export_chunk_size)
        content_type = renderer.media_type
        if renderer.charset:
            content_type += f"; charset={renderer.charset}"
        response = StreamingHttpResponse(
            renderer.stream(HEADER, (export_row(*row) for row in rows)), content_type=content_type
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{EXPORT_FILENAME}.{renderer.extension}"'
        )
        return response

    def options(self, request, *args, **kwargs):
        response = super().options(request, *args, **kwargs)
        self.answer_in_json()
        return response

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.answer_in_json()
        return response

    def answer_in_json(self):
        self.request.accepted_renderer = FastJSONRenderer()
        self.request.accepted_media_type = FastJSONRenderer.media_type
