from datetime import UTC, datetime

from rest_framework import serializers

from customers.models import Customer
from omnitron.representation import PresentingModelSerializer


class OmsCustomerSerializer(PresentingModelSerializer):
    """A customer as the OMS list-simple shows it; `omnitron_id` is the customer's pk.

    Presents only: the view takes no input, so its fields are declared for
    OPTIONS, as the OMS documents them: `omnitron_id` with the range of the
    OMS's 32-bit integer field, `channel` not required.
    """

    omnitron_id = serializers.IntegerField(
        source="pk", label="Omnitron id", min_value=-(2**31), max_value=2**31 - 1
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "created_date",
            "modified_date",
            "omnitron_id",
            "email",
            "first_name",
            "last_name",
            "phone_number",
            "erp_code",
            "channel",
        ]
        extra_kwargs = {"channel": {"required": False}}


HEADER = OmsCustomerSerializer.Meta.fields
# The columns export_row() reads, with `values_list`.
EXPORT_COLUMNS = [
    "id",
    "created_date",
    "modified_date",
    "email",
    "first_name",
    "last_name",
    "phone_number",
    "erp_code",
    "channel_id",
]


def export_row(
    pk, created_date, modified_date, email, first_name, last_name, phone_number, erp_code, channel
) -> tuple:
    """What OmsCustomerSerializer answers, as a row of HEADER, from the EXPORT_COLUMNS values.

    An export of a million rows cannot afford the serializer (model instances,
    per-field lookups: about ten times slower); the tests hold both equal.
    """
    return (
        pk,
        iso_datetime(created_date),
        iso_datetime(modified_date),
        pk,
        email,
        first_name,
        last_name,
        phone_number,
        erp_code,
        channel,
    )


def iso_datetime(value: datetime) -> str:
    """As DRF writes a date-time: ISO 8601 in UTC, `Z` for the offset."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
