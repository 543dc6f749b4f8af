"""The filters of the location lists: the documented lookups, nothing else.

Every value is validated: a value a filter cannot read is a 400 naming the
parameter, never ignored.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters

from locations.models import (
    INTEGRATION_TYPE_LENGTH,
    MAPPING_CODE_LENGTH,
    City,
    Country,
    District,
    LocationMapping,
    Township,
)
from omnitron.filters import (
    BoundedTextFilterSet,
    CharFilterWithNull,
    IntegerPkMultipleChoiceFilter,
    StrictBooleanFilter,
)
from omnitron.text import turkish_fold


class TurkishIExactFilter(filters.CharFilter):
    """The name, whatever its case, with the Turkish dotted and dotless i as one letter.

    Compares the folded name the service stores with the folded value, so
    PostgreSQL and SQLite give the same answer (neither database's own
    case-insensitive comparison knows Turkish) and an index serves it.
    """

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(**{f"{self.field_name}_folded": turkish_fold(value)})


class CountryCodeFilter(filters.CharFilter):
    """An ISO code in either case: codes are stored in capitals (`tr` finds TR)."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(**{self.field_name: value.upper()})


class LocationFilterSet(BoundedTextFilterSet):
    name = filters.CharFilter(lookup_expr="exact", help_text="The name exactly.")
    name__exact = filters.CharFilter(field_name="name", lookup_expr="exact")
    name__iexact = TurkishIExactFilter(
        field_name="name",
        help_text="The name in any case, Turkish-aware: ISTANBUL finds İstanbul, ığdır Iğdır.",
    )
    is_active = StrictBooleanFilter()
    mapping__code__exact = filters.CharFilter(
        method="filter_mapping",
        max_length=MAPPING_CODE_LENGTH,
        help_text=(
            "A code an integrated system gives the place; a sales channel's is "
            "`{channel_id}_{its code}`."
        ),
    )
    mapping__integration_type = filters.CharFilter(
        method="filter_mapping",
        max_length=INTEGRATION_TYPE_LENGTH,
        help_text="Places mapped in this integration type (`sales_channel`); with "
        "`mapping__code__exact`, of that mapping.",
    )

    def filter_mapping(self, queryset, name, value):
        # Both parameters describe one mapping row: apply them together, once.
        code = self.form.cleaned_data.get("mapping__code__exact")
        if name == "mapping__integration_type" and code:
            return queryset
        mappings = LocationMapping.objects.filter(
            content_type=ContentType.objects.get_for_model(queryset.model),
            object_id=OuterRef("pk"),
        )
        integration_type = self.form.cleaned_data.get("mapping__integration_type")
        if code:
            mappings = mappings.filter(code=code)
        if integration_type:
            mappings = mappings.filter(integration_type=integration_type)
        return queryset.filter(Exists(mappings))


def _parent_filter(model):
    # One parent per row: `IN (...)` cannot repeat a row, so no DISTINCT.
    return IntegerPkMultipleChoiceFilter(queryset=model.objects.all(), distinct=False)


class CountryFilterSet(LocationFilterSet):
    code = CountryCodeFilter(help_text="The ISO 3166-1 alpha-2 code, in either case.")
    code__exact = filters.CharFilter(field_name="code", lookup_expr="exact")

    class Meta:
        model = Country
        fields: list[str] = []


class CityFilterSet(LocationFilterSet):
    country = _parent_filter(Country)

    class Meta:
        model = City
        fields: list[str] = []


class TownshipFilterSet(LocationFilterSet):
    country = _parent_filter(Country)
    city = _parent_filter(City)

    class Meta:
        model = Township
        fields: list[str] = []


class DistrictFilterSet(LocationFilterSet):
    country = _parent_filter(Country)
    city = _parent_filter(City)
    township = _parent_filter(Township)
    postcode = CharFilterWithNull(help_text="The postcode exactly; `null` for none.")

    class Meta:
        model = District
        fields: list[str] = []
