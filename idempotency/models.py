from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """A request sent with an Idempotency-Key, and then its first complete answer.

    Inserted, in its own committed transaction, before the request's work
    runs: until `response_status` is set the request is in flight, and a retry
    is refused (409) until `locked_until` passes (a process that died while
    holding it). Kept 24 hours from `created_at`; `purge_idempotency_keys`
    deletes older ones.
    """

    # Indexed by the unique constraint, which starts with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    # A digest of the method, path, content type and body: a retry must match it.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_user_key")
        ]

    def __str__(self) -> str:
        return self.key
