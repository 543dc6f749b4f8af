"""ConsentChangeFilterSet: the filters of the consent history. A value it cannot read is a 400."""

from django.db import models
from django_filters import rest_framework as filters

from audit.models import Source
from omnitron.filters import (
    BoundedTextFilterSet,
    IntegerFilter,
    StrictBooleanFilter,
    UtcIsoDateTimeFilter,
)
from privacy.models import ConsentChange, ConsentField


class ConsentChangeFilterSet(BoundedTextFilterSet):
    customer = IntegerFilter(field_name="customer_id", help_text="The customer's id.")
    field = filters.ChoiceFilter(choices=ConsentField.choices)
    value = StrictBooleanFilter(help_text="The value the permission took (true/false, 1/0).")
    channel = IntegerFilter(field_name="channel_id", help_text="The sales channel's id.")
    source = filters.ChoiceFilter(choices=Source.choices)

    class Meta:
        model = ConsentChange
        fields = {"changed_at": ["gte", "lte"]}
        filter_overrides = {models.DateTimeField: {"filter_class": UtcIsoDateTimeFilter}}
