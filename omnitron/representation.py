"""Presenting rows without rebuilding a serializer's fields on every request.

A DRF serializer builds its fields anew for each instance (a ModelSerializer
maps every model field to a serializer field: about 1 ms for a customer) and
then, for each row, walks them through generic attribute lookup. For a list
page that is most of the time spent in Python.

FastRepresentationMixin keeps, per serializer class, a plan made once from a
field set built once: each readable field's name, how to read its value from
a model instance, and how to present it. It is used only when every field
presents its value without the request (no context, no method fields, no
hyperlinks): then the output is the same, byte for byte, as DRF's own.
Anything else, or an instance that is not of the serializer's model, goes
through DRF's `to_representation` unchanged. Writes are untouched.
"""

import operator
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# Fields whose presentation depends on nothing but the value (and settings),
# when a subclass keeps both the reading and the presenting of its base.
CONTEXT_FREE_FIELDS = (
    serializers.BigIntegerField,
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.IntegerField,
    serializers.JSONField,
    serializers.PrimaryKeyRelatedField,
    serializers.ReadOnlyField,
    serializers.UUIDField,
)


_PLANS: dict[type, tuple | None] = {}


def _identity(value):
    return value


def _is_context_free(field: serializers.Field) -> bool:
    if isinstance(field, serializers.BaseSerializer):
        planned = isinstance(field, FastRepresentationMixin)
        return planned and field.representation_plan() is not None
    cls = type(field)
    return any(
        isinstance(field, base)
        and cls.to_representation is base.to_representation
        and cls.get_attribute is base.get_attribute
        for base in CONTEXT_FREE_FIELDS
    )


def _model_attribute(model, source: str) -> str | None:
    """The instance attribute a model's concrete, non-relation field `source` lives in."""
    if source == "pk":
        return "pk"
    try:
        model_field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    if model_field.concrete and not model_field.is_relation:
        return model_field.attname
    return None


def _direct_attribute(field: serializers.Field, model) -> str | None:
    """The instance attribute holding the field's value, where DRF's lookup amounts to one.

    None: the field reads through its own `get_attribute`.
    """
    if model is None or len(field.source_attrs) != 1:
        return None
    source = field.source_attrs[0]
    if not isinstance(field, serializers.PrimaryKeyRelatedField):
        return _model_attribute(model, source)
    if field.pk_field is not None or not field.use_pk_only_optimization():
        return None
    try:
        relation = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    return relation.attname if relation.concrete and relation.many_to_one else None


def _presenter(field: serializers.Field, direct: bool) -> Callable[[Any], Any]:
    """How to present a value, where a builtin does exactly what the field does."""
    cls = type(field)
    if direct and isinstance(field, serializers.PrimaryKeyRelatedField):
        return _identity  # the id read straight from its column, as PKOnlyObject.pk
    if cls.to_representation is serializers.CharField.to_representation:
        return str
    if cls.to_representation is serializers.IntegerField.to_representation:
        return int
    if cls.to_representation is serializers.ReadOnlyField.to_representation:
        return _identity
    if cls.to_representation is serializers.JSONField.to_representation and not field.binary:
        return _identity
    if cls.to_representation is serializers.DateTimeField.to_representation:
        return _datetime_presenter(field)
    return field.to_representation


def _datetime_presenter(field: serializers.DateTimeField) -> Callable[[Any], Any]:
    """DRF's ISO 8601 of an aware date-time, without looking up the current time zone per value.

    DRF converts to the *current* time zone; the service never activates one
    (no time-zone middleware), so that is always the default, TIME_ZONE.
    Anything else (a naive value, another format) is left to the field.
    """
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if not settings.USE_TZ or hasattr(field, "timezone") or output_format is None:
        return field.to_representation
    if output_format.lower() != ISO_8601:
        return field.to_representation

    def present(value):
        if not isinstance(value, datetime) or value.utcoffset() is None:
            return field.to_representation(value)
        try:
            text = value.astimezone(timezone.get_default_timezone()).isoformat()
        except OverflowError:
            return field.to_representation(value)  # DRF's 400 for it
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return present


class FastRepresentationMixin:
    """Present instances through a per-class plan when every field allows it (see above)."""

    def representation_plan(self):
        cls = type(self)
        if cls not in _PLANS:  # made once per class; two threads may both make it, alike
            _PLANS[cls] = _make_plan(cls)
        return _PLANS[cls]

    def to_representation(self, instance):
        plan = self.representation_plan()
        if plan is None:
            return super().to_representation(instance)
        model, fields = plan
        if model is not None and not isinstance(instance, model):
            return super().to_representation(instance)
        representation = {}
        for name, read, present in fields:
            try:
                value = read(instance)
            except SkipField:
                continue
            if isinstance(value, PKOnlyObject):
                value = value if value.pk is not None else None
            representation[name] = None if value is None else present(value)
        return representation


def _make_plan(cls):
    """(model or None, [(name, read, present)]), or None when a field needs the request."""
    prototype = cls()
    model = getattr(getattr(cls, "Meta", None), "model", None)
    if not isinstance(prototype, serializers.ModelSerializer):
        model = None
    readable = list(prototype._readable_fields)
    if not all(_is_context_free(field) for field in readable):
        return None
    fields = []
    for field in readable:
        attribute = _direct_attribute(field, model)
        read = operator.attrgetter(attribute) if attribute else field.get_attribute
        fields.append((field.field_name, read, _presenter(field, direct=attribute is not None)))
    return model, fields
