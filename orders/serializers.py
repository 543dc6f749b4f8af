from rest_framework import serializers

from orders.models import Order, OrderItem


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
            "number",
            "customer",
            "amount",
            "discount_amount",
            "refund_amount",
            "shipping_amount",
            "currency",
            "status",
            "remote_id",
            "ordered_at",
            "created_date",
            "modified_date",
            "items",
        ]
        read_only_fields = fields
