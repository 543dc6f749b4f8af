from django_filters import rest_framework as filters

from omnitron.filters import BoundedTextFilterSet, IntegerFilter
from orders.models import Order


class OrderFilterSet(BoundedTextFilterSet):
    customer = IntegerFilter(field_name="customer_id")
    channel = IntegerFilter(field_name="channel_id")
    number = filters.CharFilter()

    class Meta:
        model = Order
        fields: list[str] = []
