"""How events, webhook subscriptions and deliveries read over the API (and in deliveries)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import Source
from events.models import Event, WebhookDelivery, WebhookSubscription
from events.subscriptions import validate_event_type_pattern, validate_target_url


class EventActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    """One committed change, as the feed shows it and webhooks deliver it.

    `changes` is `{field: [old, new]}`: a create has every field with old null,
    a delete every field with new null. `channel` is the sales channel's id.
    `source`, `actor`, `request_id` and `changes` come from the change's audit
    record (read with the event: `Event.objects.select_related("audit_event")`).
    """

    channel = serializers.IntegerField(source="channel_id", allow_null=True)
    source = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    request_id = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "type",
            "resource",
            "resource_id",
            "sequence",
            "channel",
            "occurred_at",
            "source",
            "actor",
            "request_id",
            "changes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Source.choices))
    def get_source(self, event: Event) -> str:
        return event.audit_event.source if event.audit_event else ""

    @extend_schema_field(EventActorSerializer(allow_null=True))
    def get_actor(self, event: Event) -> dict | None:
        record = event.audit_event
        if record is None or (record.actor_id is None and not record.actor_repr):
            return None
        return {"id": record.actor_id, "username": record.actor_repr}

    def get_request_id(self, event: Event) -> str:
        return event.audit_event.request_id if event.audit_event else ""

    @extend_schema_field(
        serializers.DictField(
            child=serializers.ListField(allow_null=True, min_length=2, max_length=2),
            help_text="`{field: [old, new]}`.",
        )
    )
    def get_changes(self, event: Event) -> dict:
        return event.audit_event.changes if event.audit_event else {}


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    """A webhook subscription. `secret` is answered once, by the create."""

    event_types = serializers.ListField(
        child=serializers.CharField(max_length=80, validators=[validate_event_type_pattern]),
        min_length=1,
        max_length=50,
        help_text="Event types or patterns: `customer.updated`, `customer.*`, `*`.",
    )
    channels = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
        help_text="Channel ids whose events to send; empty: every channel.",
    )
    batch_size = serializers.IntegerField(min_value=1, max_value=100, required=False)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "event_types",
            "channels",
            "batch_size",
            "is_active",
            "disabled_reason",
            "last_event_id",
            "created_date",
            "modified_date",
        ]
        read_only_fields = [
            "id",
            "disabled_reason",
            "last_event_id",
            "created_date",
            "modified_date",
        ]

    def validate_url(self, value: str) -> str:
        validate_target_url(value)
        return value


class CreatedWebhookSubscriptionSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="`whsec_...`: verify deliveries with it. Shown in this answer only.",
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(read_only=True, help_text="The `webhook-id` header.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "state",
            "attempts",
            "last_status",
            "last_error",
            "next_attempt_at",
            "first_event_id",
            "last_event_id",
            "event_count",
            "created_date",
            "delivered_at",
        ]
        read_only_fields = fields
