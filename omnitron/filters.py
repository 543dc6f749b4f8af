"""Filters shared by the apps: strict about values, so a bad value is a 400, not ignored."""

from django import forms
from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
NULL_VALUE = "null"


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


class IntegerFilter(filters.NumberFilter):
    """A whole number within the range of a 64-bit primary key."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", BIGINT_MIN)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class IntegerInFilter(filters.BaseInFilter, IntegerFilter):
    """A comma-separated list of integers: `pk__in=1,2,3`."""


class CharFilterWithNull(filters.CharFilter):
    """Exact match; the value `null` matches a NULL."""

    def filter(self, qs, value):
        if value == NULL_VALUE:
            return qs.filter(**{f"{self.field_name}__isnull": True})
        return super().filter(qs, value)


class SortFilter(filters.OrderingFilter):
    """`sort=<field>` or `sort=-<field>`; ties are broken by id so pages never overlap."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return qs.order_by(*ordering)
