"""AddressSerializer: validates and presents an address; AddressService writes it."""

from addresses.models import Address
from omnitron.serializers import JSONObjectModelSerializer

ADDRESS_FIELDS = [
    "pk",
    "customer",
    "email",
    "phone_number",
    "first_name",
    "last_name",
    "country",
    "city",
    "township",
    "district",
    "line",
    "postcode",
    "title",
    "notes",
    "company_name",
    "tax_office",
    "tax_no",
    "e_bill_taxpayer",
    "identity_number",
    "remote_id",
    "address_type",
    "retail_store",
    "extra_field",
    "hash_data",
    "is_active",
    "created_date",
    "modified_date",
]


class AddressSerializer(JSONObjectModelSerializer):
    """Locations and the customer by pk: one that does not exist is a 400 naming the field.

    The location chain, an inactive location and a duplicate are the
    service's to refuse (AddressService), with the same 400s.
    """

    class Meta:
        model = Address
        fields = ADDRESS_FIELDS
        read_only_fields = ["pk", "hash_data", "created_date", "modified_date"]
        # The unique constraint decides duplicates at write time (no racy pre-check).
        validators: list = []
