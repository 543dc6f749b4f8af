from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Action(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    # The person is removed from the object and from every copy kept of it (privacy).
    ANONYMIZE = "anonymize", "Anonymize"


class Source(models.TextChoices):
    API = "api", "API"
    ADMIN = "admin", "Admin"
    IMPORT = "import", "Import"
    COMMAND = "command", "Management command"
    SHELL = "shell", "Shell"


class AuditEvent(models.Model):
    """One change of one object: who, through what, when, and each field's old and new value.

    `changes` is {field: [old, new]}; a create has old None, a delete new None.
    """

    # The foreign keys are indexed by the composite indexes they lead (Meta.indexes).
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=255, blank=True, default="")
    action = models.CharField(max_length=16, choices=Action.choices)
    changes = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
    )
    actor_repr = models.CharField(max_length=150, blank=True, default="")
    source = models.CharField(max_length=8, choices=Source.choices)
    request_id = models.CharField(max_length=64, blank=True, default="")
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    timestamp = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        # The audit API lists newest first within an object, a source or an actor.
        # On PostgreSQL a GIN index on `changes` (migration 0002) serves `field=`.
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-timestamp"], name="audit_object_time_idx"
            ),
            models.Index(fields=["source", "-timestamp"], name="audit_source_time_idx"),
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type.model} {self.object_id} by {self.actor_repr}"
