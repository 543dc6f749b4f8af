"""The location admin pages write through LocationService, audited as the staff user."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from audit.models import Action, AuditEvent, Source
from locations.models import City, District, Township

pytestmark = pytest.mark.django_db

NO_MAPPINGS = {
    "locations-locationmapping-content_type-object_id-TOTAL_FORMS": "0",
    "locations-locationmapping-content_type-object_id-INITIAL_FORMS": "0",
}


@pytest.fixture
def staff():
    return get_user_model().objects.create_superuser("staff", "staff@example.com", "pw-123456")


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def last_event(location) -> AuditEvent:
    return AuditEvent.objects.filter(
        content_type__model=location._meta.model_name, object_id=location.pk
    ).latest("id")


def test_admin_add_creates_through_the_service(admin_client, staff, tr_locations):
    kadikoy = Township.objects.get(name="Kadıköy")
    data = {"name": " Moda ", "township": kadikoy.pk, "postcode": "34710", "is_active": "on"}

    response = admin_client.post("/admin/locations/district/add/", {**data, **NO_MAPPINGS})

    assert response.status_code == 302, response.content[:3000]
    moda = District.objects.get(name="Moda")
    assert (moda.city_id, moda.country_id) == (kadikoy.city_id, kadikoy.country_id)
    event = last_event(moda)
    assert (event.action, event.source, event.actor) == (Action.CREATE, Source.ADMIN, staff)


def test_admin_shows_a_township_outside_its_city_beside_the_field(admin_client, tr_locations):
    data = {
        "name": "Moda",
        "city": City.objects.get(name="Ankara").pk,
        "township": Township.objects.get(name="Kadıköy").pk,
        "is_active": "on",
    }

    response = admin_client.post("/admin/locations/district/add/", {**data, **NO_MAPPINGS})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "township": ["This township is not in the given city."]
    }
    assert not District.objects.filter(name="Moda").exists()


def test_admin_shows_a_name_taken_in_any_case(admin_client, tr_locations):
    istanbul = City.objects.get(name="İstanbul")
    data = {"name": "ÜSKÜDAR", "city": istanbul.pk, "is_active": "on"}

    response = admin_client.post("/admin/locations/township/add/", {**data, **NO_MAPPINGS})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "name": ["A township with this name already exists in this city."]
    }


def test_admin_change_records_the_change_and_a_new_mapping(admin_client, staff, tr_locations):
    ankara = City.objects.get(name="Ankara")
    data = {
        "name": "Ankara",
        "country": ankara.country_id,
        "locations-locationmapping-content_type-object_id-TOTAL_FORMS": "1",
        "locations-locationmapping-content_type-object_id-INITIAL_FORMS": "0",
        "locations-locationmapping-content_type-object_id-0-integration_type": "sales_channel",
        "locations-locationmapping-content_type-object_id-0-code": "5_06",
    }

    response = admin_client.post(f"/admin/locations/city/{ankara.pk}/change/", data)

    assert response.status_code == 302, response.content[:3000]
    assert City.objects.get(pk=ankara.pk).is_active is False
    assert [str(mapping) for mapping in ankara.mappings.all()] == ["sales_channel:5_06"]
    events = AuditEvent.objects.filter(content_type__model="city", object_id=ankara.pk)
    changes = [event.changes for event in events.order_by("id")][1:]
    assert changes == [{"is_active": [True, False]}, {"mapping": [None, "sales_channel:5_06"]}]
    assert {(event.source, event.actor) for event in events[:2]} == {(Source.ADMIN, staff)}


def test_admin_delete_is_audited(admin_client, staff, tr_locations):
    emek = District.objects.get(name="Emek")

    response = admin_client.post(f"/admin/locations/district/{emek.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not District.objects.filter(pk=emek.pk).exists()
    event = last_event(emek)
    assert (event.action, event.source, event.actor) == (Action.DELETE, Source.ADMIN, staff)


@pytest.mark.parametrize(
    ("term", "expected"),
    [("ISTANBUL", ["İstanbul"]), ("ığdır", ["Iğdır"]), ("KAR", ["Ankara"]), ("nowhere", [])],
)
def test_changelist_search_is_turkish_aware(admin_client, tr_locations, term, expected):
    response = admin_client.get("/admin/locations/city/", {"q": term})

    assert response.status_code == 200
    assert [city.name for city in response.context["cl"].result_list] == expected


@pytest.mark.parametrize("model", ["country", "city", "township", "district"])
def test_changelist_and_add_pages_answer(admin_client, tr_locations, model):
    assert admin_client.get(f"/admin/locations/{model}/").status_code == 200
    assert admin_client.get(f"/admin/locations/{model}/add/").status_code == 200
