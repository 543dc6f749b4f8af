"""Model serializers that present a list page as DRF does, with the per-row work done once.

DRF's `Serializer.to_representation` walks `_readable_fields` for every row,
reads each value through the field's generic `get_attribute` (dotted sources,
mappings, callables) and hands it to the field's `to_representation`. A list
presents every row through one child serializer, and that child's fields are
this request's own (a serializer may narrow `fields` in `__init__`, DRF's
dynamic-fields pattern), so the child works out once, from those fields:

- which fields read one plain attribute (a one-part source and DRF's own
  `Field.get_attribute`): those are read with `getattr`, falling back to
  DRF's call for a callable or a missing attribute;
- which fields' `to_representation` returns a value of one exact type
  unchanged (`str` for CharField, `int` for IntegerField, `bool` for
  BooleanField): such a value is kept as it is;
- which fields are DRF's own DateTimeField writing ISO 8601 in the active
  time zone: an aware date-time is written as that field writes it, with
  the time zone read once per row rather than once per field.

Every other field goes through the field's own calls, and so does any value
the shortcuts do not cover (a naive date-time, one out of range); a row
given as a mapping goes through DRF's loop. If the serializer's fields
change after a row was presented, the plan is worked out again.

ModelSerializer also makes every field anew for every serializer; here
they are made once per class and copied (omnitron/field_prototypes.py).
"""

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework import fields as drf_fields
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from omnitron.field_prototypes import FieldPrototypes

# Field classes whose to_representation returns a value of this exact type as it is.
UNCHANGED_TYPE = {
    drf_fields.CharField: str,
    drf_fields.EmailField: str,
    drf_fields.SlugField: str,
    drf_fields.IntegerField: int,
    drf_fields.BooleanField: bool,
}


class _Step:
    """How one field of a serializer presents its value."""

    __slots__ = ("attribute", "field", "in_time_zone", "name", "unchanged_type")

    def __init__(self, field: drf_fields.Field):
        self.field = field
        self.name = field.field_name
        plain = (
            len(field.source_attrs) == 1
            and type(field).get_attribute is drf_fields.Field.get_attribute
        )
        self.attribute = field.source_attrs[0] if plain else None
        self.unchanged_type = UNCHANGED_TYPE.get(type(field))
        output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
        self.in_time_zone = (
            type(field) is drf_fields.DateTimeField
            and not hasattr(field, "timezone")
            and isinstance(output_format, str)
            and output_format.lower() == ISO_8601
        )


class PresentingModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer with the shortcuts above; what it answers is DRF's."""

    # The fields ModelSerializer makes for this class, copied for each serializer
    # (omnitron/field_prototypes.py).
    _field_prototypes: FieldPrototypes | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._field_prototypes = FieldPrototypes(cls, base=PresentingModelSerializer)

    def get_fields(self):
        prototypes = type(self)._field_prototypes
        fields = prototypes and prototypes.copies(super().get_fields, self._declared_fields)
        if fields is None:
            return super().get_fields()
        if self.url_field_name is None:  # as ModelSerializer.get_fields sets it
            self.url_field_name = api_settings.URL_FIELD_NAME
        return fields

    def _presentation_plan(self) -> list[_Step]:
        # DRF's BindingDict keeps its fields in a plain dict: read that, not its slow Mapping view.
        fields = tuple(self.fields.fields.values())
        plan = self.__dict__.get("_plan")
        if plan is None or plan[0] != fields:
            plan = (fields, [_Step(field) for field in fields if not field.write_only])
            self.__dict__["_plan"] = plan
        return plan[1]

    def to_representation(self, instance) -> dict[str, Any]:
        if isinstance(instance, Mapping):
            return super().to_representation(instance)
        row = {}
        zone = _MISSING  # the active time zone, read at the row's first date-time
        for step in self._presentation_plan():
            field = step.field
            if step.attribute is None:
                try:
                    value = field.get_attribute(instance)
                except drf_fields.SkipField:
                    continue
            else:
                try:
                    value = getattr(instance, step.attribute)
                except Exception:  # DRF's call below answers it as DRF does
                    value = _MISSING
                if value is _MISSING or callable(value):
                    try:
                        value = field.get_attribute(instance)
                    except drf_fields.SkipField:
                        continue
            if value is None:
                row[step.name] = None
            elif type(value) is step.unchanged_type:
                row[step.name] = value
            elif isinstance(value, PKOnlyObject) and value.pk is None:
                row[step.name] = None
            elif step.in_time_zone and type(value) is datetime:
                if zone is _MISSING:
                    zone = timezone.get_current_timezone() if settings.USE_TZ else None
                row[step.name] = iso_in_zone(value, zone) or field.to_representation(value)
            else:
                row[step.name] = field.to_representation(value)
        return row


_MISSING = object()


def iso_in_zone(value: datetime, zone: tzinfo | None) -> str | None:
    """DRF DateTimeField's ISO 8601 text of an aware `value` in `zone`; None for the field to say.

    None for a naive value or no zone (DRF makes the first aware and writes the
    second naive) and for a value out of range in the zone (DRF's error).
    """
    if zone is None or value.utcoffset() is None:
        return None
    try:
        text = value.astimezone(zone).isoformat()
    except OverflowError:
        return None
    return text[:-6] + "Z" if text.endswith("+00:00") else text
