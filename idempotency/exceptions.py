"""The answers to a reused Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header)."""

from rest_framework import status
from rest_framework.exceptions import APIException

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


class IdempotencyKeyInFlight(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being processed; retry it later."
    default_code = "idempotency_key_in_flight"
