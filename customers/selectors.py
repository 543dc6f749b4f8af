"""Read querysets for customers."""

from django.apps import apps
from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from customers.models import Customer

AMOUNT_OUTPUT = DecimalField(max_digits=20, decimal_places=2)


def customers_in_channel(channel_id: int) -> QuerySet[Customer]:
    return Customer.objects.filter(channel_id=channel_id)


def _order_total(orders: QuerySet, field: str) -> Subquery:
    return Subquery(
        orders.annotate(total=Sum(field)).values("total")[:1], output_field=AMOUNT_OUTPUT
    )


def customers_with_order_totals(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate each customer with the `orders_info` totals, computed in the same query.

    Correlated subqueries, one per total, so only the rows of the page pay for
    them (a JOIN + GROUP BY would aggregate the whole filtered table first).
    Amount totals are NULL for a customer without orders; the count is 0.
    """
    # Looked up by name: orders depend on customers, not the other way round.
    order_model = apps.get_model("orders", "Order")
    orders = order_model.objects.filter(customer=OuterRef("pk")).order_by().values("customer")
    return customers.select_related("channel").annotate(
        total_order_amount=_order_total(orders, "amount"),
        total_refund_amount=_order_total(orders, "refund_amount"),
        total_discount_amount=_order_total(orders, "discount_amount"),
        total_order_count=Coalesce(
            Subquery(
                orders.annotate(count=Count("pk")).values("count")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )
