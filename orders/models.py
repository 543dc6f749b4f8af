from django.db import models

from addresses.models import Address
from channels.models import Channel
from customers.models import Customer
from omnitron.fields import JSONObjectField

AMOUNT = {"max_digits": 14, "decimal_places": 2}
# What a marketplace sends about an order (besides its items and customer).
ORDER_DATA_FIELDS = (
    "number",
    "amount",
    "discount_amount",
    "refund_amount",
    "shipping_amount",
    "currency",
    "status",
    "remote_id",
    "ordered_at",
    "extra_field",
)


class Order(models.Model):
    """An order a marketplace sent, with the customer who placed it."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=128)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    amount = models.DecimalField(**AMOUNT)
    discount_amount = models.DecimalField(**AMOUNT, default=0)
    refund_amount = models.DecimalField(**AMOUNT, default=0)
    shipping_amount = models.DecimalField(**AMOUNT, default=0)
    currency = models.CharField(max_length=3, default="TRY")
    status = models.CharField(max_length=32, blank=True, default="")
    remote_id = models.CharField(max_length=128, blank=True, default="")
    ordered_at = models.DateTimeField(null=True, blank=True)
    # The customer's addresses the order was shipped to and billed to (reused by digest).
    shipping_address = models.ForeignKey(
        Address, on_delete=models.PROTECT, null=True, blank=True, related_name="shipped_orders"
    )
    billing_address = models.ForeignKey(
        Address, on_delete=models.PROTECT, null=True, blank=True, related_name="billed_orders"
    )
    extra_field = JSONObjectField(default=dict, blank=True)
    raw_payload = JSONObjectField(default=dict, blank=True)
    created_date = models.DateTimeField(auto_now_add=True)
    modified_date = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "number"], name="order_unique_channel_number"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderItem(models.Model):
    """One unit of a product in an order: a marketplace sends an entry a unit."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product_sku = models.CharField(max_length=128)
    product_name = models.CharField(max_length=255, blank=True, default="")
    quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(**AMOUNT)
    price_currency = models.CharField(max_length=3, default="TRY")
    # A percentage: 20 is 20%.
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    discount_amount = models.DecimalField(**AMOUNT, default=0)
    remote_id = models.CharField(max_length=128, blank=True, default="")
    extra_field = JSONObjectField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.product_sku} x{self.quantity}"
