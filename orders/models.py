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


class ImportJob(models.Model):
    """An order file imported by Celery workers, part by part (orders.parallel_import)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="import_jobs")
    # An absolute path the workers open: they run on this machine or share its disk.
    path = models.CharField(max_length=1024)
    # orders.importer.file_key of the file's content: its parts' customers carry it.
    file_key = models.BigIntegerField(null=True, blank=True)
    batch_size = models.PositiveIntegerField()
    # The audit records' request id: every part's records name the one job.
    request_id = models.CharField(max_length=64)
    created_date = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"import {self.pk} of {self.path}"


class ImportPart(models.Model):
    """The lines of one byte range of a job's file: one Celery task, redone if its worker dies."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    # Bytes [start, end) of the file: whole lines, the first of them line `first_line`.
    start = models.BigIntegerField()
    end = models.BigIntegerField()
    first_line = models.PositiveBigIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    # Runs begun: more than one when a worker died in the middle and the part was redone.
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=255, blank=True, default="")
    read_bytes = models.BigIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    orders_created = models.PositiveIntegerField(default=0)
    orders_present = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    customers = models.JSONField(default=dict)  # outcome -> count
    rejects_path = models.CharField(max_length=1024)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="import_part_unique_index")
        ]

    def __str__(self) -> str:
        return f"part {self.index} of import {self.job_id}"
