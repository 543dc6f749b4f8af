"""The location routes: countries, cities, townships, districts, and their channel views."""

import pytest
from rest_framework.test import APIClient

from audit.models import Action, AuditEvent, Source
from locations.exceptions import LocationError
from locations.models import SALES_CHANNEL_INTEGRATION, City, Country, District, Township
from locations.services import LocationService
from tests.conftest import client_for, grant, make_user
from tests.factories import FIXTURE_CONTEXT, ChannelFactory

pytestmark = pytest.mark.django_db

LOCATION_PERMISSIONS = [
    f"locations.{action}_{model}"
    for model in ("country", "city", "township", "district")
    for action in ("view", "add", "change", "delete")
]


@pytest.fixture
def staff_user(db):
    user = make_user("location-staff", permissions=False)
    grant(user, *LOCATION_PERMISSIONS)
    return user


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    """A client allowed to write locations (the API users of create_api_user only read them)."""
    return client_for(staff_user)


def country(code="TR") -> Country:
    return Country.objects.get(code=code)


def city(name) -> City:
    return City.objects.get(name=name)


def township(name) -> Township:
    return Township.objects.get(name=name)


def district(name) -> District:
    return District.objects.get(name=name)


def events_of(location) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            content_type__model=location._meta.model_name, object_id=location.pk
        ).order_by("id")
    )


# Reading


def test_country_list_answers_the_documented_body(api, tr_locations):
    response = api.get("/api/v1/countries/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [{"pk": country().pk, "name": "Türkiye", "code": "TR", "is_active": True}],
    }


def test_each_level_shows_its_parents_by_pk(api, tr_locations):
    kadikoy = township("Kadıköy")
    caferaga = district("Caferağa")

    assert api.get(f"/api/v1/cities/{city('İstanbul').pk}/").json() == {
        "pk": city("İstanbul").pk,
        "name": "İstanbul",
        "country": country().pk,
        "is_active": True,
    }
    assert api.get(f"/api/v1/townships/{kadikoy.pk}/").json() == {
        "pk": kadikoy.pk,
        "name": "Kadıköy",
        "country": country().pk,
        "city": city("İstanbul").pk,
        "is_active": True,
    }
    assert api.get(f"/api/v1/districts/{caferaga.pk}/").json() == {
        "pk": caferaga.pk,
        "name": "Caferağa",
        "country": country().pk,
        "city": city("İstanbul").pk,
        "township": kadikoy.pk,
        "postcode": "34710",
        "is_active": True,
    }


@pytest.mark.parametrize(
    ("path", "count"),
    [("countries", 1), ("cities", 4), ("townships", 7), ("districts", 16)],
)
def test_lists_are_paginated_with_every_row_counted(api, tr_locations, path, count):
    response = api.get(f"/api/v1/{path}/", {"limit": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == count
    assert len(body["results"]) == min(2, count)


@pytest.mark.parametrize("path", ["countries", "cities", "townships", "districts"])
def test_unknown_pk_is_a_404(api, tr_locations, path):
    response = api.get(f"/api/v1/{path}/999999/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("pk", ["abc", "١", "٣٤", "1.5"])
def test_a_pk_that_is_not_ascii_digits_matches_no_route(api, tr_locations, pk):
    response = api.get(f"/api/v1/cities/{pk}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_options_of_a_list_names_its_filters(api, tr_locations):
    response = api.options("/api/v1/districts/")

    assert response.status_code == 200
    filters = {entry["field_name"] for entry in response.json()["filters"]}
    assert {"name", "country", "city", "township", "postcode", "is_active"} <= filters


# Permissions


def test_no_token_is_a_401(tr_locations):
    response = APIClient().get("/api/v1/cities/")

    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_user_without_the_view_permission_is_a_403(no_permission_api, tr_locations):
    assert no_permission_api.get("/api/v1/cities/").status_code == 403
    assert no_permission_api.get(f"/api/v1/cities/{city('Ankara').pk}/").status_code == 403


def test_api_users_read_locations_but_do_not_write_them(api, tr_locations):
    """create_api_user grants the view permissions only: staff write locations."""
    assert api.get("/api/v1/cities/").status_code == 200

    response = api.post("/api/v1/cities/", {"name": "Bursa", "country": country().pk})

    assert response.status_code == 403
    assert not City.objects.filter(name="Bursa").exists()
    assert api.delete(f"/api/v1/districts/{district('Emek').pk}/").status_code == 403


# Writing


def test_create_country_normalises_its_code_and_is_audited(staff_api, staff_user):
    response = staff_api.post(
        "/api/v1/countries/", {"name": "Deutschland", "code": "de"}, format="json"
    )

    assert response.status_code == 201
    created = Country.objects.get(code="DE")
    assert response.json() == {
        "pk": created.pk,
        "name": "Deutschland",
        "code": "DE",
        "is_active": True,
    }
    [event] = events_of(created)
    assert (event.action, event.source, event.actor) == (Action.CREATE, Source.API, staff_user)
    assert event.changes == {
        "name": [None, "Deutschland"],
        "code": [None, "DE"],
        "is_active": [None, True],
    }


@pytest.mark.parametrize("code", ["TUR", "T", "T1", "ÇÇ", ""])
def test_a_country_code_that_is_not_two_letters_is_a_400(staff_api, code):
    response = staff_api.post("/api/v1/countries/", {"name": "X", "code": code}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["code"]
    assert not Country.objects.exists()


def test_a_country_code_taken_is_a_400_naming_code(staff_api, tr_locations):
    response = staff_api.post("/api/v1/countries/", {"name": "Turkey", "code": "tr"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": ["A country with this code already exists."]}
    assert Country.objects.count() == 1


def test_create_requires_the_name_and_the_nearest_parent(staff_api, tr_locations):
    response = staff_api.post("/api/v1/districts/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field is required."],
        "township": ["This field is required."],
    }


def test_a_township_takes_its_country_from_its_city(staff_api, tr_locations):
    response = staff_api.post(
        "/api/v1/townships/", {"name": "Sarıyer", "city": city("İstanbul").pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["country"] == country().pk
    assert township("Sarıyer").country == country()


def test_a_district_takes_its_city_and_country_from_its_township(staff_api, tr_locations):
    response = staff_api.post(
        "/api/v1/districts/",
        {"name": "Moda", "township": township("Kadıköy").pk, "postcode": "34710"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["country"], body["city"], body["township"]) == (
        country().pk,
        city("İstanbul").pk,
        township("Kadıköy").pk,
    )
    assert body["postcode"] == "34710"


def test_a_township_whose_city_is_in_another_country_is_a_400_naming_city(staff_api, tr_locations):
    germany = LocationService.create_location(Country, name="Deutschland", code="DE")

    response = staff_api.post(
        "/api/v1/townships/",
        {"name": "Mitte", "country": germany.pk, "city": city("İstanbul").pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"city": ["This city is not in the given country."]}
    assert not Township.objects.filter(name="Mitte").exists()


def test_a_district_whose_township_is_in_another_city_is_a_400_naming_township(
    staff_api, tr_locations
):
    response = staff_api.post(
        "/api/v1/districts/",
        {"name": "Moda", "city": city("Ankara").pk, "township": township("Kadıköy").pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"township": ["This township is not in the given city."]}


def test_a_district_whose_city_is_in_another_country_is_a_400_naming_city(staff_api, tr_locations):
    germany = LocationService.create_location(Country, name="Deutschland", code="DE")

    response = staff_api.post(
        "/api/v1/districts/",
        {
            "name": "Moda",
            "country": germany.pk,
            "city": city("İstanbul").pk,
            "township": township("Kadıköy").pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"city": ["This city is not in the given country."]}


@pytest.mark.parametrize("name", ["ISTANBUL", "istanbul", " İstanbul "])
def test_a_name_its_parent_has_in_any_case_is_a_400_naming_name(staff_api, tr_locations, name):
    response = staff_api.post(
        "/api/v1/cities/", {"name": name, "country": country().pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"name": ["A city with this name already exists in this country."]}
    assert City.objects.count() == 4


def test_the_same_name_under_another_parent_is_allowed(staff_api, tr_locations):
    """Merkez is a township of many cities."""
    response = staff_api.post(
        "/api/v1/townships/", {"name": "Merkez", "city": city("Ankara").pk}, format="json"
    )

    assert response.status_code == 201
    assert Township.objects.filter(name="Merkez").count() == 2


def test_patch_renames_and_records_only_the_change(staff_api, staff_user, tr_locations):
    izmir = city("İzmir")

    response = staff_api.patch(f"/api/v1/cities/{izmir.pk}/", {"name": "İZMİR"}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "İZMİR"
    event = events_of(izmir)[-1]
    assert (event.action, event.actor) == (Action.UPDATE, staff_user)
    assert event.changes == {"name": ["İzmir", "İZMİR"]}
    # The folded name follows: the new spelling is found in any case.
    found = staff_api.get("/api/v1/cities/", {"name__iexact": "izmir"}).json()["results"]
    assert [row["pk"] for row in found] == [izmir.pk]


def test_patch_that_changes_nothing_records_nothing(staff_api, tr_locations):
    ankara = city("Ankara")

    response = staff_api.patch(f"/api/v1/cities/{ankara.pk}/", {"name": "Ankara"}, format="json")

    assert response.status_code == 200
    assert [event.action for event in events_of(ankara)] == [Action.CREATE]


def test_moving_a_township_to_a_city_of_another_country_moves_its_country(staff_api, tr_locations):
    germany = LocationService.create_location(Country, name="Deutschland", code="DE")
    berlin = LocationService.create_location(City, name="Berlin", country=germany)
    sariyer = LocationService.create_location(Township, name="Sarıyer", city=city("İstanbul"))

    response = staff_api.patch(
        f"/api/v1/townships/{sariyer.pk}/", {"city": berlin.pk}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["city"], response.json()["country"]) == (berlin.pk, germany.pk)
    assert events_of(sariyer)[-1].changes == {
        "country": [country().pk, germany.pk],
        "city": [city("İstanbul").pk, berlin.pk],
    }


def test_a_city_with_townships_cannot_move_to_another_country(staff_api, tr_locations):
    germany = LocationService.create_location(Country, name="Deutschland", code="DE")
    istanbul = city("İstanbul")

    response = staff_api.patch(
        f"/api/v1/cities/{istanbul.pk}/", {"country": germany.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"country": ["A city with townships cannot move to another country."]}
    assert city("İstanbul").country == country()


def test_put_replaces_the_writable_fields(staff_api, tr_locations):
    emek = district("Emek")

    response = staff_api.put(
        f"/api/v1/districts/{emek.pk}/",
        {"name": "Emek Mahallesi", "township": emek.township_id, "postcode": None},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["postcode"] is None
    assert events_of(emek)[-1].changes == {
        "name": ["Emek", "Emek Mahallesi"],
        "postcode": ["76000", None],
    }


def test_delete_removes_a_leaf_and_records_its_last_values(staff_api, staff_user, tr_locations):
    emek = district("Emek")

    response = staff_api.delete(f"/api/v1/districts/{emek.pk}/")

    assert response.status_code == 204
    assert not District.objects.filter(pk=emek.pk).exists()
    event = events_of(emek)[-1]
    assert (event.action, event.actor) == (Action.DELETE, staff_user)
    assert event.changes["name"] == ["Emek", None]
    assert event.changes["postcode"] == ["76000", None]


def test_a_location_with_children_cannot_be_deleted(staff_api, tr_locations):
    response = staff_api.delete(f"/api/v1/countries/{country().pk}/")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Country.objects.filter(code="TR").exists()
    assert [event.action for event in events_of(country())] == [Action.CREATE]


def test_deleting_a_location_deletes_its_mappings(staff_api, tr_locations):
    emek = district("Emek")
    LocationService.add_mapping(emek, SALES_CHANNEL_INTEGRATION, "5_76", FIXTURE_CONTEXT)

    staff_api.delete(f"/api/v1/districts/{emek.pk}/")

    assert not emek.mappings.exists()
    assert events_of(emek)[-1].changes["mappings"] == [["sales_channel:5_76"], None]


def test_a_mapping_is_recorded_on_its_location(tr_locations):
    ankara = city("Ankara")

    mapping = LocationService.add_mapping(ankara, SALES_CHANNEL_INTEGRATION, "5_06")
    LocationService.remove_mapping(ankara, mapping)

    assert [event.changes for event in events_of(ankara)[1:]] == [
        {"mapping": [None, "sales_channel:5_06"]},
        {"mapping": ["sales_channel:5_06", None]},
    ]


def test_a_mapping_code_taken_by_a_place_of_the_same_kind_is_refused(tr_locations):
    LocationService.add_mapping(city("Ankara"), SALES_CHANNEL_INTEGRATION, "5_06")

    with pytest.raises(LocationError) as refused:
        LocationService.add_mapping(city("İzmir"), SALES_CHANNEL_INTEGRATION, "5_06")

    assert refused.value.message_dict == {
        "code": ["This code is already mapped to a city of this integration type."]
    }
    # The same code for a place of another kind is another mapping.
    LocationService.add_mapping(township("Çankaya"), SALES_CHANNEL_INTEGRATION, "5_06")


# The sales-channel routes


@pytest.mark.parametrize("path", ["countries", "cities", "townships", "districts"])
def test_channel_route_lists_what_the_plain_route_lists(api, channel, tr_locations, path):
    plain = api.get(f"/api/v1/{path}/", {"limit": 100})
    scoped = api.get(f"/api/v1/channel/{channel.pk}/{path}/", {"limit": 100})

    assert scoped.status_code == 200
    assert scoped.json()["results"] == plain.json()["results"]


def test_channel_route_finds_a_place_by_the_channel_s_code(api, tr_locations):
    channel = ChannelFactory()
    istanbul = city("İstanbul")
    LocationService.add_mapping(istanbul, SALES_CHANNEL_INTEGRATION, f"{channel.pk}_34")

    response = api.get(
        f"/api/v1/channel/{channel.pk}/cities/",
        {"mapping__code__exact": f"{channel.pk}_34", "mapping__integration_type": "sales_channel"},
    )

    assert [row["name"] for row in response.json()["results"]] == ["İstanbul"]


def test_channel_route_retrieves_one(api, channel, tr_locations):
    response = api.get(f"/api/v1/channel/{channel.pk}/districts/{district('Bebek').pk}/")

    assert response.status_code == 200
    assert response.json()["postcode"] == "34342"


@pytest.mark.parametrize("channel_id", ["999999", "9" * 30, "9" * 5000, "0"])
@pytest.mark.parametrize("path", ["countries/", "cities/", "townships/1/"])
def test_channel_route_of_no_such_channel_is_a_404(api, tr_locations, channel_id, path):
    response = api.get(f"/api/v1/channel/{channel_id}/{path}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_channel_route_with_unicode_digits_matches_no_route(api, channel, tr_locations):
    response = api.get("/api/v1/channel/١/cities/")

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_channel_routes_are_read_only(staff_api, tr_locations, method):
    channel = ChannelFactory()
    ankara = city("Ankara")
    path = f"/api/v1/channel/{channel.pk}/cities/"
    if method != "post":
        path += f"{ankara.pk}/"

    response = getattr(staff_api, method)(
        path, {"name": "X", "country": country().pk}, format="json"
    )

    assert response.status_code == 405
    assert city("Ankara").name == "Ankara"


def test_channel_route_needs_the_view_permission(no_permission_api, channel, tr_locations):
    assert no_permission_api.get(f"/api/v1/channel/{channel.pk}/cities/").status_code == 403
    assert APIClient().get(f"/api/v1/channel/{channel.pk}/cities/").status_code == 401


# Queries


@pytest.mark.parametrize(
    ("url", "params", "queries"),
    [
        ("/api/v1/countries/", {}, 3),
        ("/api/v1/cities/", {"name__iexact": "ıstanbul"}, 3),
        ("/api/v1/townships/", {"is_active": "true"}, 3),
        ("/api/v1/districts/", {}, 3),
        ("/api/v1/districts/", {"mapping__integration_type": "sales_channel"}, 3),
        ("/api/v1/districts/", {"township": "{township}"}, 4),
        ("/api/v1/channel/{channel}/districts/", {}, 4),
    ],
)
def test_list_queries_do_not_grow_with_the_page(
    api, channel, tr_locations, django_assert_num_queries, url, params, queries
):
    """The token (1), the count (1), the page (1); a channel (1) or a parent filter's check (1)."""
    kadikoy = township("Kadıköy")
    for place in District.objects.all():
        LocationService.add_mapping(place, SALES_CHANNEL_INTEGRATION, f"{channel.pk}_{place.pk}")
    url = url.format(channel=channel.pk)
    params = {key: value.format(township=kadikoy.pk) for key, value in params.items()}
    for limit in (1, 100):
        with django_assert_num_queries(queries):
            response = api.get(url, {**params, "limit": limit})
        assert response.status_code == 200
        assert len(response.json()["results"]) >= 1
