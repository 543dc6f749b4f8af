"""Conditional requests (RFC 9110, section 13): ETag, If-None-Match, If-Match.

A resource's tag is a digest of its model, pk and one column that every change
of the row rewrites (`version`, which the service increments, or an auto_now
`modified_date`), read from the row already loaded: reading or checking a tag
costs no query. The If-Match check that counts runs where the writer holds the
row lock (`check_if_match` right after the service's `select_for_update()`),
so of two writers holding one tag exactly one wins; the view checks the row as
first read too, so that a stale tag is answered before the body is validated.
"""

import hashlib
from collections.abc import Collection
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

IF_MATCH_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


class PreconditionFailed(APIException):
    """If-Match named none of the resource's current tag; nothing was written."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed: If-Match does not match its current ETag."
    default_code = "precondition_failed"

    def __init__(self, current_tag: str):
        super().__init__()
        self.current_tag = current_tag


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "This write must be conditional: send If-Match with the resource's ETag."
    default_code = "precondition_required"


def entity_tag(instance: models.Model, source: str = "version") -> str:
    """The strong ETag of `instance`, from the column `source` as loaded."""
    value = getattr(instance, source)
    digest = hashlib.blake2b(
        f"{instance._meta.label}:{instance.pk}:{value}".encode(), digest_size=16
    ).hexdigest()
    return f'"{digest}"'


def check_if_match(
    instance: models.Model, if_match: Collection[str] | None, source: str = "version"
) -> None:
    """Raise PreconditionFailed unless `instance`'s tag is one of `if_match`.

    `if_match` is the header's tags (None: the request has no condition; `*`:
    any current representation). Comparison is strong: a weak tag never matches.
    """
    if if_match is None or "*" in if_match:
        return
    tag = entity_tag(instance, source)
    if tag not in if_match:
        raise PreconditionFailed(tag)


def _weak(tag: str) -> str:
    return tag.removeprefix("W/")


DETAIL = inline_serializer("ConditionalError", {"detail": serializers.CharField()})


class ConditionalRequestsMixin:
    """ETag on a resource's answers (GET of one, create, update); If-None-Match; If-Match.

    The view's update and destroy pass `self.if_match_tags` to the service,
    which checks them with `check_if_match` under its row lock. With the
    setting REQUIRE_IF_MATCH, a PUT, PATCH or DELETE without If-Match is a 428.
    """

    # The column the tag is derived from (see entity_tag).
    etag_source = "version"
    etag_actions = frozenset({"retrieve", "create", "update", "partial_update"})

    @cached_property
    def if_match_tags(self) -> frozenset[str] | None:
        """The tags If-Match names, or None when the request has no If-Match."""
        header = self.request.headers.get("If-Match")
        if header is None:
            if settings.REQUIRE_IF_MATCH:
                raise PreconditionRequired()
            return None
        tags = parse_etags(header)
        if not tags:
            raise ValidationError(
                {"If-Match": ['Expected "*" or one or more quoted entity tags, as ETag gives.']}
            )
        return frozenset(tags)

    def etag_header(self, instance: models.Model) -> dict[str, str]:
        if self.action not in self.etag_actions:
            return {}
        return {"ETag": entity_tag(instance, self.etag_source)}

    def get_object(self):
        instance = super().get_object()
        if self.request.method in IF_MATCH_METHODS:
            check_if_match(instance, self.if_match_tags, self.etag_source)
        return instance

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        headers = self.etag_header(instance)
        if headers and self._none_match(headers["ETag"]):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(self.get_serializer(instance).data, headers=headers)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        headers = {
            **self.get_success_headers(serializer.data),
            **self.etag_header(serializer.instance),
        }
        return Response(serializer.data, status=status.HTTP_201_CREATED, headers=headers)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(serializer.data, headers=self.etag_header(serializer.instance))

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, PreconditionFailed):
            response["ETag"] = exc.current_tag
        return response

    def _none_match(self, tag: str) -> bool:
        """Whether If-None-Match names `tag` (weak comparison, as RFC 9110 asks)."""
        header = self.request.headers.get("If-None-Match")
        if header is None:
            return False
        tags = parse_etags(header)
        return "*" in tags or _weak(tag) in {_weak(t) for t in tags}

    # What omnitron.schema.AutoSchema adds to the OpenAPI operations of the view.

    def schema_headers(self, method: str) -> list[OpenApiParameter]:
        inherited = getattr(super(), "schema_headers", None)
        headers = inherited(method) if inherited else []
        codes = ["200", "201", "304"] if self.action in self.etag_actions else []
        if method in IF_MATCH_METHODS:
            codes.append("412")
        if codes:
            headers.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=codes,
                    description="The resource's current strong entity tag.",
                )
            )
        if method == "GET" and self.action == "retrieve":
            headers.append(
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="A tag ETag gave: answered 304 while it is still current.",
                )
            )
        if method in IF_MATCH_METHODS:
            headers.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description=(
                        "The tag ETag gave: the write happens only if it is still current "
                        "(else 412). Required (428 without it) where the deployment sets "
                        "OMNITRON_REQUIRE_IF_MATCH."
                    ),
                )
            )
        return headers

    def schema_responses(self, method: str) -> dict[str, OpenApiResponse]:
        inherited = getattr(super(), "schema_responses", None)
        responses = inherited(method) if inherited else {}
        if method == "GET" and self.action == "retrieve":
            responses["304"] = OpenApiResponse(
                description="Not modified: If-None-Match names the current ETag."
            )
        if method in IF_MATCH_METHODS:
            responses["412"] = OpenApiResponse(
                DETAIL,
                description="If-Match does not name the current ETag (sent back); nothing "
                "was written.",
            )
            responses["428"] = OpenApiResponse(
                DETAIL, description="If-Match is required by this deployment and was not sent."
            )
        return responses
