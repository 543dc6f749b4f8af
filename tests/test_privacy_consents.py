"""The consent history: every change of a contact permission, by every write path."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Source
from customers.services import CustomerService
from privacy.models import ConsentChange
from tests.conftest import client_for, grant, make_user
from tests.factories import ChannelFactory, CustomerFactory
from tests.test_admin import admin_client, form_data, staff  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def order_line(number: str, customer: dict, ordered_at: str = "2026-10-01T10:00:00Z", **extra):
    """One line of an import file (the marketplace's order shape), of one item."""
    order = {
        "number": number,
        "created_at": ordered_at,
        "amount": "100.00",
        "discount_amount": "5.00",
        "refund_amount": "0.00",
        "currency": "TRY",
        "customer": customer,
        **extra,
    }
    item = {"remote_id": "1", "product": "SKU-1", "price": "105.00", "price_currency": "TRY"}
    return json.dumps({"order": order, "order_item": [item]}, ensure_ascii=False)


NEW_CUSTOMER = {"email": "ayse@example.com", "channel_code": "C-1", "sms_allowed": True}


@pytest.fixture
def consent_api(db):
    user = make_user("consent-reader")
    grant(user, "privacy.view_consentchange")
    return client_for(user)


def rows(customer) -> list[tuple]:
    return list(
        ConsentChange.objects.filter(customer=customer)
        .order_by("id")
        .values_list("field", "previous", "value", "source")
    )


def test_api_create_and_update_record_each_permission(api, user, channel, consent_api):
    created = api.post("/api/v1/customers/", {**NEW_CUSTOMER, "channel": channel.pk}, format="json")
    pk = created.json()["pk"]
    api.patch(f"/api/v1/customers/{pk}/", {"sms_allowed": False, "email_allowed": True})
    api.patch(f"/api/v1/customers/{pk}/", {"first_name": "Ayşe"})  # no consent change

    assert rows(pk) == [
        ("email_allowed", None, False, "api"),
        ("sms_allowed", None, True, "api"),
        ("call_allowed", None, False, "api"),
        ("email_allowed", False, True, "api"),
        ("sms_allowed", True, False, "api"),
    ]
    response = consent_api.get(f"/api/v1/customers/{pk}/consents/", {"field": "sms_allowed"})
    assert response.status_code == 200
    body = response.json()
    assert [(r["previous"], r["value"]) for r in body["results"]] == [(True, False), (None, True)]
    newest = body["results"][0]
    assert newest["customer"] == pk and newest["channel"] == channel.pk
    assert newest["actor"] == {"id": user.pk, "username": "integrator"}
    assert newest["source"] == "api" and newest["request_id"]


def test_admin_change_is_recorded_as_the_staff_user(admin_client, staff, channel):  # noqa: F811
    customer = CustomerFactory(channel=channel, sms_allowed=True)
    data = form_data(customer, call_allowed="on")
    data.pop("sms_allowed")

    response = admin_client.post(f"/admin/customers/customer/{customer.pk}/change/", data)

    assert response.status_code == 302
    latest = ConsentChange.objects.filter(customer=customer, source=Source.ADMIN)
    assert sorted(latest.values_list("field", "previous", "value", "actor_repr")) == [
        ("call_allowed", False, True, "staff"),
        ("sms_allowed", True, False, "staff"),
    ]


def test_import_records_consents_in_bulk(tmp_path, channel):
    def line(number, sms):
        customer = {"channel_code": "C-9", "email": "c9@example.com", "sms_allowed": sms}
        return order_line(number, customer, ordered_at=f"2026-10-0{number[-1]}T10:00:00Z")

    path = tmp_path / "orders.jsonl"
    path.write_text(line("MP-1", True) + "\n" + line("MP-2", False) + "\n")

    out = io.StringIO()
    call_command("import_orders", "--channel", str(channel.pk), str(path), stdout=out)

    customer = channel.customers.get(channel_code="C-9")
    assert rows(customer) == [
        ("email_allowed", None, False, "import"),
        ("sms_allowed", None, True, "import"),
        ("call_allowed", None, False, "import"),
        ("sms_allowed", True, False, "import"),
    ]


def test_list_filters_and_pages_newest_first(consent_api, channel, other_channel):
    customers = [CustomerFactory(channel=channel, sms_allowed=True) for _ in range(3)]
    other = CustomerFactory(channel=other_channel)  # created with sms_allowed false
    for customer in customers:
        CustomerService.update_customer(customer=customer, sms_allowed=False)

    response = consent_api.get(
        "/api/v1/consents/", {"field": "sms_allowed", "value": "false", "limit": 2}
    )

    assert response.status_code == 200
    first = response.json()
    assert [r["customer"] for r in first["results"]] == [customers[2].pk, customers[1].pk]
    second = consent_api.get(first["next"]).json()
    assert [r["customer"] for r in second["results"]] == [customers[0].pk, other.pk]
    assert second["results"][1]["previous"] is None  # the first value, at its creation
    assert second["next"] is None


def test_consents_need_their_permission(api, channel):
    customer = CustomerFactory(channel=channel)

    assert api.get("/api/v1/consents/").status_code == 403
    assert api.get(f"/api/v1/customers/{customer.pk}/consents/").status_code == 403
    assert api.post("/api/v1/consents/", {}).status_code == 405


def test_unknown_customer_and_bad_filters_are_answered(consent_api):
    assert consent_api.get("/api/v1/customers/999999/consents/").status_code == 404
    assert consent_api.get(f"/api/v1/customers/{'9' * 40}/consents/").status_code == 404
    response = consent_api.get("/api/v1/consents/", {"changed_at__gte": "yesterday"})
    assert response.status_code == 400 and "changed_at__gte" in response.json()
    assert consent_api.get("/api/v1/consents/", {"limit": "0"}).status_code == 400


def test_a_page_costs_the_same_whatever_the_history(consent_api, channel):
    customer = CustomerFactory(channel=channel)

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            assert consent_api.get(f"/api/v1/customers/{customer.pk}/consents/").status_code == 200
        return len(queries)

    few = page_queries()
    for value in (True, False, True, False, True):
        CustomerService.update_customer(customer=customer, sms_allowed=value, email_allowed=value)
    assert page_queries() == few


CONTEXT = AuditContext(source=Source.SHELL, request_id="fixture")


@pytest.fixture
def history():
    """Consent rows of two channels, sources and dates, for the filter table."""
    channel, other = ChannelFactory(), ChannelFactory()
    a = CustomerFactory(channel=channel, sms_allowed=True)  # 3 rows (create)
    b = CustomerFactory(channel=other)  # 3 rows (create)
    CustomerService.update_customer(
        customer=a, sms_allowed=False, audit_context=AuditContext(source=Source.IMPORT)
    )  # 1 row
    ConsentChange.objects.filter(customer=b).update(changed_at=timezone.now() - timedelta(days=30))
    return {"A": a.pk, "B": b.pk, "CHANNEL_OF_B": other.pk}


# Names of the fixture's rows stand for their ids.
FILTER_CASES = [
    ({"customer": "A"}, 4),
    ({"customer": "B"}, 3),
    ({"field": "sms_allowed"}, 3),
    ({"value": "true"}, 1),
    ({"value": "0"}, 6),
    ({"channel": "CHANNEL_OF_B"}, 3),
    ({"source": "import"}, 1),
    ({"changed_at__gte": (timezone.now() - timedelta(days=7)).isoformat()}, 4),
    ({"changed_at__lte": (timezone.now() - timedelta(days=7)).isoformat()}, 3),
]


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES)
def test_filters(consent_api, history, params, expected):
    params = {name: history.get(value, value) for name, value in params.items()}
    response = consent_api.get("/api/v1/consents/", {**params, "limit": 100})

    assert response.status_code == 200, response.json()
    assert len(response.json()["results"]) == expected
