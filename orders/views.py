from django.db.models import Prefetch
from rest_framework import viewsets

from orders.filters import OrderFilterSet
from orders.models import Order, OrderItem
from orders.serializers import OrderSerializer


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Orders the marketplaces sent: list (by customer, channel, number) and retrieve.

    Orders are written by the marketplace import, not over this API.
    """

    queryset = Order.objects.prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
