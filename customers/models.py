from django.db import models

from channels.models import Channel
from omnitron.fields import JSONObjectField


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"


class UserType(models.TextChoices):
    GUEST = "guest", "Guest"
    REGISTERED = "registered", "Registered"


def json_object_field() -> JSONObjectField:
    return JSONObjectField(default=dict, blank=True)


class Customer(models.Model):
    """A person who ordered through a sales channel.

    Identity is (channel, channel_code): the code the marketplace gives the
    customer. Email is not unique. Written only through CustomerService.
    """

    # Indexed through the composite indexes below, which start with it.
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="customers", db_index=False
    )
    # Indexed below: for equality and sorting, and for `email__startswith`.
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=255, blank=True, default="")
    last_name = models.CharField(max_length=255, blank=True, default="")
    phone_number = models.CharField(max_length=128, null=True, blank=True)
    is_active = models.BooleanField(default=False)
    channel_code = models.CharField(max_length=64)
    erp_code = models.CharField(
        max_length=64, null=True, blank=True, verbose_name="Partner customer code"
    )
    extra_field = json_object_field()
    # Indexed with id: see customer_modified_date_id_idx below.
    modified_date = models.DateTimeField(auto_now=True)
    created_date = models.DateTimeField(auto_now_add=True, db_index=True)
    date_joined = models.DateTimeField(null=True, blank=True, db_index=True)
    email_allowed = models.BooleanField(default=False)
    sms_allowed = models.BooleanField(default=False)
    call_allowed = models.BooleanField(default=False)
    gender = models.CharField(max_length=16, choices=Gender.choices, null=True, blank=True)
    attributes = json_object_field()
    user_type = models.CharField(max_length=16, choices=UserType.choices, null=True, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    attributes_kwargs = json_object_field()
    localized_attributes = json_object_field()
    localized_attributes_kwargs = json_object_field()
    # +1 with every change the service writes: the ETag is derived from it.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The date of the order whose data the customer carries (the order import):
    # an older order's data is not applied. Read with the row the import locks.
    order_data_date = models.DateTimeField(null=True, blank=True, editable=False)
    # Where that order was read: a key of its file's content (orders.importer.file_key)
    # and its line. Of two orders of one date in one file, the later line's data
    # stays, whichever of the two landed last (a file imported by workers, part by part).
    order_data_file = models.BigIntegerField(null=True, blank=True, editable=False)
    order_data_line = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        # Beside the model's four: what only some staff or integrations may do (privacy).
        permissions = [
            ("anonymize_customer", "Can anonymize customer"),
            ("export_customer", "Can export everything held about a customer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "channel_code"], name="customer_unique_channel_code"
            ),
        ]
        indexes = [
            models.Index(fields=["channel", "is_active"], name="customer_channel_active_idx"),
            models.Index(fields=["email"], name="customer_email_idx"),
            # `email__startswith` on PostgreSQL: the prefix is a range of this index
            # (varchar_pattern_ops compares bytes, as LIKE does), and the id beside
            # the email lets a page's keys be read from the index alone (KEYS_FIRST_FILTERS).
            # Other databases ignore the operator classes.
            models.Index(
                fields=["email", "id"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="customer_email_prefix_idx",
            ),
            models.Index(fields=["channel_code"], name="customer_channel_code_idx"),
            models.Index(fields=["first_name"], name="customer_first_name_idx"),
            models.Index(fields=["last_name"], name="customer_last_name_idx"),
            models.Index(fields=["phone_number"], name="customer_phone_number_idx"),
            models.Index(fields=["erp_code"], name="customer_erp_code_idx"),
            # Sorting by modified_date breaks ties by id: one index serves the
            # order and the `modified_date` filters (the OMS list-simple, the lists).
            models.Index(fields=["modified_date", "id"], name="customer_modified_date_id_idx"),
            # A channel's customers walked by id (`channel_id=1&sort=id&id__gt=...`):
            # the planner takes it where the channel is a small part of the table.
            models.Index(fields=["channel", "id"], name="customer_channel_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.channel_code})"


class IntegrationMapping(models.Model):
    """The code an external system (ERP, CRM, a marketplace) uses for a customer.

    Behind the `mapping` filter of the customer list.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="mappings")
    integration_type = models.CharField(max_length=64)
    code = models.CharField(max_length=128, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration_type", "code"], name="integration_mapping_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.integration_type}:{self.code}"
