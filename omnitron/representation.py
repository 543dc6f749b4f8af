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
  BooleanField): such a value is kept as it is.

Every other field, a date-time in the active time zone among them, goes
through the field's own calls; a row given as a mapping goes through DRF's
loop. If the serializer's fields change after a row was presented, the plan
is worked out again.

ModelSerializer also works out each field's class and arguments from the
model for every serializer it makes. Those depend only on the serializer
class and the model, so `build_field` keeps them per class; the fields
themselves are still made per serializer, as DRF makes them.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject

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

    __slots__ = ("attribute", "field", "name", "unchanged_type")

    def __init__(self, field: drf_fields.Field):
        self.field = field
        self.name = field.field_name
        plain = (
            len(field.source_attrs) == 1
            and type(field).get_attribute is drf_fields.Field.get_attribute
        )
        self.attribute = field.source_attrs[0] if plain else None
        self.unchanged_type = UNCHANGED_TYPE.get(type(field))


class PresentingModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer with the shortcuts above; what it answers is DRF's."""

    _built_fields: dict[tuple, tuple[type, dict]]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._built_fields = {}

    def build_field(self, field_name, info, model_class, nested_depth):
        key = (field_name, model_class, nested_depth)
        built = self._built_fields.get(key)
        if built is None:
            built = super().build_field(field_name, info, model_class, nested_depth)
            self._built_fields[key] = built
        field_class, field_kwargs = built
        # ModelSerializer edits the arguments (read_only, extra_kwargs): a copy each time.
        return field_class, dict(field_kwargs)

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
            else:
                row[step.name] = field.to_representation(value)
        return row


_MISSING = object()
