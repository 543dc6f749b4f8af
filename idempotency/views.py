"""IdempotencyKeyMixin: safe retries of a view's POST and PATCH.

A view adopts it in one line, as the first of its bases:

    class AddressViewSet(IdempotencyKeyMixin, ...):
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from idempotency.exceptions import IDEMPOTENCY_KEY_HEADER
from idempotency.models import IdempotencyKey
from idempotency.services import (
    StoredAnswer,
    claim_key,
    keep_answer,
    release,
    request_fingerprint,
)

MAX_KEY_LENGTH = IdempotencyKey._meta.get_field("key").max_length
# What a replay repeats besides the status and the body.
KEPT_HEADERS = ("Content-Type", "ETag", "Location")
DETAIL = inline_serializer("IdempotencyError", {"detail": serializers.CharField()})


class _Replay(Exception):
    """Raised by `initial` to answer a retry with the kept answer instead of running."""

    def __init__(self, answer: StoredAnswer):
        super().__init__()
        self.answer = answer


class IdempotencyKeyMixin:
    """`Idempotency-Key` on POST and PATCH (IETF draft-ietf-httpapi-idempotency-key-header).

    The first complete answer to a request with a key is kept, per user and
    key, for 24 hours; a retry of the same request gets it again with
    `Idempotent-Replayed: true`, and nothing runs. The key with another
    request: 422; while the first still runs: 409. A 5xx is not kept.
    """

    idempotent_methods = frozenset({"POST", "PATCH"})
    _idempotency_claim: IdempotencyKey | None = None

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            # Still held only if the view raised past its error handling (a 500).
            self._release_claim()

    def initial(self, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
        if key is None or request.method not in self.idempotent_methods:
            super().initial(request, *args, **kwargs)
            return
        # Hashed as received, before anything parses it.
        fingerprint = request_fingerprint(
            request.method, request.get_full_path(), request.content_type, request.body
        )
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            raise ValidationError(
                {IDEMPOTENCY_KEY_HEADER: [f"Must have 1 to {MAX_KEY_LENGTH} characters."]}
            )
        outcome = claim_key(request.user, key, fingerprint)
        if isinstance(outcome, StoredAnswer):
            raise _Replay(outcome)
        self._idempotency_claim = outcome

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.answer.as_response()
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        claim = self._idempotency_claim
        if claim is None:
            return response
        if response.status_code >= 500 or response.streaming:
            self._release_claim()
            return response
        self._idempotency_claim = None
        response.render()
        headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        keep_answer(claim, response.status_code, headers, response.content)
        return response

    def _release_claim(self) -> None:
        claim, self._idempotency_claim = self._idempotency_claim, None
        if claim is not None:
            release(claim)

    # What omnitron.schema.AutoSchema adds to the OpenAPI operations of the view.

    def schema_headers(self, method: str) -> list[OpenApiParameter]:
        inherited = getattr(super(), "schema_headers", None)
        headers = inherited(method) if inherited else []
        if method in self.idempotent_methods:
            headers += [
                OpenApiParameter(
                    IDEMPOTENCY_KEY_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description=(
                        f"A unique key (1 to {MAX_KEY_LENGTH} characters) that makes retries "
                        "of this request safe: the first answer is kept 24 hours and given "
                        "again to a retry with the same key and request."
                    ),
                ),
                OpenApiParameter(
                    "Idempotent-Replayed",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=["200", "201"],
                    enum=["true"],
                    description="Present on the answer kept for an earlier request with the key.",
                ),
            ]
        return headers

    def schema_responses(self, method: str) -> dict[str, OpenApiResponse]:
        inherited = getattr(super(), "schema_responses", None)
        responses = inherited(method) if inherited else {}
        if method in self.idempotent_methods:
            responses["409"] = OpenApiResponse(
                DETAIL, description="The first request with this Idempotency-Key still runs."
            )
            responses["422"] = OpenApiResponse(
                DETAIL,
                description="This Idempotency-Key was used with a different request.",
            )
        return responses
