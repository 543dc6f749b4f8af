from rest_framework import serializers

from addresses.serializers import AddressSerializer
from orders.models import ORDER_DATA_FIELDS, Order, OrderItem
from orders.order_lines import ADDRESS_KEYS


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = [
            "id",
            "product_sku",
            "product_name",
            "quantity",
            "price",
            "price_currency",
            "tax_rate",
            "discount_amount",
            "remote_id",
            "extra_field",
        ]


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)
    shipping_address = AddressSerializer(read_only=True, allow_null=True)
    billing_address = AddressSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "channel",
            "customer",
            *ORDER_DATA_FIELDS,
            *ADDRESS_KEYS,
            "created_date",
            "modified_date",
            "items",
        ]
        read_only_fields = fields
