"""AddressFilterSet: the documented lookups of the address list, and nothing else.

Every value is validated: a value a filter cannot read is a 400 naming the
parameter, never ignored. The customer and locations are filtered by id
without checking that they exist (an unknown one matches nothing), which
costs the list no query.
"""

from django.db import models
from django_filters import rest_framework as filters

from addresses.models import Address, AddressType
from omnitron.filters import (
    BoundedTextFilterSet,
    CharFilterWithNull,
    IntegerFilter,
    StrictBooleanFilter,
    UtcIsoDateTimeFilter,
)

COMPARISONS = ["exact", "gt", "gte", "lt", "lte"]


class AddressFilterSet(BoundedTextFilterSet):
    customer = IntegerFilter(help_text="The customer's id.")
    hash_data = filters.CharFilter(
        help_text="The digest of an address's content (the duplicate answer names it)."
    )
    is_active = StrictBooleanFilter()
    country = IntegerFilter(help_text="The country's id.")
    city = IntegerFilter(help_text="The city's id.")
    postcode = CharFilterWithNull(help_text="The postcode exactly; `null` for none.")
    email = CharFilterWithNull(help_text="The email exactly; `null` for none.")
    phone_number = filters.CharFilter(help_text="The phone number exactly.")
    remote_id = CharFilterWithNull(help_text="The id in another system exactly; `null` for none.")
    address_type = filters.ChoiceFilter(choices=AddressType.choices)

    class Meta:
        model = Address
        fields = {"created_date": COMPARISONS, "modified_date": COMPARISONS}
        filter_overrides = {models.DateTimeField: {"filter_class": UtcIsoDateTimeFilter}}
