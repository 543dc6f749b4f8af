"""OpenAPI generation: the document says what the service really does.

drf-spectacular documents the success response only; this schema class adds
the error responses each operation can give (400/401/403/404/406/415/429, and
those a view's mixins declare) and does not declare itself, so clients (and the schemathesis run in
tests/test_openapi_fuzz.py) know every status code to expect. It also
documents the JSON fields that only take an object as objects, and the query
parameters that read an empty value as "not given" with `allowEmptyValue`.
"""

from django_filters.filters import MultipleChoiceFilter
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, inline_serializer
from rest_framework import serializers

from omnitron.validators import validate_json_object

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
NOT_ACCEPTABLE = OpenApiResponse(
    DETAIL_ERROR,
    description="The `Accept` header asks for a media type the API cannot answer with (JSON).",
)
ERRORS = {
    "400": FIELD_ERRORS,
    "401": OpenApiResponse(DETAIL_ERROR, description="No token, or a bad one."),
    "403": OpenApiResponse(DETAIL_ERROR, description="The user lacks the model permission."),
    "404": OpenApiResponse(DETAIL_ERROR, description="No such object, or a page past the end."),
    "406": NOT_ACCEPTABLE,
    "415": OpenApiResponse(
        DETAIL_ERROR,
        description="The request body is in a media type the operation does not accept.",
    ),
    "429": OpenApiResponse(
        DETAIL_ERROR,
        description="Too many requests with a bad token from this address: see `Retry-After`.",
    ),
}
# A JSON object of any keys: what a JSON field validated by validate_json_object takes.
JSON_OBJECT = {"type": "object", "additionalProperties": {}}


def not_acceptable_or(component_name: str, refusal: OpenApiResponse) -> OpenApiResponse:
    """The 406 of an operation that answers 406 itself, as well as for content negotiation.

    A view declares it with `extend_schema(responses={..., 406: ...})`; the
    error responses it does not declare are added as for any operation.
    """
    return OpenApiResponse(
        PolymorphicProxySerializer(
            component_name=component_name,
            serializers=[refusal.response, DETAIL_ERROR],
            resource_type_field_name=None,
        ),
        description=(
            f'{refusal.description} Also answered, as `{{"detail": ...}}`, when the '
            "`Accept` header asks for a media type the API cannot answer with (JSON)."
        ),
    )


class AutoSchema(SpectacularAutoSchema):
    def error_codes(self) -> list[str]:
        codes = ["400"]
        if self.view.authentication_classes:
            codes += ["401", "403", "429"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        # Content negotiation (DRF answers JSON only) runs before anything else.
        codes.append("406")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        return codes + list(self._view_responses())

    # A view (through its mixins) may add headers and answers to its operations:
    # `schema_headers(method)` gives OpenApiParameters (request headers, and
    # response headers with their codes), `schema_responses(method)` {code: OpenApiResponse}.

    def get_override_parameters(self):
        headers = getattr(self.view, "schema_headers", None)
        return [*super().get_override_parameters(), *(headers(self.method) if headers else [])]

    def _view_responses(self) -> dict[str, OpenApiResponse]:
        responses = getattr(self.view, "schema_responses", None)
        return responses(self.method) if responses else {}

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.JSONField) and validate_json_object in field.validators:
            # drf-spectacular documents a JSONField as any value; these take an object only.
            schema = {**JSON_OBJECT, **schema}
        return schema

    def _get_parameters(self):
        """Mark the query parameters that take an empty value as "not given".

        django-filter skips a filter whose value is empty (`?email=` lists
        everyone), and DRF reads `?page=` as page 1: OpenAPI says so with
        `allowEmptyValue`. A multiple-choice filter (`?channel=`) and `limit`
        refuse an empty value with a 400, so they are left without it.
        """
        refusing = set(self._query_parameters_refusing_empty())
        parameters = []
        for parameter in super()._get_parameters():
            if parameter.get("in") == "query" and parameter["name"] not in refusing:
                parameter = {**parameter, "allowEmptyValue": True}
            parameters.append(parameter)
        return parameters

    def _query_parameters_refusing_empty(self):
        paginator = self._get_paginator()
        if paginator is not None and getattr(paginator, "page_size_query_param", None):
            yield paginator.page_size_query_param
        filterset_class = getattr(self.view, "filterset_class", None)
        if filterset_class is not None:
            for name, filter_ in filterset_class.base_filters.items():
                if isinstance(filter_, MultipleChoiceFilter):
                    yield name

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code not in responses:
                error = self._view_responses().get(code) or ERRORS[code]
                responses[code] = self._get_response_for_code(
                    error.response, code, direction=direction
                )
                responses[code]["description"] = error.description
        # In the order of their codes, whether the view declared them or they were added.
        return dict(sorted(responses.items()))
