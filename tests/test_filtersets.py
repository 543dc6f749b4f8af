"""Every filter of every FilterSet has a line in its filter test's table.

As NetBox's `test_missing_filters`: each FilterSet's test module holds a table
of `(params, expected)` lines, and a filter no line names is a lookup nobody
checked. Declaring a filter (or a FilterSet on a view) without a line fails here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from addresses.filters import AddressFilterSet
from audit.filters import AuditEventFilterSet
from channels.filters import ChannelFilterSet
from customers.filters import CustomerFilterSet
from customers.oms.filters import OmsCustomerFilterSet
from events.filters import EventFilterSet
from locations.filters import CityFilterSet, CountryFilterSet, DistrictFilterSet, TownshipFilterSet
from orders.filters import OrderFilterSet
from privacy.filters import ConsentChangeFilterSet
from tests import (
    test_address_filters,
    test_audit_api,
    test_channels_api,
    test_customer_filters,
    test_events,
    test_location_filters,
    test_oms_list_simple,
    test_orders_api,
    test_privacy_consents,
)


def sort_lines(sort_cases) -> list:
    """A module's `(sort, expected)` table as `(params, expected)` lines."""
    return [({"sort": sort}, expected) for sort, expected in sort_cases]


FILTER_TABLES = {
    CustomerFilterSet: [
        *test_customer_filters.FILTER_CASES,
        *sort_lines(test_customer_filters.SORT_CASES),
    ],
    OmsCustomerFilterSet: [
        *test_oms_list_simple.FILTER_CASES,
        *sort_lines(test_oms_list_simple.SORT_CASES),
    ],
    AuditEventFilterSet: test_audit_api.FILTER_CASES,
    ChannelFilterSet: test_channels_api.FILTER_CASES,
    OrderFilterSet: test_orders_api.FILTER_CASES,
    EventFilterSet: test_events.FILTER_CASES,
    AddressFilterSet: test_address_filters.FILTER_CASES,
    ConsentChangeFilterSet: test_privacy_consents.FILTER_CASES,
    CountryFilterSet: test_location_filters.COUNTRY_FILTER_CASES,
    CityFilterSet: test_location_filters.CITY_FILTER_CASES,
    TownshipFilterSet: test_location_filters.TOWNSHIP_FILTER_CASES,
    DistrictFilterSet: test_location_filters.DISTRICT_FILTER_CASES,
}


def untested_filters(filterset_class, table) -> set[str]:
    tested = {name for params, _ in table for name in params}
    return set(filterset_class.base_filters) - tested


def filtersets_of_views(patterns=None):
    """The filterset_class of every view the URLs route to."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from filtersets_of_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            filterset_class = getattr(view_class, "filterset_class", None)
            if filterset_class is not None:
                yield filterset_class


@pytest.mark.parametrize(
    ("filterset_class", "table"),
    FILTER_TABLES.items(),
    ids=[filterset_class.__name__ for filterset_class in FILTER_TABLES],
)
def test_missing_filters(filterset_class, table):
    assert untested_filters(filterset_class, table) == set()


def test_every_filterset_a_view_uses_has_a_table():
    assert set(filtersets_of_views()) - FILTER_TABLES.keys() == set()


def test_a_filter_without_a_line_is_found():
    table = [line for line in FILTER_TABLES[ChannelFilterSet] if "is_active" not in line[0]]

    assert untested_filters(ChannelFilterSet, table) == {"is_active"}
