"""OPTIONS of a filtered list: what a GET answers and which filters it takes.

Two documented shapes. The OMS's BI listings (FilteredListMetadata):
`{"name", "renders", "parses", "actions": {"GET": fields}, "filters": [...]}`.
Omnitron's resources (ListMetadata): DRF's answer, and on a list route
`"filters": {parameter: {"type", "lookup_types"}}`.
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


class ListMetadata(SimpleMetadata):
    """DRF's OPTIONS answer; on a list route, with `filters` as Omnitron documents them."""

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and not getattr(view, "detail", False):
            metadata["filters"] = describe_filter_lookups(filterset_class)
        return metadata


def describe_filter_lookups(filterset_class) -> dict[str, dict]:
    """`{parameter: {"type", "lookup_types"}}`, one entry per parameter stem.

    A filter `<stem>__<lookup>` adds its lookup to the stem's entry
    (`created_date__date__gt`: `date__gt`); a filter named as its stem adds
    its own lookup (`exact`). The type is the one the filterset documents
    for the stem (`documented_filter_types`), else the filter's. Filters made
    per request (`attributes__<key>`) are described by the filterset's
    `per_request_filters`.
    """
    documented = getattr(filterset_class, "documented_filter_types", {})
    described: dict[str, dict] = {}
    for name, filter_ in filterset_class.base_filters.items():
        stem, _, lookup = name.partition("__")
        entry = described.setdefault(
            stem,
            {"type": documented.get(stem) or documented_type(filter_), "lookup_types": []},
        )
        lookup = lookup or filter_.lookup_expr
        if lookup not in entry["lookup_types"]:  # `number` and `number__exact` are one lookup
            entry["lookup_types"].append(lookup)
    for stem, (type_name, lookups) in getattr(filterset_class, "per_request_filters", {}).items():
        described[stem] = {"type": type_name, "lookup_types": list(lookups)}
    return described


def documented_type(filter_) -> str:
    """The django-filter type a filter stands for (ours declare it), else its class name."""
    return getattr(filter_, "documented_type", type(filter_).__name__)
