import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


def digest_of(key: str) -> str:
    """The stored form of a token key: its SHA-256, in hex.

    A key is 160 random bits, so a fast hash is enough: there is nothing to
    guess from, and a slow one would cost every API request its time.
    """
    return hashlib.sha256(key.encode()).hexdigest()


class Token(models.Model):
    """An API token: its key's digest (never the key), whose it is, and until when it holds."""

    digest = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked = models.DateTimeField(null=True, blank=True, help_text="Set by logout.")

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.digest[:12]}… ({self.user_id})"

    def is_usable(self, now) -> bool:
        return self.revoked is None and (self.expires is None or self.expires > now)
