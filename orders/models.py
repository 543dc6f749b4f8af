from django.db import models

from channels.models import Channel
from customers.models import Customer

AMOUNT = {"max_digits": 14, "decimal_places": 2}


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
    raw_payload = models.JSONField(default=dict, blank=True)
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
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product_sku = models.CharField(max_length=128)
    product_name = models.CharField(max_length=255, blank=True, default="")
    quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(**AMOUNT)
    discount_amount = models.DecimalField(**AMOUNT, default=0)

    def __str__(self) -> str:
        return f"{self.product_sku} x{self.quantity}"
