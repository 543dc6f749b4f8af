"""Reads of orders that need more than a filter."""

from django.db.models import Prefetch, QuerySet

from orders.models import Order, OrderItem


def orders_with_items() -> QuerySet[Order]:
    """Orders with their items (in the order sent) and their addresses, in a query each."""
    return Order.objects.select_related("shipping_address", "billing_address").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )


def orders_in_channel(channel_id: int) -> QuerySet[Order]:
    return orders_with_items().filter(channel_id=channel_id)
