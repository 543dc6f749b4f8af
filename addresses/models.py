"""Customers' addresses.

An address is identified, within its customer, by `hash_data`: a digest of its
content (addresses/digest.py). The unique constraint on (customer, hash_data)
makes an address the customer already has a refusal (the API's duplicate
answer) and lets the order import reuse addresses by digest. Written only
through AddressService.
"""

from django.db import models

from customers.models import Customer
from locations.models import City, Country, District, Township
from omnitron.fields import JSONObjectField

# A SHA-256 digest in hexadecimal.
HASH_LENGTH = 64
UNIQUE_CUSTOMER_HASH = "address_unique_customer_hash"


class AddressType(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    RETAIL_STORE = "retail_store", "Retail store"


class Address(models.Model):
    """A customer's address: who receives, where, and the invoice details.

    Fields are declared in the order the API presents them. The locations are
    a chain (the city in the country, the township in the city, the district
    in the township) that AddressService keeps. `retail_store` is the id of a
    store in the commerce platform (click and collect); this service keeps no
    store model, so it is a plain integer, not a foreign key.
    """

    # Deleting a customer deletes its addresses. Indexed by the unique constraint,
    # which starts with it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="addresses", db_index=False
    )
    email = models.EmailField(max_length=254, null=True, blank=True)
    phone_number = models.CharField(max_length=128)
    first_name = models.CharField(max_length=255)
    last_name = models.CharField(max_length=255)
    # The location foreign keys keep their indexes: they serve the `country` and
    # `city` filters and the check that a location being deleted has no address.
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="addresses")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="addresses")
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="addresses", null=True, blank=True
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="addresses", null=True, blank=True
    )
    line = models.CharField(max_length=255)
    postcode = models.CharField(max_length=64, null=True, blank=True)
    title = models.CharField(max_length=128, null=True, blank=True)
    notes = models.CharField(max_length=512, null=True, blank=True)
    company_name = models.CharField(max_length=255, null=True, blank=True)
    tax_office = models.CharField(max_length=64, null=True, blank=True)
    tax_no = models.CharField(max_length=20, null=True, blank=True)
    e_bill_taxpayer = models.BooleanField(default=False)
    identity_number = models.CharField(max_length=64, null=True, blank=True)
    remote_id = models.CharField(max_length=128, null=True, blank=True)
    address_type = models.CharField(
        max_length=16, choices=AddressType.choices, default=AddressType.CUSTOMER
    )
    retail_store = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The id of the retail store, for a store's address."
    )
    extra_field = JSONObjectField(default=dict, blank=True)
    hash_data = models.CharField(max_length=HASH_LENGTH, editable=False)
    # Not indexed: a flag most rows share, which no plan would read through an index.
    is_active = models.BooleanField(default=True)
    created_date = models.DateTimeField(auto_now_add=True, db_index=True)
    # Indexed with id: see address_modified_date_id_idx below.
    modified_date = models.DateTimeField(auto_now=True)
    # +1 with every change the service writes: the ETag is derived from it.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(fields=["customer", "hash_data"], name=UNIQUE_CUSTOMER_HASH),
        ]
        indexes = [
            # `?hash_data=` without a customer: a digest names one address of one customer.
            models.Index(fields=["hash_data"], name="address_hash_data_idx"),
            models.Index(fields=["email"], name="address_email_idx"),
            models.Index(fields=["phone_number"], name="address_phone_number_idx"),
            models.Index(fields=["postcode"], name="address_postcode_idx"),
            models.Index(fields=["remote_id"], name="address_remote_id_idx"),
            # Store addresses are few among the customers' ones: an index of those
            # rows alone serves `address_type=retail_store`; `customer` matches
            # most of the table, which no index would serve.
            models.Index(
                fields=["address_type"],
                condition=models.Q(address_type=AddressType.RETAIL_STORE),
                name="address_retail_store_type_idx",
            ),
            models.Index(fields=["modified_date", "id"], name="address_modified_date_id_idx"),
        ]

    def __str__(self) -> str:
        return address_label(self.first_name, self.last_name, self.line)


def address_label(first_name: str, last_name: str, line: str) -> str:
    """An address as its audit records name it (the bulk paths have no instance to ask)."""
    return f"{first_name} {last_name}, {line}"
