"""The filters of the OMS list-simple, named and labelled as the OMS documents them.

Labels matter: OPTIONS lists the filters by label, and the five
`modified_date` lookups share one, so they are one entry there.
"""

from django_filters import rest_framework as filters

from customers.models import Customer
from omnitron.filters import (
    BoundedTextFilterSet,
    CharFilterWithNull,
    IntegerFilter,
    SortFilter,
    UtcIsoDateTimeFilter,
)

MODIFIED_DATE = "Modified Date"


class OmsCustomerFilterSet(BoundedTextFilterSet):
    sort = SortFilter(
        fields=[("id", "id"), ("modified_date", "modified_date")],
        field_labels={"id": "ID", "modified_date": MODIFIED_DATE},
        label="Sort",
    )
    id__gt = IntegerFilter(field_name="id", lookup_expr="gt", label="Id Gt")
    id__gte = IntegerFilter(field_name="id", lookup_expr="gte", label="Id Gte")
    id__lt = IntegerFilter(field_name="id", lookup_expr="lt", label="Id Lt")
    id__lte = IntegerFilter(field_name="id", lookup_expr="lte", label="Id Lte")
    first_name = CharFilterWithNull(label="First Name")
    last_name = CharFilterWithNull(label="Last Name")
    email = filters.CharFilter(label="Email")
    phone_number = CharFilterWithNull(label="Phone Number")
    erp_code = CharFilterWithNull(label="Erp Code")
    channel_id = IntegerFilter(field_name="channel_id", label="Channel Id")
    modified_date = UtcIsoDateTimeFilter(label=MODIFIED_DATE)
    modified_date__gt = UtcIsoDateTimeFilter(
        field_name="modified_date", lookup_expr="gt", label=MODIFIED_DATE
    )
    modified_date__gte = UtcIsoDateTimeFilter(
        field_name="modified_date", lookup_expr="gte", label=MODIFIED_DATE
    )
    modified_date__lt = UtcIsoDateTimeFilter(
        field_name="modified_date", lookup_expr="lt", label=MODIFIED_DATE
    )
    modified_date__lte = UtcIsoDateTimeFilter(
        field_name="modified_date", lookup_expr="lte", label=MODIFIED_DATE
    )

    class Meta:
        model = Customer
        fields: list[str] = []
