"""The address admin page writes through AddressService; a customer's page lists its addresses."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from addresses.models import Address
from audit.models import Action, AuditEvent, Source
from locations.models import City, Country, Township
from tests.factories import CustomerFactory, create_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return get_user_model().objects.create_superuser("staff", "staff@example.com", "pw-123456")


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def customer(channel):
    return CustomerFactory(channel=channel)


def form(customer, **changes) -> dict:
    data = {
        "customer": customer.pk,
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone_number": "05551112233",
        "country": Country.objects.get(code="TR").pk,
        "city": City.objects.get(name="İstanbul").pk,
        "line": "Moda Cad. 1",
        "address_type": "customer",
        "extra_field": "{}",
        "is_active": "on",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


def events_of(address) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(content_type__model="address", object_id=address.pk).order_by(
            "id"
        )
    )


def test_admin_add_and_change_go_through_the_service(admin_client, staff, customer, tr_locations):
    response = admin_client.post("/admin/addresses/address/add/", form(customer))
    assert response.status_code == 302, response.content[:3000]
    address = Address.objects.get()

    response = admin_client.post(
        f"/admin/addresses/address/{address.pk}/change/", form(customer, line="Bağdat Cad. 2")
    )

    assert response.status_code == 302, response.content[:3000]
    address.refresh_from_db()
    assert (address.line, address.version) == ("Bağdat Cad. 2", 2)
    events = events_of(address)
    assert [e.action for e in events] == [Action.CREATE, Action.UPDATE]
    assert {(e.source, e.actor_id) for e in events} == {(Source.ADMIN, staff.pk)}
    assert set(events[1].changes) == {"line", "hash_data"}


def test_admin_shows_a_township_outside_its_city_beside_the_field(
    admin_client, customer, tr_locations
):
    data = form(customer, city=City.objects.get(name="Ankara").pk)
    data["township"] = Township.objects.get(name="Kadıköy").pk

    response = admin_client.post("/admin/addresses/address/add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "township": ["This township is not in the given city."]
    }
    assert not Address.objects.exists()


def test_admin_shows_an_address_the_customer_has(admin_client, customer, tr_locations):
    existing = create_address(
        customer, Country.objects.get(code="TR"), City.objects.get(name="İstanbul")
    )

    response = admin_client.post(
        "/admin/addresses/address/add/", form(customer, line="MODA CAD. 1")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith(f"hash_data:{existing.hash_data} ")
    assert Address.objects.count() == 1


def test_admin_delete_is_audited(admin_client, customer, tr_locations):
    address = create_address(
        customer, Country.objects.get(code="TR"), City.objects.get(name="İstanbul")
    )

    response = admin_client.post(f"/admin/addresses/address/{address.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Address.objects.exists()
    assert events_of(address)[-1].action == Action.DELETE


def test_the_customer_page_lists_its_addresses(admin_client, customer, tr_locations):
    address = create_address(
        customer, Country.objects.get(code="TR"), City.objects.get(name="İstanbul")
    )

    page = admin_client.get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()

    assert f'href="/admin/addresses/address/{address.pk}/change/"' in page
    assert "Moda Cad. 1" in page


def test_changelist_and_search_answer(admin_client, customer, tr_locations):
    address = create_address(
        customer, Country.objects.get(code="TR"), City.objects.get(name="İstanbul")
    )

    response = admin_client.get("/admin/addresses/address/", {"q": address.hash_data})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [address]
