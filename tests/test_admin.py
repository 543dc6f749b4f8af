"""The Django admin writes customers through CustomerService, audited as the staff user."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import Action, AuditEvent, Source
from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return get_user_model().objects.create_superuser("staff", "staff@example.com", "pw-123456")


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def form_data(customer: Customer, **changes) -> dict:
    data = {
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone_number": customer.phone_number or "",
        "channel_code": customer.channel_code,
        "erp_code": customer.erp_code or "",
        "extra_field": "{}",
        "attributes": "{}",
        "attributes_kwargs": "{}",
        "localized_attributes": "{}",
        "localized_attributes_kwargs": "{}",
        "gender": "",
        "user_type": "",
        "is_active": "on" if customer.is_active else "",
        "sms_allowed": "on" if customer.sms_allowed else "",
        "email_allowed": "on" if customer.email_allowed else "",
        "call_allowed": "on" if customer.call_allowed else "",
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_admin_change_is_audited_as_the_staff_user(admin_client, staff, channel):
    customer = CustomerFactory(channel=channel, sms_allowed=True)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    data = form_data(customer)
    data.pop("sms_allowed")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content[:2000]
    assert Customer.objects.get(pk=customer.pk).sms_allowed is False
    event = AuditEvent.objects.filter(object_id=customer.pk).latest("id")
    assert (event.action, event.source, event.actor) == (Action.UPDATE, Source.ADMIN, staff)
    assert event.changes == {"sms_allowed": [True, False]}


def test_admin_add_creates_through_the_service(admin_client, staff, channel):
    data = {
        "channel": channel.pk,
        "email": "new@example.com",
        "channel_code": "ADM-1",
        "extra_field": "{}",
        "attributes": "{}",
        "attributes_kwargs": "{}",
        "localized_attributes": "{}",
        "localized_attributes_kwargs": "{}",
        "_save": "Save",
    }
    response = admin_client.post("/admin/customers/customer/add/", data)

    assert response.status_code == 302
    customer = Customer.objects.get(channel_code="ADM-1")
    event = AuditEvent.objects.get(object_id=customer.pk)
    assert (event.action, event.source, event.actor) == (Action.CREATE, Source.ADMIN, staff)


def test_admin_cannot_change_the_channel(admin_client, channel, other_channel):
    customer = CustomerFactory(channel=channel)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    admin_client.post(url, form_data(customer, channel=other_channel.pk))
    assert Customer.objects.get(pk=customer.pk).channel_id == channel.pk


def test_admin_delete_is_audited(admin_client, staff, channel):
    customer = CustomerFactory(channel=channel)
    url = f"/admin/customers/customer/{customer.pk}/delete/"
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    event = AuditEvent.objects.filter(object_id=customer.pk).latest("id")
    assert (event.action, event.source, event.actor) == (Action.DELETE, Source.ADMIN, staff)


def test_admin_changelist_and_search_answer(admin_client, channel):
    CustomerFactory(channel=channel, email="findme@example.com")
    response = admin_client.get("/admin/customers/customer/", {"q": "findme@example.com"})
    assert response.status_code == 200
    assert b"findme@example.com" in response.content


def test_customer_page_shows_its_audit_history(admin_client, api, channel):
    customer = CustomerFactory(channel=channel, sms_allowed=True)
    api.patch(f"/api/v1/customers/{customer.pk}/", {"sms_allowed": False}, format="json")

    response = admin_client.get(f"/admin/customers/customer/{customer.pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Audit history" in page
    assert "sms_allowed: True → False" in page
    assert "integrator" in page  # the API user who made the change
    assert f"object_id={customer.pk}" in page  # the link to every record


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ayse@", ["ayse"]),
        ("Yılmaz", ["ayse", "mehmet"]),
        ("Ayşe Yılmaz", ["ayse"]),
        ("+905551112233", ["mehmet"]),
        ("ERP-9", ["mehmet"]),
        ("CODE-1", ["ayse"]),
        ("nobody", []),
    ],
)
def test_changelist_searches_email_names_phone_and_codes(admin_client, channel, term, expected):
    customers = {
        "ayse": CustomerFactory(
            channel=channel,
            email="ayse@example.com",
            first_name="Ayşe",
            last_name="Yılmaz",
            channel_code="CODE-1",
        ),
        "mehmet": CustomerFactory(
            channel=channel,
            email="mehmet@example.com",
            first_name="Mehmet",
            last_name="Yılmaz",
            phone_number="+905551112233",
            erp_code="ERP-9",
        ),
    }

    response = admin_client.get("/admin/customers/customer/", {"q": term})

    assert response.status_code == 200
    shown = {customer.pk for customer in response.context["cl"].result_list}
    assert shown == {customers[name].pk for name in expected}


@pytest.mark.postgresql
def test_changelist_never_counts_the_whole_table(admin_client, channel, monkeypatch):
    """Above the exact-count limit, the page count is the planner's estimate, not a COUNT(*)."""
    monkeypatch.setattr("omnitron.counting.EXACT_COUNT_LIMIT", 5)
    CustomerFactory.create_batch(12, channel=channel)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/admin/customers/customer/")

    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the page shows a count"
    assert all("LIMIT 6" in sql for sql in counts), counts
    assert len(response.context["cl"].result_list) == 12
    assert response.context["cl"].result_count > 5
