"""AuditEventFilterSet: the filters of /api/v1/audit_events/.

Every value is validated: one the filter cannot read is a 400 naming it. Each
filter is served by an index (see AuditEvent.Meta and migration 0002).
"""

import re

from django.core.validators import RegexValidator
from django.db import models
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from audit.models import Action, AuditEvent, Source
from omnitron.filters import (
    BoundedTextFilterSet,
    IntegerFilter,
    UtcDateRangeFilter,
    UtcIsoDateTimeFilter,
)

# The customer model, named rather than imported: customers depend on audit, not the reverse.
CUSTOMER_TYPE = ("customers", "customer")
FIELD_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
OBJECT_TYPE = r"[a-z][a-z0-9_]{0,99}\.[a-z][a-z0-9_]{0,99}"
COMPARISONS = ["exact", "gt", "gte", "lt", "lte"]


def documented(filter_: filters.Filter, **schema) -> filters.Filter:
    """Give the filter's parameter this exact schema (and its help text as description)."""
    schema["description"] = filter_.extra.get("help_text", "")
    return extend_schema_field(schema)(filter_)


def integer(**kwargs) -> IntegerFilter:
    # drf-spectacular reads an IntegerFilter it cannot trace to an integer column as a number.
    return documented(IntegerFilter(**kwargs), type="integer")


def matching(pattern: str, message: str, **kwargs) -> filters.CharFilter:
    """A text filter whose value must match `pattern` whole, documented with that pattern.

    Not stripped: the schema's pattern refuses surrounding spaces, so the filter does too.
    """
    validator = RegexValidator(re.compile(rf"\A{pattern}\Z"), message)
    filter_ = filters.CharFilter(validators=[validator], strip=False, **kwargs)
    return documented(filter_, type="string", pattern=f"^{pattern}$")


class AuditEventFilterSet(BoundedTextFilterSet):
    customer = integer(
        method="filter_customer",
        help_text="Events of the customer with this id (also once it is deleted).",
    )
    object_type = matching(
        OBJECT_TYPE,
        "Enter <app_label>.<model>.",
        method="filter_object_type",
        help_text="`<app_label>.<model>` of the changed object, e.g. `customers.customer`.",
    )
    object_id = IntegerFilter(help_text="The changed object's id (use with `object_type`).")
    actor = integer(field_name="actor_id", help_text="Id of the user who made the change.")
    actor_username = filters.CharFilter(
        field_name="actor__username",
        max_length=150,
        help_text="Current username of the user who made the change.",
    )
    source = filters.ChoiceFilter(choices=Source.choices)
    action = filters.ChoiceFilter(choices=Action.choices)
    field = matching(
        FIELD_NAME,
        "Enter a field name.",
        field_name="changes",
        lookup_expr="has_key",
        help_text=(
            "Events that changed this field, e.g. `sms_allowed`. A create or a delete "
            "lists every field: add `action=update` for updates only."
        ),
    )
    timestamp__date = UtcDateRangeFilter(field_name="timestamp", lookup="exact")
    timestamp__date__gt = UtcDateRangeFilter(field_name="timestamp", lookup="gt")
    timestamp__date__gte = UtcDateRangeFilter(field_name="timestamp", lookup="gte")
    timestamp__date__lt = UtcDateRangeFilter(field_name="timestamp", lookup="lt")
    timestamp__date__lte = UtcDateRangeFilter(field_name="timestamp", lookup="lte")

    class Meta:
        model = AuditEvent
        fields = {"timestamp": COMPARISONS}
        filter_overrides = {models.DateTimeField: {"filter_class": UtcIsoDateTimeFilter}}

    def filter_customer(self, queryset, name, value):
        app_label, model = CUSTOMER_TYPE
        return queryset.filter(
            content_type__app_label=app_label, content_type__model=model, object_id=value
        )

    def filter_object_type(self, queryset, name, value):
        app_label, model = value.split(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
