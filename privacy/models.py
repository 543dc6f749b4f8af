from django.conf import settings
from django.db import models

from audit.models import Source
from customers.models import Customer


class ConsentField(models.TextChoices):
    EMAIL_ALLOWED = "email_allowed", "Email allowed"
    SMS_ALLOWED = "sms_allowed", "SMS allowed"
    CALL_ALLOWED = "call_allowed", "Call allowed"


class ConsentChange(models.Model):
    """One value a customer's contact permission took: what, from what, when, through what.

    Written from the customer's audit records (privacy/consents.py), in the
    writer's transaction, by every path (API, admin, import). `previous` is
    null for the value a customer was created with. Holds nothing that names
    the person, so an anonymization keeps it.
    """

    # Indexed by customer_consent_time_idx, which starts with it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="consent_changes", db_index=False
    )
    field = models.CharField(max_length=16, choices=ConsentField.choices)
    value = models.BooleanField()
    previous = models.BooleanField(null=True, blank=True)
    changed_at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="+",
    )
    actor_repr = models.CharField(max_length=150, blank=True, default="")
    # The customer's channel (a customer never changes channel): filtered without a join.
    channel_id = models.BigIntegerField()
    request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-changed_at", "-id"]
        # Newest first within a customer, or within one value of one flag (every SMS
        # opt-out of a week is a range of the second index, read in its order).
        indexes = [
            models.Index(
                fields=["customer", "-changed_at", "-id"], name="consent_customer_time_idx"
            ),
            models.Index(
                fields=["field", "value", "-changed_at", "-id"], name="consent_field_value_time_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field}={self.value} customer {self.customer_id} at {self.changed_at}"


class FormerAddress(models.Model):
    """An address of the customer deleted since: its audit records still hold its values.

    Written from the address's delete record (privacy/consents.py's listener),
    so that an anonymization or an export finds those records by index, not
    by reading every address record's changes.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    address_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"address {self.address_id} of customer {self.customer_id}"
