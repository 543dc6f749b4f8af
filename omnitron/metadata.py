"""OPTIONS of a filtered list: what a GET answers and which filters it takes.

The shape is the one the OMS documents for its BI listings:
`{"name", "renders", "parses", "actions": {"GET": fields}, "filters": [...]}`.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.encoding import force_str
from django_filters import rest_framework as filters
from rest_framework import serializers
from rest_framework.metadata import SimpleMetadata
from rest_framework.utils.field_mapping import ClassLookupDict


class FilteredListMetadata(SimpleMetadata):
    label_lookup = ClassLookupDict(
        {**SimpleMetadata.label_lookup.mapping, serializers.PrimaryKeyRelatedField: "pk field"}
    )

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "actions": {"GET": self.get_serializer_info(view.get_serializer())},
            "filters": describe_filters(view.filterset_class),
        }


def describe_filters(filterset_class) -> list[dict]:
    """One entry per filter, in declaration order.

    Filters of one field that share a label are one entry listing their
    lookups (`modified_date` with exact, gt, gte, lt, lte). The type is
    `dropdown` for a choice (`sort`), `integer` for an integer column, and
    `string` for the rest, a foreign key's id included, as the OMS documents.
    """
    entries: list[dict] = []
    model = filterset_class._meta.model
    for filter_ in filterset_class.base_filters.values():
        label = force_str(filter_.label)
        previous = entries[-1] if entries else None
        if previous and (previous["field_name"], previous["label"]) == (filter_.field_name, label):
            previous["lookup_expr"].append(filter_.lookup_expr)
            continue
        entries.append(
            {
                "label": label,
                "field_name": filter_.field_name,
                "type": filter_type(filter_, model),
                "lookup_expr": [filter_.lookup_expr],
                "extra": filter_extra(filter_),
            }
        )
    return entries


def filter_type(filter_, model) -> str:
    if isinstance(filter_, filters.ChoiceFilter):
        return "dropdown"
    try:
        field = model._meta.get_field(filter_.field_name)
    except FieldDoesNotExist:
        return "string"
    if isinstance(field, models.IntegerField):
        return "integer"
    return "string"


def filter_extra(filter_) -> dict:
    extra = {"required": filter_.extra["required"]}
    if isinstance(filter_, filters.ChoiceFilter):
        extra = {
            "choices": [[value, force_str(label)] for value, label in filter_.extra["choices"]],
            "help_text": force_str(filter_.extra.get("help_text", "")),
            "null_label": filter_.extra.get("null_label"),
            **extra,
        }
    return extra
