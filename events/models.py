from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from audit.models import AuditEvent


class Event(models.Model):
    """One committed change of a customer, address or order, in the order of commits.

    Written in the writer's transaction (the outbox, events/outbox.py). `sequence`
    counts the events of one resource from 1. What changed, who changed it and
    through what are read from the change's audit record, written beside it:
    not copied, so the import writes a narrow row per event, and a record that
    is scrubbed (a customer's anonymization) is scrubbed in the feed too.
    """

    type = models.CharField(max_length=40)
    resource = models.CharField(max_length=32)
    resource_id = models.BigIntegerField()
    sequence = models.PositiveIntegerField()
    # The sales channel's id as it was: kept when the channel is deleted.
    channel_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    # No constraint and no index: the import checks nothing per row, and the
    # record is only ever read from its event. Null once the record is deleted.
    audit_event = models.ForeignKey(
        AuditEvent,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        # Its index serves a resource's events and the next sequence number; a bug
        # cannot give one number twice.
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "resource_id", "sequence"], name="event_resource_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.type} {self.resource_id} #{self.sequence}"


class WebhookSubscription(models.Model):
    """Where to send which events, and how far they have been sent (`last_event_id`)."""

    url = models.URLField(max_length=2000)
    # Patterns: `customer.updated`, `customer.*`, `*`.
    event_types = models.JSONField(default=list)
    # Channel ids; empty: every channel.
    channels = models.JSONField(default=list, blank=True)
    batch_size = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=255, blank=True, default="")
    # Standard Webhooks' `whsec_<base64>`; shown once, when the subscription is made.
    secret = models.CharField(max_length=100, editable=False)
    # Every event up to this id has been put into a delivery (or did not match).
    last_event_id = models.BigIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_date = models.DateTimeField(auto_now_add=True)
    modified_date = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.event_types)})"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


OPEN_STATES = (DeliveryState.PENDING, DeliveryState.RETRYING)


class WebhookDelivery(models.Model):
    """One batch of events sent to a subscription, with its attempts.

    Its events are fixed when the delivery is made (`event_ids`), and its
    `webhook-id` is the delivery's, so every retry (and a resend after a worker
    died) is the same message to a receiver that deduplicates. The body is
    written from those events at each attempt, not stored: no copy of the
    events' changes to keep or to scrub when a customer is anonymized.
    """

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    event_count = models.PositiveSmallIntegerField()
    # The ids of its events, in order: the subscription's filter may change later.
    event_ids = models.JSONField(default=list)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_date = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["subscription", "state", "id"], name="delivery_state_idx")]

    def __str__(self) -> str:
        return f"{self.webhook_id} ({self.state})"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.pk}"
