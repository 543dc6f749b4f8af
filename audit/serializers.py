"""How an audit event reads over the API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent


class AuditActorSerializer(serializers.Serializer):
    """The user who made the change, as recorded then."""

    id = serializers.IntegerField(
        allow_null=True, help_text="The user's id; null once that user has been deleted."
    )
    username = serializers.CharField(help_text="The username when the change was made.")


class AuditChangeSerializer(serializers.Serializer):
    """One field's change. Values are JSON: dates as ISO 8601 strings, the channel by its id."""

    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True, help_text="The value before; null on a create.")
    new = serializers.JSONField(allow_null=True, help_text="The value after; null on a delete.")


class AuditEventSerializer(serializers.ModelSerializer):
    """One recorded change of one object: who, through what, when, and each field's old and new.

    - `object_type` is `<app_label>.<model>`, e.g. `customers.customer`.
    - `actor` is null for changes made without a user (an import, a script);
      else `{"id", "username"}` as recorded, so it stays readable after the
      user is renamed (`username`) or deleted (`id` null).
    - `changes` is a list of `{"field", "old", "new"}`, sorted by field. A create
      lists every field with `old` null, a delete every field with `new` null.
    """

    object_type = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "actor",
            "source",
            "timestamp",
            "request_id",
            "remote_addr",
            "changes",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.CharField(help_text="`<app_label>.<model>`, e.g. `customers.customer`.")
    )
    def get_object_type(self, event: AuditEvent) -> str:
        return f"{event.content_type.app_label}.{event.content_type.model}"

    @extend_schema_field(AuditActorSerializer(allow_null=True))
    def get_actor(self, event: AuditEvent) -> dict | None:
        if event.actor_id is None and not event.actor_repr:
            return None
        return {"id": event.actor_id, "username": event.actor_repr}

    @extend_schema_field(AuditChangeSerializer(many=True))
    def get_changes(self, event: AuditEvent) -> list[dict]:
        return [
            {"field": field, "old": old, "new": new}
            for field, (old, new) in sorted(event.changes.items())
        ]
