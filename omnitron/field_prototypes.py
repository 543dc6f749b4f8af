"""A ModelSerializer's fields made once per class, each serializer given copies of its own.

For every serializer it makes, ModelSerializer works out which fields the
model gives, each one's class and arguments, and makes each field: about 25
of them for a customer, the largest piece of a list request's Python after
its queries. DRF documents the fields as the serializer's own (a serializer
may narrow or change them in `__init__`), not as made anew, and what they
are made from is the class, its Meta and the model, unless:

- a class of the serializer's own overrides a method or property that
  decides them (FIELD_HOOKS), anywhere in its MRO;
- a model field's choices or `limit_choices_to` is a callable, which DRF
  calls each time it makes the field.

Such a class gets its fields made by DRF every time. Otherwise the fields are
made once (again after a REST_FRAMEWORK setting changes), kept unbound, and
each serializer gets copies (FieldPrototype). A copy shares nothing a
serializer could change with another copy: a field is copied that way only
if its state is made by DRF's own `__init__`s and holds only values nothing
can change in place, or dicts and lists of them (each copy gets its own);
validators and managers are shared, as DRF's own deep copy shares them. Any
other field, every declared field among them, is copied by DRF's
`copy.deepcopy`, as DRF copies it.
"""

import copy
import datetime
import decimal
import re
import threading
import types
import uuid

from django.core.signals import setting_changed
from django.db import models
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils.choices import CallableChoiceIterator
from django.utils.functional import Promise, cached_property
from rest_framework import fields as drf_fields
from rest_framework import serializers

# ModelSerializer's methods and properties that decide which fields `get_fields` makes.
FIELD_HOOKS = frozenset(
    {
        "get_fields",
        "get_field_names",
        "get_default_field_names",
        "build_field",
        "build_standard_field",
        "build_relational_field",
        "build_nested_field",
        "build_property_field",
        "build_url_field",
        "build_unknown_field",
        "get_extra_kwargs",
        "get_uniqueness_extra_kwargs",
        "get_unique_together_constraints",
        "include_extra_kwargs",
        "_get_model_fields",
        "serializer_field_mapping",
        "serializer_related_field",
        "serializer_related_to_field",
        "serializer_url_field",
        "serializer_choice_field",
    }
)
# What a class defines that can compute per instance.
METHOD_TYPES = (types.FunctionType, property, cached_property, classmethod, staticmethod)
# Values a copy may share: nothing about them can be changed in place.
PLAIN_TYPES = (
    type(None),
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    decimal.Decimal,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
    Promise,  # a lazy translation
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    re.Pattern,
)
# A field's own list of validators, and DRF's record of its arguments: each copy
# gets its own dict or list, holding the same items (DRF's deep copy of a field
# shares its validators too; the record is read only to copy and show the field).
COPIED_NOT_CHECKED = frozenset({"_validators", "_kwargs"})

# Bumped when REST_FRAMEWORK changes: fields made before are made again.
_generation = 0
# Reentrant: making one class's fields may make another's (a nested serializer's).
_lock = threading.RLock()


@receiver(setting_changed)
def _forget_prototypes(setting, **kwargs):
    global _generation
    if setting == "REST_FRAMEWORK":
        _generation += 1


def fields_decided_by_class(serializer_class: type, base: type) -> bool:
    """Whether `serializer_class`'s fields depend on its class alone (see the module's docstring).

    `base` is the class that defines the per-class `get_fields`: it, and DRF's
    own classes, may define hooks.
    """
    for klass in serializer_class.__mro__:
        if klass is base or klass in serializers.ModelSerializer.__mro__:
            continue
        for name in FIELD_HOOKS.intersection(vars(klass)):
            value = vars(klass)[name]
            # A method or property may read the instance; a class or a dict may not.
            if isinstance(value, METHOD_TYPES):
                return False
    meta = getattr(serializer_class, "Meta", None)
    model = getattr(meta, "model", None)
    return model is None or not any(_decided_per_call(field) for field in model._meta.get_fields())


def _decided_per_call(field: models.Field) -> bool:
    remote = getattr(field, "remote_field", None)
    return isinstance(getattr(field, "choices", None), CallableChoiceIterator) or (
        remote is not None and callable(getattr(remote, "limit_choices_to", None))
    )


class FieldPrototypes:
    """The unbound fields of one serializer class, if they are decided by the class alone.

    Whether they are is worked out at the first serializer (the models are
    ready by then), the fields made then by `make`, and again after a
    REST_FRAMEWORK setting changed.
    """

    def __init__(self, serializer_class: type, base: type):
        self.serializer_class = serializer_class
        self.base = base
        self._made: tuple[int, dict[str, FieldPrototype] | None] | None = None

    def copies(self, make, declared) -> dict[str, drf_fields.Field] | None:
        """Fresh copies of the fields, or None if the class's serializers make their own."""
        made = self._made
        if made is None or made[0] != _generation:
            with _lock:
                made = self._made
                if made is None or made[0] != _generation:
                    made = self._made = (_generation, self._prototypes(make, set(declared)))
        prototypes = made[1]
        if prototypes is None:
            return None
        return {name: prototype.fresh_copy() for name, prototype in prototypes.items()}

    def _prototypes(self, make, declared: set[str]) -> dict[str, "FieldPrototype"] | None:
        if not fields_decided_by_class(self.serializer_class, self.base):
            return None
        return {
            name: FieldPrototype(field, declared=name in declared) for name, field in make().items()
        }


class FieldPrototype:
    """An unbound field, and how to make a fresh copy of it for a serializer."""

    __slots__ = ("by_drf", "field", "own")

    def __init__(self, field: drf_fields.Field, *, declared: bool):
        self.field = field
        state = field.__dict__
        self.by_drf = (
            declared
            or isinstance(field, serializers.BaseSerializer)
            or not _state_made_by_drf(type(field))
            or not all(
                name in COPIED_NOT_CHECKED or _immutable(value) or _flat(value)
                for name, value in state.items()
            )
        )
        # Each copy gets its own of these dicts, lists and querysets.
        self.own = [
            name
            for name, value in state.items()
            if type(value) in (dict, list) or isinstance(value, QuerySet)
        ]

    def fresh_copy(self) -> drf_fields.Field:
        if self.by_drf:
            return copy.deepcopy(self.field)
        state = self.field.__dict__
        made = object.__new__(type(self.field))
        attributes = made.__dict__
        attributes.update(state)
        for name in self.own:
            value = state[name]
            attributes[name] = value.all() if isinstance(value, QuerySet) else value.copy()
        return made


def _state_made_by_drf(field_class: type) -> bool:
    """Whether every `__init__` and `__new__` the field's class runs is one of DRF's."""
    return all(
        klass.__module__.startswith("rest_framework.")
        for klass in field_class.__mro__
        if klass is not object and ("__init__" in vars(klass) or "__new__" in vars(klass))
    )


def _immutable(value) -> bool:
    """A value nothing can change in place: a plain value, or a tuple of them."""
    if value is drf_fields.empty or isinstance(value, PLAIN_TYPES):
        return True
    return type(value) is tuple and all(_immutable(item) for item in value)


def _flat(value) -> bool:
    """A dict or list of immutable values (copied one level), or a model's manager or queryset."""
    if type(value) is list:
        return all(_immutable(item) for item in value)
    if type(value) is dict:
        return all(_immutable(key) and _immutable(item) for key, item in value.items())
    return isinstance(value, models.Manager | QuerySet)
