"""CustomerFilterSet: the documented lookups of the customer list, and nothing else.

Every value is validated: a value the filter cannot read is a 400 naming the
parameter, never ignored. `attributes__<key>` and `extra_field__<key>` take
their key from the parameter name, so the key must match SAFE_JSON_KEY and the
query is built from expressions, never from request text passed as **kwargs.
"""

import json
import math
import re
from functools import reduce
from operator import or_

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django_filters import rest_framework as filters

from channels.models import Channel
from customers.models import Customer, Gender, IntegrationMapping, UserType
from omnitron.filters import (
    BoundedTextFilterSet,
    CharFilterWithNull,
    IntegerFilter,
    IntegerInFilter,
    IntegerPkMultipleChoiceFilter,
    SortFilter,
    StartsWithFilter,
    StrictBooleanFilter,
    UtcIsoDateTimeFilter,
)

# No "__" inside: `attributes__a__b` would read as a nested path, which is not supported.
SAFE_JSON_KEY = re.compile(r"^(?!.*__)[A-Za-z0-9_-]{1,64}$")
JSON_KEY_FILTER_FIELDS = ("attributes", "extra_field")


class NonJsonNumber(str):
    """NaN, Infinity or -Infinity, which Python's decoder reads but JSON has not."""


def json_key_candidates(value: str) -> list:
    """What a `<json field>__<key>` value matches: the string, and the JSON scalar it spells.

    NaN, Infinity and numbers beyond a double (1e999) are no JSON a database
    stores, and an array nested thousands deep exhausts the decoder: each is
    an invalid value, not a query.
    """
    try:
        parsed = json.loads(value, parse_constant=NonJsonNumber)
    except RecursionError:
        raise ValidationError("Invalid value: nested too deeply.", code="invalid") from None
    except ValueError:
        return [value]
    if isinstance(parsed, NonJsonNumber):
        raise ValidationError(f"Invalid value: {parsed} is not a JSON number.", code="invalid")
    if isinstance(parsed, float) and not math.isfinite(parsed):
        raise ValidationError(
            "Invalid value: a number beyond the range of a JSON number.", code="invalid"
        )
    if parsed is None or isinstance(parsed, bool | int | float):
        return [value, parsed]
    return [value]


class JsonKeyField(forms.CharField):
    """The value of a `<json field>__<key>` parameter; refuses unsafe keys.

    Cleans to the list of values the key may hold (json_key_candidates).
    """

    def __init__(self, *args, key: str, **kwargs):
        self.key = key
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        # fullmatch: `$` alone would let a trailing newline through.
        if not SAFE_JSON_KEY.fullmatch(self.key):
            raise ValidationError(
                "Invalid key: use 1 to 64 letters, digits, '_' or '-', without '__' "
                "(nested keys are not supported).",
                code="invalid_key",
            )

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return json_key_candidates(value)


class JsonKeyFilter(filters.CharFilter):
    """Customers whose JSON object has `key` equal to the value.

    The value matches the string, or the JSON number, boolean or null it spells
    (`verified_user=true` finds {"verified_user": true} and {"verified_user": "true"}).
    On PostgreSQL this is a containment (@>) that the GIN index serves.
    """

    field_class = JsonKeyField

    def __init__(self, *args, key: str, **kwargs):
        self.key = key
        super().__init__(*args, **kwargs)
        self.extra["key"] = key

    def filter(self, qs: QuerySet, candidates):
        if candidates in (None, ""):
            return qs
        if connections[qs.db].vendor == "postgresql":
            # Containment (@>) is what the GIN index serves.
            lookup = f"{self.field_name}__contains"
            return qs.filter(reduce(or_, (Q(**{lookup: {self.key: c}}) for c in candidates)))
        # SQLite has no JSON containment: compare the key's value instead. The
        # alias name is ours; the request's key only reaches KeyTransform.
        alias = f"{self.field_name}_key_{len(qs.query.annotations)}"
        qs = qs.alias(**{alias: KeyTransform(self.key, self.field_name)})
        return qs.filter(reduce(or_, (Q(**{alias: c}) for c in candidates)))


COMPARISONS = ["exact", "gt", "gte", "lt", "lte"]
DATETIME_LOOKUPS = [*COMPARISONS, "date", "date__gt", "date__gte", "date__lt", "date__lte"]
# Filters whose index holds the id beside the column (customer_email_prefix_idx): the
# keys of a page are read from the index alone, then the page's rows (keys first, see
# omnitron/counting.py), instead of every matching row to sort them by id.
KEYS_FIRST_FILTERS = frozenset({"email__startswith"})
SORT_FIELDS = (
    "id",
    "pk",
    "created_date",
    "modified_date",
    "email",
    "first_name",
    "last_name",
    "channel_code",
    "date_joined",
    "date_of_birth",
)


class CustomerFilterSet(BoundedTextFilterSet):
    pk = IntegerFilter(field_name="pk", lookup_expr="exact")
    pk__gt = IntegerFilter(field_name="pk", lookup_expr="gt")
    pk__gte = IntegerFilter(field_name="pk", lookup_expr="gte")
    pk__lt = IntegerFilter(field_name="pk", lookup_expr="lt")
    pk__lte = IntegerFilter(field_name="pk", lookup_expr="lte")
    pk__in = IntegerInFilter(field_name="pk", lookup_expr="in")
    # A customer has one channel: `channel IN (...)` cannot repeat a row, and
    # django-filter's default DISTINCT (over every column) cost a second a page
    # at a million rows.
    channel = IntegerPkMultipleChoiceFilter(queryset=Channel.objects.all(), distinct=False)
    email = filters.CharFilter(lookup_expr="exact")
    email__startswith = StartsWithFilter(field_name="email")
    first_name = CharFilterWithNull()
    last_name = CharFilterWithNull()
    phone_number = CharFilterWithNull()
    channel_code = CharFilterWithNull()
    erp_code = CharFilterWithNull()
    is_active = StrictBooleanFilter()
    email_allowed = StrictBooleanFilter()
    sms_allowed = StrictBooleanFilter()
    call_allowed = StrictBooleanFilter()
    date_joined = UtcIsoDateTimeFilter()
    gender = filters.ChoiceFilter(choices=Gender.choices)
    user_type = filters.ChoiceFilter(choices=UserType.choices)
    date_of_birth = filters.DateFilter()
    mapping = filters.CharFilter(
        method="filter_mapping",
        max_length=128,
        help_text="Code of the customer in an integrated system.",
    )
    mapping__integration_type = filters.CharFilter(
        method="filter_mapping",
        max_length=64,
        help_text="With `mapping`: the integrated system's type.",
    )
    sort = SortFilter(fields=[(name, name) for name in SORT_FIELDS])

    # OPTIONS (omnitron.metadata.ListMetadata) names the filter types as the
    # Omnitron documents them, not by the classes that implement them here.
    documented_filter_types = {
        "created_date": "DateFilter",
        "modified_date": "DateFilter",
        "mapping": "RelatedFilter",
    }
    per_request_filters = {
        field: ("JsonMethodFilter", ["exact"]) for field in JSON_KEY_FILTER_FIELDS
    }

    class Meta:
        model = Customer
        fields = {
            "id": COMPARISONS,
            "created_date": DATETIME_LOOKUPS,
            "modified_date": DATETIME_LOOKUPS,
        }
        filter_overrides = {
            models.BigAutoField: {"filter_class": IntegerFilter},
            models.DateTimeField: {"filter_class": UtcIsoDateTimeFilter},
        }

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters = self.filters.copy()
        for param in data or ():
            field_name, separator, key = param.partition("__")
            if separator and field_name in JSON_KEY_FILTER_FIELDS:
                self.filters[param] = JsonKeyFilter(field_name=field_name, key=key)

    def filter_mapping(self, queryset, name, value):
        # Both parameters describe one mapping row: apply them together, once.
        if name == "mapping__integration_type" and self.form.cleaned_data.get("mapping"):
            return queryset
        mappings = IntegrationMapping.objects.filter(customer=OuterRef("pk"))
        code = self.form.cleaned_data.get("mapping")
        integration_type = self.form.cleaned_data.get("mapping__integration_type")
        if code:
            mappings = mappings.filter(code=code)
        if integration_type:
            mappings = mappings.filter(integration_type=integration_type)
        return queryset.filter(Exists(mappings))
