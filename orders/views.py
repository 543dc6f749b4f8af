from django.db.models import Prefetch
from django_filters import rest_framework as filters
from rest_framework import viewsets

from omnitron.filters import BoundedTextFilterSet, IntegerFilter
from orders.models import Order, OrderItem
from orders.serializers import OrderSerializer


class OrderFilterSet(BoundedTextFilterSet):
    customer = IntegerFilter(field_name="customer_id")
    channel = IntegerFilter(field_name="channel_id")
    number = filters.CharFilter()

    class Meta:
        model = Order
        fields: list[str] = []


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Orders the marketplaces sent: list (by customer, channel, number) and retrieve.

    Orders are written by the marketplace import, not over this API.
    """

    queryset = Order.objects.prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
