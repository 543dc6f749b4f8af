"""OpenAPI generation: the error responses each operation really gives.

drf-spectacular documents the success response only; this schema class adds
400/401/403/404/406 where the view can answer them, so clients (and the
schemathesis run in the test suite) know every status code to expect.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL_ERROR = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    response=inline_serializer(
        "FieldErrors",
        {
            "non_field_errors": serializers.ListField(
                child=serializers.CharField(), required=False
            ),
        },
    ),
    description=(
        "Invalid input: an object naming each bad field (or filter, or `limit`) with a "
        "list of messages; `non_field_errors` for errors of the whole object, e.g. "
        '"The fields channel, channel_code must make a unique set."'
    ),
)
CHANNEL_CHANGE = OpenApiResponse(
    response=inline_serializer(
        "ChannelChangeError",
        {"non_field_errors": serializers.CharField(), "error_code": serializers.CharField()},
    ),
    description="The customer's channel cannot be changed (`error_code` customer_100_3).",
)
ERRORS = {
    "400": FIELD_ERRORS,
    "401": OpenApiResponse(DETAIL_ERROR, description="No token, or a bad one."),
    "403": OpenApiResponse(DETAIL_ERROR, description="The user lacks the model permission."),
    "404": OpenApiResponse(DETAIL_ERROR, description="No such object, or a page past the end."),
    "406": CHANNEL_CHANGE,
}


class AutoSchema(SpectacularAutoSchema):
    def error_codes(self) -> list[str]:
        codes = ["400"]
        if self.view.authentication_classes:
            codes += ["401", "403"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if self.method in ("PUT", "PATCH") and getattr(self.view, "detailed_actions", None):
            codes.append("406")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code not in responses:
                error = ERRORS[code]
                responses[code] = self._get_response_for_code(
                    error.response, code, direction=direction
                )
                responses[code]["description"] = error.description
        return responses
