from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from addresses.serializers import AddressSerializer
from audit.serializers import AuditActorSerializer, AuditEventSerializer
from customers.serializers import CustomerSerializer
from orders.serializers import OrderSerializer
from privacy.models import ConsentChange


class ConsentChangeSerializer(serializers.ModelSerializer):
    """One value a contact permission took. `previous` is null for the first value.

    `channel` is the customer's sales channel; `actor` the user who made the
    change as recorded then (null for an import or a script).
    """

    channel = serializers.IntegerField(source="channel_id")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ConsentChange
        fields = [
            "id",
            "customer",
            "field",
            "value",
            "previous",
            "changed_at",
            "source",
            "actor",
            "channel",
            "request_id",
        ]
        read_only_fields = fields

    @extend_schema_field(AuditActorSerializer(allow_null=True))
    def get_actor(self, change: ConsentChange) -> dict | None:
        if change.actor_id is None and not change.actor_repr:
            return None
        return {"id": change.actor_id, "username": change.actor_repr}


class ExportedOrderSerializer(OrderSerializer):
    """An order with its items and the payload the marketplace sent."""

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "raw_payload"]
        read_only_fields = fields


class CustomerExportSerializer(serializers.Serializer):
    """Everything held about one customer (privacy/export.py reads it)."""

    customer = CustomerSerializer()
    addresses = AddressSerializer(many=True)
    orders = ExportedOrderSerializer(many=True)
    consents = ConsentChangeSerializer(many=True)
    audit_events = AuditEventSerializer(
        many=True, help_text="The audit records of the customer, its addresses and its orders."
    )
