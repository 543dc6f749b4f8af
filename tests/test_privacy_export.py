"""The subject-access export: everything held about one customer, in one document."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from addresses.services import AddressService
from customers.services import CustomerService
from locations.models import City, Country
from tests.conftest import client_for, grant
from tests.factories import CustomerFactory, create_address
from tests.test_privacy_anonymize import import_orders
from tests.test_privacy_consents import order_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def export_api(user):
    grant(user, "customers.export_customer")
    return client_for(user)


@pytest.fixture
def places(tr_locations):
    return Country.objects.get(code="TR"), City.objects.get(name="İstanbul")


def test_export_holds_the_customer_addresses_orders_consents_and_audit(
    export_api, channel, places, tmp_path
):
    customer = CustomerFactory(channel=channel, channel_code="C-5", email="c5@example.com")
    CustomerService.update_customer(customer=customer, sms_allowed=True)
    kept = create_address(customer, *places)
    gone = create_address(customer, *places, line="Eski Sokak 1")
    AddressService.delete_address(address=gone)
    import_orders(
        channel, tmp_path, order_line("MP-9", {"channel_code": "C-5", "email": "c5@example.com"})
    )
    other = CustomerFactory(channel=channel)
    create_address(other, *places, line="Başka Sokak 2")

    response = export_api.get(f"/api/v1/customers/{customer.pk}/export/")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["customer", "addresses", "orders", "consents", "audit_events"]
    assert body["customer"]["pk"] == customer.pk and body["customer"]["sms_allowed"] is True
    assert [a["pk"] for a in body["addresses"]] == [kept.pk]
    [order] = body["orders"]
    assert order["number"] == "MP-9" and order["amount"] == "100.00"
    assert [item["product_sku"] for item in order["items"]] == ["SKU-1"]
    assert order["raw_payload"]["order"]["customer"]["email"] == "c5@example.com"
    newest = body["consents"][0]
    assert (newest["field"], newest["previous"], newest["value"]) == ("sms_allowed", False, True)
    assert len(body["consents"]) == 4
    records = {(r["object_type"], r["object_id"], r["action"]) for r in body["audit_events"]}
    assert records == {
        ("customers.customer", customer.pk, "create"),
        ("customers.customer", customer.pk, "update"),
        ("addresses.address", kept.pk, "create"),
        ("addresses.address", gone.pk, "create"),
        ("addresses.address", gone.pk, "delete"),
        ("orders.order", order["id"], "create"),
    }


def test_export_costs_the_same_queries_whatever_the_history(export_api, channel, places, tmp_path):
    customer = CustomerFactory(channel=channel, channel_code="C-6", email="c6@example.com")
    ordered = {"channel_code": "C-6", "email": "c6@example.com"}
    import_orders(channel, tmp_path, order_line("MP-first", ordered))

    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = export_api.get(f"/api/v1/customers/{customer.pk}/export/")
        assert response.status_code == 200
        return len(queries)

    export_queries()  # content types cached, as in a running server
    few = export_queries()
    for number in range(5):
        CustomerService.update_customer(customer=customer, sms_allowed=bool(number % 2))
        create_address(customer, *places, line=f"Sokak {number}")
    import_orders(
        channel,
        tmp_path,
        *(
            order_line(f"MP-{n}", ordered, ordered_at=f"2026-11-0{n + 1}T10:00:00Z")
            for n in range(5)
        ),
    )

    assert export_queries() == few


def test_export_needs_its_own_permission(api, channel):
    customer = CustomerFactory(channel=channel)

    assert api.get(f"/api/v1/customers/{customer.pk}/export/").status_code == 403
    assert api.post(f"/api/v1/customers/{customer.pk}/export/").status_code == 405
