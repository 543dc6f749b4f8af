"""The location lists' filters, one line per lookup (NetBox style), on the Turkish set.

The fixture: the shipped set (Türkiye, 4 cities, 7 townships, 16 districts),
Germany with Berlin (inactive) and its township Mitte with two districts, and
sales-channel mappings for İstanbul, Kadıköy and Caferağa.
"""

# ruff: noqa: RUF002 (Turkish place names are the data here)

import pytest

from locations.models import SALES_CHANNEL_INTEGRATION, City, Country, District, Township
from locations.services import LocationService

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(tr_locations):
    germany = LocationService.create_location(Country, name="Deutschland", code="DE")
    berlin = LocationService.create_location(City, name="Berlin", country=germany, is_active=False)
    mitte = LocationService.create_location(Township, name="Mitte", city=berlin)
    LocationService.create_location(District, name="Moabit", township=mitte, postcode="10551")
    LocationService.create_location(District, name="Wedding", township=mitte, postcode=None)
    for model, name, code in [
        (City, "İstanbul", "34"),
        (Township, "Kadıköy", "3401"),
        (District, "Caferağa", "340101"),
    ]:
        place = model.objects.get(name=name)
        LocationService.add_mapping(place, SALES_CHANNEL_INTEGRATION, f"5_{code}")
        LocationService.add_mapping(place, "erp", f"ERP-{code}")
    return {
        "TR": Country.objects.get(code="TR").pk,
        "DE": germany.pk,
        "İstanbul": City.objects.get(name="İstanbul").pk,
        "Ankara": City.objects.get(name="Ankara").pk,
        "Kadıköy": Township.objects.get(name="Kadıköy").pk,
        "Beşiktaş": Township.objects.get(name="Beşiktaş").pk,
    }


def count(api, path: str, params: dict) -> int:
    response = api.get(f"/api/v1/{path}/", params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def names(api, path: str, params: dict) -> list[str]:
    response = api.get(f"/api/v1/{path}/", {**params, "limit": 100})
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def resolved(params: dict, places: dict) -> dict:
    """A table line's params, with `@name` read as the pk of that place in the fixture."""

    def pk(value):
        return places[value[1:]] if isinstance(value, str) and value.startswith("@") else value

    return {
        name: [pk(item) for item in value] if isinstance(value, list) else pk(value)
        for name, value in params.items()
    }


COUNTRY_FILTER_CASES = [
    ({"code": "TR"}, 1),
    ({"code": "de"}, 1),  # either case
    ({"code__exact": "DE"}, 1),
    ({"code__exact": "de"}, 0),
    ({"name": "Türkiye"}, 1),
    ({"name__exact": "Deutschland"}, 1),
    ({"name__iexact": "TÜRKİYE"}, 1),
    ({"is_active": "true"}, 2),
    ({"mapping__code__exact": "5_34"}, 0),
    ({"mapping__integration_type": "sales_channel"}, 0),
]
CITY_FILTER_CASES = [
    ({"name": "Ankara"}, 1),
    ({"name": "ankara"}, 0),
    ({"name__exact": "İzmir"}, 1),
    ({"name__iexact": "ANKARA"}, 1),
    ({"country": "@TR"}, 4),
    ({"country": ["@TR", "@DE"]}, 5),
    ({"is_active": "false"}, 1),
    ({"is_active": "1"}, 4),
    ({"mapping__code__exact": "5_34"}, 1),
    ({"mapping__code__exact": "5_3401"}, 0),  # a township's code, not a city's
    ({"mapping__integration_type": "sales_channel"}, 1),
    ({"mapping__code__exact": "5_34", "mapping__integration_type": "erp"}, 0),
    ({"mapping__code__exact": "ERP-34", "mapping__integration_type": "erp"}, 1),
]
TOWNSHIP_FILTER_CASES = [
    ({"name": "Merkez"}, 1),
    ({"name__exact": "Kadıköy"}, 1),
    ({"name__iexact": "KADIKÖY"}, 1),
    ({"country": "@TR"}, 7),
    ({"city": "@İstanbul"}, 3),
    ({"is_active": "True"}, 8),
    ({"mapping__code__exact": "5_3401"}, 1),
    ({"mapping__integration_type": "erp"}, 1),
]
DISTRICT_FILTER_CASES = [
    ({"name": "Bebek"}, 1),
    ({"name__exact": "Kızılay"}, 1),
    ({"name__iexact": "KIZILAY"}, 1),
    ({"country": "@DE"}, 2),
    ({"city": "@İstanbul"}, 8),
    ({"township": "@Beşiktaş"}, 3),
    ({"township": ["@Beşiktaş", "@Kadıköy"]}, 6),
    ({"postcode": "76000"}, 2),
    ({"postcode": "null"}, 1),
    ({"is_active": "false"}, 0),
    ({"mapping__code__exact": "5_340101"}, 1),
    ({"mapping__integration_type": "sales_channel"}, 1),
]
FILTER_TABLES = {
    "countries": COUNTRY_FILTER_CASES,
    "cities": CITY_FILTER_CASES,
    "townships": TOWNSHIP_FILTER_CASES,
    "districts": DISTRICT_FILTER_CASES,
}


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        (path, params, expected)
        for path, table in FILTER_TABLES.items()
        for params, expected in table
    ],
)
def test_filter(api, places, path, params, expected):
    assert count(api, path, resolved(params, places)) == expected


def test_filters_combine(api, places):
    params = {"city": places["İstanbul"], "postcode": "34710", "name__iexact": "CAFERAĞA"}
    assert names(api, "districts", params) == ["Caferağa"]


# Turkish-aware name__iexact, the same on PostgreSQL and SQLite


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("cities", "İstanbul", ["İstanbul"]),
        ("cities", "ISTANBUL", ["İstanbul"]),
        ("cities", "istanbul", ["İstanbul"]),
        ("cities", "İSTANBUL", ["İstanbul"]),
        ("cities", "i̇stanbul", ["İstanbul"]),  # "İstanbul".lower(): i and a combining dot
        ("cities", "Iğdır", ["Iğdır"]),
        ("cities", "IĞDIR", ["Iğdır"]),
        ("cities", "ığdır", ["Iğdır"]),
        ("cities", "iğdir", ["Iğdır"]),
        ("cities", "İZMİR", ["İzmir"]),
        ("cities", "izmir", ["İzmir"]),
        ("townships", "Kadıköy", ["Kadıköy"]),
        ("townships", "KADIKÖY", ["Kadıköy"]),
        ("townships", "kadıköy", ["Kadıköy"]),
        ("townships", "BEŞİKTAŞ", ["Beşiktaş"]),
        ("townships", "üsküdar", ["Üsküdar"]),
        ("townships", "ÇANKAYA", ["Çankaya"]),
        ("townships", "KARŞIYAKA", ["Karşıyaka"]),
        ("districts", "FENERBAHÇE", ["Fenerbahçe"]),
        ("districts", "bağlar", ["Bağlar"]),
        ("cities", "Istanbu", []),
        ("townships", "Kadikoy", []),
    ],
)
def test_name_iexact_is_turkish_aware(api, places, path, value, expected):
    assert names(api, path, {"name__iexact": value}) == expected


# Invalid values: a 400 naming the filter


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("cities", {"is_active": "maybe"}, "is_active"),
        ("cities", {"country": "TR"}, "country"),
        ("cities", {"country": "999999"}, "country"),
        ("cities", {"country": "9" * 30}, "country"),
        ("townships", {"city": "-1"}, "city"),
        ("districts", {"township": "1.5"}, "township"),
        ("cities", {"name": "x" * 256}, "name"),
        ("cities", {"name__iexact": "x" * 256}, "name__iexact"),
        ("countries", {"code": "TRX"}, "code"),
        ("countries", {"code__exact": "TRX"}, "code__exact"),
        ("districts", {"postcode": "9" * 65}, "postcode"),
        ("districts", {"mapping__code__exact": "x" * 129}, "mapping__code__exact"),
        ("districts", {"mapping__integration_type": "x" * 65}, "mapping__integration_type"),
        ("cities", {"name": "a\x00b"}, "name"),
    ],
)
def test_an_invalid_value_is_a_400_naming_the_filter(api, places, path, params, named):
    response = api.get(f"/api/v1/{path}/", params)

    assert response.status_code == 400
    assert named in response.json()


@pytest.mark.parametrize("path", ["countries", "cities", "townships", "districts"])
def test_an_empty_value_is_no_filter(api, places, path):
    assert count(api, path, {"name__iexact": "", "is_active": ""}) == count(api, path, {})
