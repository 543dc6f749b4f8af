"""Filters shared by the apps: strict about values, so a bad value is a 400, not ignored."""

import copy
from datetime import UTC, datetime, time, timedelta

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import F, Q
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import OrderBy
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django_filters import rest_framework as filters
from django_filters.conf import settings as django_filters_settings
from django_filters.fields import IsoDateTimeField, ModelMultipleChoiceField

from omnitron.prefix_range import starts_with

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
NULL_VALUE = "null"
# Form classes kept per FilterSet class, one per set of filter names a request used.
MAX_FORM_CLASSES = 256


class StrictBooleanField(forms.Field):
    """true/false, True/False, 1/0; anything else is an error, not 'no filter'."""

    TRUE_VALUES = {"true", "1"}
    FALSE_VALUES = {"false", "0"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE_VALUES:
            return True
        if text in self.FALSE_VALUES:
            return False
        raise ValidationError("Enter true or false.", code="invalid")


class StrictBooleanFilter(filters.Filter):
    field_class = StrictBooleanField
    documented_type = "BooleanFilter"


class IntegerFilter(filters.NumberFilter):
    """A whole number within the range of a 64-bit primary key."""

    field_class = forms.IntegerField
    documented_type = "NumberFilter"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", BIGINT_MIN)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class IntegerInFilter(filters.BaseInFilter, IntegerFilter):
    """A comma-separated list of integers: `pk__in=1,2,3`."""


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC before the database sees it.

    Python reads offsets up to +/-23:59, PostgreSQL stores them up to +/-15:59;
    a value that leaves the datetime range once in UTC is invalid, not an overflow.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
    documented_type = "IsoDateTimeFilter"


class UtcDateRangeFilter(filters.DateFilter):
    """`<date-time>__date` lookups (`__date`, `__date__gt`, ...) as a range of the column.

    Django's `__date` casts the column to a date, which no index on the column
    serves: on a large table a full scan. A UTC day is [midnight, next
    midnight), so each lookup is a plain comparison instead, with the same rows.
    `lookup` is one of exact, gt, gte, lt, lte, applied to the date.
    """

    def __init__(self, *args, lookup: str = "exact", **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup = lookup

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        day_start = datetime.combine(value, time.min, tzinfo=UTC)
        try:
            next_day = day_start + timedelta(days=1)
        except OverflowError:
            next_day = None  # 9999-12-31: nothing comes after it.
        column = self.field_name
        after_start = Q(**{f"{column}__gte": day_start})
        before_start = Q(**{f"{column}__lt": day_start})
        before_end = Q(**{f"{column}__lt": next_day}) if next_day else Q()
        after_end = Q(**{f"{column}__gte": next_day}) if next_day else Q(pk__in=[])
        condition = {
            "exact": after_start & before_end,
            "gt": after_end,
            "gte": after_start,
            "lt": before_start,
            "lte": before_end,
        }[self.lookup]
        return qs.filter(condition)


class IntegerPkMultipleChoiceField(ModelMultipleChoiceField):
    """Integer primary keys of existing objects.

    A key outside the 64-bit range is an invalid value, not a database
    overflow. Over a whole table, existence is checked by one plain SELECT of
    the keys, and the keys are the value: Django's check builds and compiles a
    queryset per value and reads model instances, the largest part of a
    `channel=` filter's cost. The errors are Django's, with the same codes and
    parameters.
    """

    def _check_values(self, value):
        if self.to_field_name or self.null_label is not None or self.queryset.query.has_filters():
            return super()._check_values(self._within_range(value))
        try:
            value = frozenset(value)
        except TypeError:
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        keys = {}
        for pk in value:
            self.validate_no_null_characters(pk)
            try:
                number = int(pk)
            except (TypeError, ValueError):
                number = None
            if number is None or not BIGINT_MIN <= number <= BIGINT_MAX:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
            keys[pk] = number
        found = existing_keys(self.queryset, set(keys.values()))
        for pk, number in keys.items():
            if number not in found:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return sorted(found)

    def _within_range(self, value):
        """`value`, if no integer in it is beyond 64 bits (the rest is for Django to judge)."""
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue
            if not BIGINT_MIN <= number <= BIGINT_MAX:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return value


def existing_keys(queryset, keys: set[int]) -> set[int]:
    """Which of `keys` are primary keys of `queryset`'s table."""
    if not keys:
        return set()
    connection = connections[queryset.db]
    meta = queryset.model._meta
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(meta.pk.column)} FROM {quote(meta.db_table)} "
            f"WHERE {quote(meta.pk.column)} IN ({placeholders})",
            list(keys),
        )
        return {pk for (pk,) in cursor.fetchall()}


class IntegerPkMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    """`?channel=1&channel=2`: rows of any of these (integer-keyed) objects."""

    field_class = IntegerPkMultipleChoiceField
    documented_type = "ModelMultipleChoiceFilter"

    def get_filter_predicate(self, v):
        """django-filter's predicate, without a form field made to read its `to_field_name`.

        django-filter reads `self.field.to_field_name`, which makes the filter's
        form field anew for every request; with none given, the value itself
        is what it filters by, as here.
        """
        if self.extra.get("to_field_name"):
            return super().get_filter_predicate(v)
        name = self.field_name
        if name and self.lookup_expr != django_filters_settings.DEFAULT_LOOKUP_EXPR:
            name = LOOKUP_SEP.join([name, self.lookup_expr])
        return {name: v}


class StartsWithFilter(filters.CharFilter):
    """`<field>__startswith`, case-sensitive on every database.

    On PostgreSQL the prefix is asked as a range of byte order, which a
    varchar_pattern_ops index serves with no LIKE checked again on each entry
    (omnitron/prefix_range.py). SQLite's LIKE ignores the case of ASCII
    letters, so there the first characters are compared with `=` instead
    (SQLite's substr counts characters, as len() does).
    """

    documented_type = "CharFilter"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "startswith")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        vendor = connections[qs.db].vendor
        if value in (None, ""):
            return super().filter(qs, value)
        if vendor == "postgresql":
            return qs.filter(*starts_with(self.field_name, value))
        if vendor == "sqlite":
            return qs.filter(Exact(Substr(self.field_name, 1, len(value)), value))
        return super().filter(qs, value)


class CharFilterWithNull(filters.CharFilter):
    """Exact match; the value `null` matches a NULL."""

    def filter(self, qs, value):
        if value == NULL_VALUE:
            return qs.filter(**{f"{self.field_name}__isnull": True})
        return super().filter(qs, value)


class FrozenChoices(tuple):
    """(value, label) pairs of strings: nothing in them can change, so a deep copy keeps them.

    A FilterSet's form deep-copies its fields for every request, the sort
    field's choices with them; a plain list of pairs is copied pair by pair
    each time. (The FilterSet's copy of the sort filter shares them:
    SortFilter.__deepcopy__.)
    """

    def __deepcopy__(self, memo):
        return self


class SortFilter(filters.OrderingFilter):
    """`sort=<field>` or `sort=-<field>`; ties are broken by id so pages never overlap.

    NULL sorts after every value ascending and before them descending, on every
    database (PostgreSQL's default; SQLite would do the opposite).
    """

    documented_type = "OrderingFilter"

    def build_choices(self, fields, labels):
        return FrozenChoices(super().build_choices(fields, labels))

    def __deepcopy__(self, memo):
        """A FilterSet's own copy, made without walking every sort field's entry.

        django-filter deep-copies its filters for every request. What __init__
        made here (the map of parameters to fields, the choices, the arguments
        of the form field) is only read afterwards, so the copy shares those
        values in dicts of its own; what a FilterSet sets (parent, model) it
        sets on its copy alone, and the form field is made afresh for each.
        """
        clone = copy.copy(self)
        clone.extra = self.extra.copy()
        clone.__dict__.pop("_field", None)
        memo[id(self)] = clone
        return clone

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return qs.order_by(*(nulls_as_largest(name) for name in ordering))


def nulls_as_largest(ordering: str) -> OrderBy:
    if ordering.startswith("-"):
        return F(ordering[1:]).desc(nulls_first=True)
    return F(ordering).asc(nulls_last=True)


def _names_and_prefixes(param: str):
    """`param`, and each part of it that ends before an underscore ("a_b_c": a, a_b)."""
    yield param
    position = param.find("_")
    while position > 0:
        yield param[:position]
        position = param.find("_", position + 1)


class BoundedTextFilterSet(filters.FilterSet):
    """A FilterSet whose text filters refuse values longer than the model field holds,
    and which builds only the filters a request names.

    Such a value cannot match anything, and a huge one (a LIKE pattern of 100k
    characters) makes the database fail: it is a 400 naming the parameter instead.
    """

    def __init__(self, data=None, *args, **kwargs):
        # django-filter deep-copies every filter and builds a form field for each
        # on every request: about 8 ms for the customer list's fifty. Only the
        # filters a parameter names can change the result (a parameter names a
        # filter by its name, or its name and a suffix: `_min`, `_after`, ...).
        if data is not None:
            every = type(self).base_filters
            named = {name for param in data for name in _names_and_prefixes(param) if name in every}
            self.base_filters = {name: f for name, f in every.items() if name in named}
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        """The form class of these filters, made once per set of filter names.

        django-filter makes a class, a form field for each filter and each
        field's label on every request (0.1 ms a filtered list); a form copies
        its class's fields anyway. Filters made for one request (a JSON key's)
        get a class of their own.
        """
        cls = type(self)
        names = tuple(self.filters)
        if any(name not in cls.base_filters for name in names):
            return super().get_form_class()
        form_classes = cls.__dict__.get("_form_classes")
        if form_classes is None or len(form_classes) >= MAX_FORM_CLASSES:
            form_classes = cls._form_classes = {}
        form_class = form_classes.get(names)
        if form_class is None:
            form_class = form_classes[names] = super().get_form_class()
        return form_class

    @classmethod
    def get_filters(cls):
        declared = super().get_filters()
        model = cls._meta.model
        for filter_ in declared.values():
            if not isinstance(filter_, filters.CharFilter) or model is None:
                continue
            try:
                field = model._meta.get_field(filter_.field_name)
            except FieldDoesNotExist:
                continue
            if getattr(field, "max_length", None):
                filter_.extra.setdefault("max_length", field.max_length)
        return declared
