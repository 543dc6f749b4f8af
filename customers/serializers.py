from rest_framework import serializers

from channels.serializers import ChannelSerializer
from customers.models import Customer
from omnitron.serializers import JSONObjectModelSerializer

CUSTOMER_FIELDS = [
    "pk",
    "channel",
    "email",
    "first_name",
    "last_name",
    "phone_number",
    "is_active",
    "channel_code",
    "erp_code",
    "extra_field",
    "modified_date",
    "created_date",
    "date_joined",
    "email_allowed",
    "sms_allowed",
    "call_allowed",
    "gender",
    "attributes",
    "user_type",
    "date_of_birth",
    "attributes_kwargs",
    "localized_attributes",
    "localized_attributes_kwargs",
]


class CustomerSerializer(JSONObjectModelSerializer):
    """Validates and presents a customer; CustomerService does the writing."""

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        read_only_fields = ["pk", "modified_date", "created_date"]
        # The unique constraint decides duplicates at write time (no racy pre-check).
        validators: list = []


class ChannelCustomerSerializer(CustomerSerializer):
    """Writes on the channel route: `channel` may be left out, it is the channel of the URL."""

    class Meta(CustomerSerializer.Meta):
        extra_kwargs = {"channel": {"required": False}}


class OrdersInfoSerializer(serializers.Serializer):
    """Order totals, read from the annotations of `customers_with_order_totals()`."""

    total_order_amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    total_refund_amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    total_discount_amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    total_order_count = serializers.IntegerField()


class CustomerDetailedSerializer(CustomerSerializer):
    channel = ChannelSerializer(read_only=True)
    orders_info = OrdersInfoSerializer(source="*", read_only=True)

    class Meta(CustomerSerializer.Meta):
        fields = [*CUSTOMER_FIELDS, "orders_info"]
