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


# Countries


def test_country_code(api, places):
    assert count(api, "countries", {"code": "TR"}) == 1


def test_country_code_in_either_case(api, places):
    assert count(api, "countries", {"code": "de"}) == 1


def test_country_code_exact(api, places):
    assert count(api, "countries", {"code__exact": "DE"}) == 1
    assert count(api, "countries", {"code__exact": "de"}) == 0


def test_country_name(api, places):
    assert count(api, "countries", {"name": "Türkiye"}) == 1


def test_country_name_iexact(api, places):
    assert count(api, "countries", {"name__iexact": "TÜRKİYE"}) == 1


def test_country_is_active(api, places):
    assert count(api, "countries", {"is_active": "true"}) == 2


def test_country_mapping_code(api, places):
    assert count(api, "countries", {"mapping__code__exact": "5_34"}) == 0


# Cities


def test_city_name(api, places):
    assert count(api, "cities", {"name": "Ankara"}) == 1


def test_city_name_is_exact(api, places):
    assert count(api, "cities", {"name": "ankara"}) == 0


def test_city_name_exact(api, places):
    assert count(api, "cities", {"name__exact": "İzmir"}) == 1


def test_city_name_iexact(api, places):
    assert count(api, "cities", {"name__iexact": "ANKARA"}) == 1


def test_city_country(api, places):
    assert count(api, "cities", {"country": places["TR"]}) == 4


def test_city_country_repeated(api, places):
    assert count(api, "cities", {"country": [places["TR"], places["DE"]]}) == 5


def test_city_is_active(api, places):
    assert count(api, "cities", {"is_active": "false"}) == 1


def test_city_is_active_spelled_as_a_number(api, places):
    assert count(api, "cities", {"is_active": "1"}) == 4


def test_city_mapping_code_exact(api, places):
    assert count(api, "cities", {"mapping__code__exact": "5_34"}) == 1


def test_city_mapping_integration_type(api, places):
    assert count(api, "cities", {"mapping__integration_type": "sales_channel"}) == 1


def test_city_mapping_code_of_an_integration_type(api, places):
    assert (
        count(api, "cities", {"mapping__code__exact": "5_34", "mapping__integration_type": "erp"})
        == 0
    )
    assert (
        count(api, "cities", {"mapping__code__exact": "ERP-34", "mapping__integration_type": "erp"})
        == 1
    )


def test_city_mapping_code_of_another_kind_of_place(api, places):
    """Kadıköy's code is a township's: no city has it."""
    assert count(api, "cities", {"mapping__code__exact": "5_3401"}) == 0


# Townships


def test_township_name(api, places):
    assert count(api, "townships", {"name": "Merkez"}) == 1


def test_township_name_exact(api, places):
    assert count(api, "townships", {"name__exact": "Kadıköy"}) == 1


def test_township_name_iexact(api, places):
    assert count(api, "townships", {"name__iexact": "KADIKÖY"}) == 1


def test_township_country(api, places):
    assert count(api, "townships", {"country": places["TR"]}) == 7


def test_township_city(api, places):
    assert count(api, "townships", {"city": places["İstanbul"]}) == 3


def test_township_is_active(api, places):
    assert count(api, "townships", {"is_active": "True"}) == 8


def test_township_mapping_code_exact(api, places):
    assert count(api, "townships", {"mapping__code__exact": "5_3401"}) == 1


def test_township_mapping_integration_type(api, places):
    assert count(api, "townships", {"mapping__integration_type": "erp"}) == 1


# Districts


def test_district_name(api, places):
    assert count(api, "districts", {"name": "Bebek"}) == 1


def test_district_name_exact(api, places):
    assert count(api, "districts", {"name__exact": "Kızılay"}) == 1


def test_district_name_iexact(api, places):
    assert count(api, "districts", {"name__iexact": "KIZILAY"}) == 1


def test_district_country(api, places):
    assert count(api, "districts", {"country": places["DE"]}) == 2


def test_district_city(api, places):
    assert count(api, "districts", {"city": places["İstanbul"]}) == 8


def test_district_township(api, places):
    assert count(api, "districts", {"township": places["Beşiktaş"]}) == 3


def test_district_township_repeated(api, places):
    assert count(api, "districts", {"township": [places["Beşiktaş"], places["Kadıköy"]]}) == 6


def test_district_postcode(api, places):
    assert count(api, "districts", {"postcode": "76000"}) == 2


def test_district_postcode_null(api, places):
    assert count(api, "districts", {"postcode": "null"}) == 1


def test_district_is_active(api, places):
    assert count(api, "districts", {"is_active": "false"}) == 0


def test_district_mapping_code_exact(api, places):
    assert count(api, "districts", {"mapping__code__exact": "5_340101"}) == 1


def test_district_mapping_integration_type(api, places):
    assert count(api, "districts", {"mapping__integration_type": "sales_channel"}) == 1


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
