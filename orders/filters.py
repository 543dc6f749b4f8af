"""OrderFilterSet: the documented lookups of the order lists, and nothing else.

`?number=X` is how an integration asks whether the channel has an order
before posting it.
"""

from django.db import models
from django_filters import rest_framework as filters

from omnitron.filters import BoundedTextFilterSet, IntegerFilter, UtcIsoDateTimeFilter
from orders.models import Order

COMPARISONS = ["exact", "gt", "gte", "lt", "lte"]


class OrderFilterSet(BoundedTextFilterSet):
    customer = IntegerFilter(field_name="customer_id")
    channel = IntegerFilter(field_name="channel_id")
    number = filters.CharFilter()
    number__exact = filters.CharFilter(field_name="number", lookup_expr="exact")
    status = filters.CharFilter()
    remote_id = filters.CharFilter()

    class Meta:
        model = Order
        fields = {
            "ordered_at": COMPARISONS,
            "created_date": COMPARISONS,
            "modified_date": COMPARISONS,
        }
        filter_overrides = {models.DateTimeField: {"filter_class": UtcIsoDateTimeFilter}}
