"""Claiming an Idempotency-Key for a request, keeping its answer, and forgetting old ones.

The store is the database, so every process sees the same keys: a claim is a
row inserted in its own transaction (committed before the request's work
starts, as the caller runs outside any transaction), so a retry arriving
meanwhile, in any process, finds it in flight.
"""

import dataclasses
import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from idempotency.exceptions import IdempotencyKeyInFlight, IdempotencyKeyReused
from idempotency.models import IdempotencyKey
from omnitron.db import is_unique_violation

# How long an answer is kept, and how long a claim holds before a retry may take it
# over: longer than any request runs (the server's worker timeout is 30 s).
RETENTION = timedelta(hours=24)
LEASE = timedelta(seconds=60)
UNIQUE_USER_KEY = "idempotency_key_unique_user_key"


@dataclasses.dataclass(frozen=True)
class StoredAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    def as_response(self) -> HttpResponse:
        response = HttpResponse(self.body, status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        response["Idempotent-Replayed"] = "true"
        return response


def request_fingerprint(method: str, path: str, content_type: str, body: bytes) -> str:
    """What a retry must repeat: the method, the path with its query, and the body as sent."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), content_type.encode()):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


def claim_key(user, key: str, fingerprint: str) -> IdempotencyKey | StoredAnswer:
    """Claim `key` of `user` for a request with `fingerprint`, or answer its retry.

    Returns the claim (then the caller runs the request and calls
    `keep_answer` or `release`), or the answer kept for the same request.
    Raises IdempotencyKeyReused if the key was used with another request, and
    IdempotencyKeyInFlight while the first request holds it.
    """
    now = timezone.now()
    claim = IdempotencyKey(
        user=user, key=key, fingerprint=fingerprint, created_at=now, locked_until=now + LEASE
    )
    try:
        _insert(claim)
        return claim
    except IntegrityError as error:
        if not is_unique_violation(error, IdempotencyKey, UNIQUE_USER_KEY):
            raise
    existing = IdempotencyKey.objects.filter(user=user, key=key).first()
    if existing is None:
        raise IdempotencyKeyInFlight()  # released or purged an instant ago: retry
    if existing.created_at > now - RETENTION:
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if existing.response_status is not None:
            return StoredAnswer(
                existing.response_status, existing.response_headers, bytes(existing.response_body)
            )
        if existing.locked_until > now:
            raise IdempotencyKeyInFlight()
    # An answer older than the retention, or a claim whose process died: taken
    # over, unless another retry took it first (then that one is in flight).
    taken = IdempotencyKey.objects.filter(
        pk=existing.pk, created_at=existing.created_at, locked_until=existing.locked_until
    ).update(
        fingerprint=fingerprint,
        created_at=now,
        locked_until=now + LEASE,
        response_status=None,
        response_headers={},
        response_body=b"",
    )
    if not taken:
        raise IdempotencyKeyInFlight()
    claim.pk = existing.pk
    return claim


def _insert(claim: IdempotencyKey) -> None:
    """Insert the claim: in autocommit (a request) one committed statement; within a
    transaction (a script, a test) in a savepoint, so that a conflict leaves it usable."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            claim.save(force_insert=True)
    else:
        claim.save(force_insert=True)


def keep_answer(claim: IdempotencyKey, status: int, headers: dict[str, str], body: bytes) -> None:
    """Store the request's answer: its retries are answered with it from now on."""
    IdempotencyKey.objects.filter(pk=claim.pk).update(
        response_status=status, response_headers=headers, response_body=body, locked_until=None
    )


def release(claim: IdempotencyKey) -> None:
    """Forget the claim of a request that failed (5xx): a retry runs it again."""
    IdempotencyKey.objects.filter(pk=claim.pk, response_status=None).delete()


def purge_expired_keys() -> int:
    """Delete the keys older than the retention; return how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lte=timezone.now() - RETENTION).delete()
    return deleted
