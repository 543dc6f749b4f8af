from rest_framework import serializers

from orders.models import ORDER_DATA_FIELDS, Order, OrderItem


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["id", "product_sku", "product_name", "quantity", "price", "discount_amount"]


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "channel",
            "customer",
            *ORDER_DATA_FIELDS,
            "created_date",
            "modified_date",
            "items",
        ]
        read_only_fields = fields
