"""The only writer of API tokens: issue one, revoke one."""

import datetime
import secrets

from django.conf import settings
from django.utils import timezone

from apitokens.models import Token, digest_of


def new_key() -> str:
    # The shape DRF's authtoken keys had (40 hex digits), so clients see no change.
    return secrets.token_hex(20)


def issue_token(user) -> str:
    """Make a new token for `user` and return its key: the only time the key exists.

    It expires after OMNITRON_TOKEN_TTL_SECONDS when that is set, else never.
    """
    key = new_key()
    now = timezone.now()
    ttl = settings.OMNITRON_TOKEN_TTL_SECONDS
    Token.objects.create(
        digest=digest_of(key),
        user=user,
        created=now,
        expires=now + datetime.timedelta(seconds=ttl) if ttl else None,
    )
    return key


def revoke_token(token: Token) -> None:
    """Make `token` unusable from now on (kept, marked revoked, for the admin's list)."""
    Token.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=timezone.now())
