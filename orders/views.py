from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from audit.context import audit_context_for_request
from channels.models import Channel
from idempotency.views import IdempotencyKeyMixin
from omnitron.parsers import JSONParser
from orders.exceptions import OrderRejected
from orders.filters import OrderFilterSet
from orders.models import Order
from orders.order_lines import RejectedLine, parse_order
from orders.selectors import orders_in_channel, orders_with_items
from orders.serializers import OrderSerializer
from orders.services import OrderImportService


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Orders the marketplaces sent: list (by customer, channel, number) and retrieve.

    Orders are written by the marketplace import and a channel's create_orders.
    """

    queryset = orders_with_items()
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet


class ChannelMixin:
    def get_channel(self) -> Channel:
        if not hasattr(self, "_channel"):
            # Any run of digits matches the URL; one too long for an integer is no channel.
            try:
                channel_id = int(self.kwargs["channel_id"])
            except ValueError:
                raise Http404 from None
            self._channel = get_object_or_404(Channel, pk=channel_id)
        return self._channel


class ChannelOrderViewSet(ChannelMixin, OrderViewSet):
    """The orders of one channel, as its integration reads them (another's is a 404)."""

    def get_queryset(self):
        return orders_in_channel(self.get_channel().pk)


CREATE_ORDER_RESPONSES = {
    201: OrderSerializer,
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="The fields refused, by their path in the body: `order.number` "
        "(the channel has the number already), `order.customer.email`, "
        "`order.shipping_address.city`, `order_item[0].price`...",
    ),
}


class CreateOrdersViewSet(
    IdempotencyKeyMixin, ChannelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """POST one order, in the shape of a line of the marketplace import, into the channel.

    `order.customer` may be the pk of a customer of the channel, and each
    address the pk of one of that customer's addresses, instead of objects.
    The import's service writes it (OrderImportService.create_order).
    """

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    parser_classes = [JSONParser]
    filterset_class = None

    @extend_schema(request=OpenApiTypes.OBJECT, responses=CREATE_ORDER_RESPONSES)
    def create(self, request, *args, **kwargs):
        channel = self.get_channel()
        identifier_field = channel.customer_identifier_field
        try:
            line = parse_order(request.data, identifier_field, references=True)
        except RejectedLine as rejected:
            raise OrderRejected(rejected.errors) from None
        order = OrderImportService.create_order(channel, line, audit_context_for_request(request))
        return Response(self.get_serializer(order).data, status=status.HTTP_201_CREATED)
