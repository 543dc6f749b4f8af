"""Anonymizing a customer removes the person from its row and from every copy the service keeps."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from rest_framework.test import APIClient

from audit.models import Action, AuditEvent
from customers.models import Customer
from events.delivery import delivery_body, open_delivery
from events.models import Event, WebhookDelivery, WebhookSubscription
from idempotency.models import IdempotencyKey
from locations.models import City, Country
from orders.models import Order, OrderItem
from privacy.models import ConsentChange
from tests.conftest import client_for, grant
from tests.test_admin import admin_client, form_data, staff  # noqa: F401 (fixtures)
from tests.test_privacy_consents import order_line

pytestmark = pytest.mark.django_db

PERSON = {
    "email": "ayse.yilmaz@example.com",
    "first_name": "Ayşegül",
    "last_name": "Yılmazoğlu",
    "phone_number": "05551112233",
    "channel_code": "MP-CUST-771",
    "erp_code": "ERP-771-X",
    "date_of_birth": "1990-05-17",
    "sms_allowed": True,
    "attributes": {"logged_ip": "10.9.8.7", "sso_id": "sso-ayse-771"},
    "extra_field": {"note": "prefers evening delivery"},
}
ADDRESS = {
    "first_name": "Ayşegül",
    "last_name": "Yılmazoğlu",
    "phone_number": "05551112233",
    "email": "ayse.yilmaz@example.com",
    "line": "Moda Caddesi No 12 Daire 3",
    "identity_number": "12345678901",
    "tax_no": "9876543210",
    "company_name": "Yılmazoğlu Tekstil",
}
# What must be found nowhere once the customer is anonymized.
REMOVED = [
    PERSON["email"],
    PERSON["first_name"],
    PERSON["last_name"],
    PERSON["phone_number"],
    PERSON["channel_code"],
    PERSON["erp_code"],
    "sso-ayse-771",
    "10.9.8.7",
    "prefers evening delivery",
    ADDRESS["line"],
    ADDRESS["identity_number"],
    ADDRESS["tax_no"],
    "Yılmazoğlu Tekstil",
    "Kalamış Sokak 5",  # the deleted address's line
    "Bağdat Caddesi 400",  # the imported order's shipping address
    "Ayşegül Y.",  # an admin edit's name
]


def customer_records(customer):
    return AuditEvent.objects.filter(content_type__model="customer", object_id=customer.pk)


def import_orders(channel, tmp_path: Path, *lines: str) -> None:
    path = tmp_path / f"orders-{len(list(tmp_path.iterdir()))}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import_orders", "--channel", str(channel.pk), str(path), stdout=io.StringIO())


@pytest.fixture
def person(api, admin_client, channel, tr_locations, tmp_path):  # noqa: F811
    """A customer with a history everywhere: API writes, an admin edit, addresses (one
    deleted), imported orders, webhook deliveries and stored idempotent answers."""
    WebhookSubscription.objects.create(url="https://hooks.example.com/", event_types=["*"])
    body = {**PERSON, "channel": channel.pk}
    pk = api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1").json()[
        "pk"
    ]
    api.patch(
        f"/api/v1/customers/{pk}/",
        {"email_allowed": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    customer = Customer.objects.get(pk=pk)
    admin_client.post(
        f"/admin/customers/customer/{pk}/change/",
        form_data(customer, first_name="Ayşegül Y."),
    )
    admin_client.post(
        f"/admin/customers/customer/{pk}/change/",
        form_data(Customer.objects.get(pk=pk), first_name=PERSON["first_name"]),
    )
    places = {"country": Country.objects.get(code="TR").pk}
    places["city"] = City.objects.get(name="İstanbul").pk
    address = {**ADDRESS, **places, "customer": pk}
    created = api.post("/api/v1/addresses/", address, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert created.status_code == 201, created.json()
    other = {**address, "line": "Kalamış Sokak 5"}
    other_pk = api.post("/api/v1/addresses/", other, format="json").json()["pk"]
    assert api.delete(f"/api/v1/addresses/{other_pk}/").status_code == 204
    customer_in_order = {
        k: v for k, v in PERSON.items() if k not in ("attributes", "date_of_birth")
    }
    shipping = {
        **{key: ADDRESS[key] for key in ("first_name", "last_name", "phone_number", "email")},
        "line": "Bağdat Caddesi 400",
        "country": "TR",
        "city": "İstanbul",
    }
    import_orders(
        channel,
        tmp_path,
        order_line("MP-1", customer_in_order, shipping_address=shipping),
        order_line("MP-2", customer_in_order, ordered_at="2026-10-02T10:00:00Z"),
    )
    while open_delivery(WebhookSubscription.objects.get().pk):
        WebhookDelivery.objects.update(state="delivered")
    return Customer.objects.get(pk=pk)


@pytest.fixture
def bystander(api, channel):
    """Another customer, whose data and stored answers must stay as they are."""
    body = {"email": "mehmet@example.com", "channel": channel.pk, "channel_code": "B-1"}
    response = api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    return Customer.objects.get(pk=response.json()["pk"])


def project_models() -> list[type[models.Model]]:
    """Every model of the service's own apps, and the admin's log."""
    root = Path(settings.BASE_DIR).resolve()
    own = [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root) and ".venv" not in config.path
    ]
    return [model for config in own for model in config.get_models()] + [LogEntry]


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def stored_copies(values: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text, JSON or binary column holding one of `values`."""
    wanted = [value.casefold() for value in values]
    found = []
    for model in project_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._base_manager.values_list(*[f.attname for f in fields]):
            for field, value in zip(fields, row, strict=True):
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", "replace")
                elif not isinstance(value, str):
                    value = json.dumps(value, ensure_ascii=False, default=str)
                for original, folded in zip(values, wanted, strict=True):
                    if folded in value.casefold():
                        found.append((model._meta.db_table, field.attname, original))
    return found


def endpoint_texts(client, customer: Customer) -> dict[str, str]:
    pk = customer.pk
    urls = [
        f"/api/v1/customers/{pk}/",
        f"/api/v1/customers/{pk}/detailed/",
        f"/api/v1/customers/?pk__in={pk}",
        f"/api/v1/customers/{pk}/audit_events/?limit=100",
        f"/api/v1/audit_events/?customer={pk}&limit=100",
        "/api/v1/audit_events/?object_type=addresses.address&limit=100",
        "/api/v1/events/?limit=1000",
        f"/api/v1/customers/{pk}/consents/",
        f"/api/v1/addresses/?customer={pk}",
        "/api/v1/orders/",
        f"/api/v1/customers/{pk}/export/",
    ]
    texts = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        texts[url] = response.content.decode()
    return texts


def found_in_delivery_bodies(values: list[str]) -> list[tuple[str, str]]:
    """(webhook-id, value) of every delivery whose body, as an attempt now sends it, holds one."""
    bodies = {d.webhook_id: delivery_body(d).casefold() for d in WebhookDelivery.objects.all()}
    return [(id_, v) for id_, body in bodies.items() for v in values if v.casefold() in body]


def found_in_endpoints(client, customer, values) -> list[tuple[str, str]]:
    return [
        (url, value)
        for url, text in endpoint_texts(client, customer).items()
        for value in values
        if value.casefold() in text.casefold()
    ]


@pytest.fixture
def everything_api(user):
    grant(
        user,
        "customers.anonymize_customer",
        "customers.export_customer",
        "privacy.view_consentchange",
        "audit.view_auditevent",
        "events.view_event",
    )
    return client_for(user)


def test_the_fixture_holds_the_person_everywhere(person, everything_api):
    """The search below can fail: before anonymization it finds every kind of copy."""
    tables = {table for table, _, _ in stored_copies(REMOVED)}

    assert {
        "customers_customer",
        "addresses_address",
        "audit_auditevent",
        "orders_order",
        "idempotency_idempotencykey",
        "django_admin_log",
    } <= tables
    assert found_in_endpoints(everything_api, person, REMOVED)
    # Deliveries keep their events' ids, not a copy: their bodies are written from them.
    assert "events_webhookdelivery" not in tables
    assert found_in_delivery_bodies(REMOVED)


def test_anonymize_leaves_no_copy_in_any_table_or_endpoint(person, bystander, everything_api, user):
    totals_before = everything_api.get(f"/api/v1/customers/{person.pk}/detailed/").json()[
        "orders_info"
    ]
    items_before = list(OrderItem.objects.order_by("id").values_list("price", "quantity"))
    bystander_answer = IdempotencyKey.objects.get(key="b-1").response_body

    response = everything_api.post(f"/api/v1/customers/{person.pk}/anonymize/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["is_active"] is False
    assert body["email"] == f"anonymized-{person.pk}@anonymized.invalid"
    assert (body["first_name"], body["last_name"], body["phone_number"]) == ("", "", None)
    assert body["channel_code"] == f"anonymized-{person.pk}"
    assert body["erp_code"] is None and body["date_of_birth"] is None
    assert body["extra_field"] == {} and set(body["attributes"]) == {
        "anonimizing_user_id",
        "anonimization_time",
    }
    assert body["attributes"]["anonimizing_user_id"] == user.pk
    assert (body["email_allowed"], body["sms_allowed"], body["call_allowed"]) == (False,) * 3

    assert stored_copies(REMOVED) == []
    assert found_in_endpoints(everything_api, person, REMOVED) == []
    assert found_in_delivery_bodies(REMOVED) == []

    # Orders, their amounts, items and totals stay.
    after = everything_api.get(f"/api/v1/customers/{person.pk}/detailed/").json()
    assert after["orders_info"] == totals_before
    assert after["orders_info"]["total_order_count"] == 2
    assert list(OrderItem.objects.order_by("id").values_list("price", "quantity")) == items_before
    assert Order.objects.get(number="MP-1").amount == Decimal("100.00")
    # Another customer's data and stored answer are untouched.
    assert Customer.objects.get(pk=bystander.pk).email == "mehmet@example.com"
    assert IdempotencyKey.objects.get(key="b-1").response_body == bystander_answer


def test_anonymize_is_audited_without_the_removed_values(person, everything_api, user):
    everything_api.post(f"/api/v1/customers/{person.pk}/anonymize/")

    record = customer_records(person).get(action=Action.ANONYMIZE)
    assert record.actor == user and record.source == "api"
    assert record.changes["email"] == [
        "[redacted]",
        f"anonymized-{person.pk}@anonymized.invalid",
    ]
    event = Event.objects.filter(resource="customer", resource_id=person.pk).latest("id")
    assert event.type == "customer.anonymized" and event.audit_event_id == record.pk
    # Nobody is left to contact: the opt-outs it makes are in the consent history.
    made = ConsentChange.objects.filter(customer=person, request_id=record.request_id)
    assert sorted(made.values_list("field", "previous", "value", "source")) == [
        ("email_allowed", True, False, "api"),
        ("sms_allowed", True, False, "api"),
    ]


def test_a_second_call_changes_and_records_nothing(person, everything_api):
    first = everything_api.post(f"/api/v1/customers/{person.pk}/anonymize/")
    counts = (
        AuditEvent.objects.count(),
        Event.objects.count(),
        ConsentChange.objects.count(),
        Customer.objects.get(pk=person.pk).version,
    )

    second = everything_api.post(f"/api/v1/customers/{person.pk}/anonymize/")

    assert second.status_code == 200
    assert second.json() == first.json()
    assert (
        AuditEvent.objects.count(),
        Event.objects.count(),
        ConsentChange.objects.count(),
        Customer.objects.get(pk=person.pk).version,
    ) == counts


def test_a_later_order_of_that_identity_makes_a_new_customer(person, everything_api, tmp_path):
    everything_api.post(f"/api/v1/customers/{person.pk}/anonymize/")
    customer = {"channel_code": PERSON["channel_code"], "email": PERSON["email"]}

    import_orders(person.channel, tmp_path, order_line("MP-3", customer))

    new = Customer.objects.get(channel=person.channel, channel_code=PERSON["channel_code"])
    assert new.pk != person.pk
    assert Order.objects.get(number="MP-3").customer_id == new.pk
    assert Customer.objects.get(pk=person.pk).orders.count() == 2


def test_anonymize_needs_its_own_permission(api, channel):
    pk = api.post(
        "/api/v1/customers/",
        {"email": "x@example.com", "channel": channel.pk, "channel_code": "X-1"},
        format="json",
    ).json()["pk"]

    assert api.post(f"/api/v1/customers/{pk}/anonymize/").status_code == 403
    assert api.get(f"/api/v1/customers/{pk}/anonymize/").status_code == 405
    assert Customer.objects.get(pk=pk).email == "x@example.com"


def test_unknown_customer_is_a_404(everything_api):
    assert everything_api.post("/api/v1/customers/999999/anonymize/").status_code == 404
    assert everything_api.post(f"/api/v1/customers/{'9' * 40}/anonymize/").status_code == 404
    assert everything_api.get(f"/api/v1/customers/{'9' * 40}/export/").status_code == 404


def test_anonymize_replays_with_an_idempotency_key(person, everything_api):
    url = f"/api/v1/customers/{person.pk}/anonymize/"
    first = everything_api.post(url, HTTP_IDEMPOTENCY_KEY="anon-1")

    again = everything_api.post(url, HTTP_IDEMPOTENCY_KEY="anon-1")

    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_admin_action_anonymizes_through_the_service(admin_client, staff, person):  # noqa: F811
    response = admin_client.post(
        "/admin/customers/customer/",
        {"action": "anonymize", "_selected_action": [person.pk]},
    )

    assert response.status_code == 302
    record = customer_records(person).get(action=Action.ANONYMIZE)
    assert (record.source, record.actor) == ("admin", staff)
    assert stored_copies(REMOVED) == []


def test_command_anonymizes_ids_from_arguments_and_a_file(person, bystander, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{bystander.pk}\n999999\n")
    out, err = io.StringIO(), io.StringIO()

    call_command("anonymize_customers", str(person.pk), "--file", str(ids), stdout=out, stderr=err)

    assert "2 anonymized, 1 not found" in out.getvalue()
    assert "999999" in err.getvalue()
    assert not Customer.objects.filter(pk__in=[person.pk, bystander.pk], is_active=True).exists()
    assert stored_copies([*REMOVED, "mehmet@example.com"]) == []
    assert customer_records(person).get(action=Action.ANONYMIZE).source == "command"


def test_create_api_user_grants_the_privacy_permissions_only_when_asked(person):
    call_command("create_api_user", "plain-robot", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_api_user", "privacy-robot", "--privacy", stdout=out)
    plain = client_for(get_user_model().objects.get(username="plain-robot"))
    privacy = APIClient()
    privacy.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")

    assert plain.get(f"/api/v1/customers/{person.pk}/export/").status_code == 403
    assert plain.post(f"/api/v1/customers/{person.pk}/anonymize/").status_code == 403
    assert privacy.get(f"/api/v1/customers/{person.pk}/consents/").status_code == 200
    assert privacy.get(f"/api/v1/customers/{person.pk}/export/").status_code == 200
    assert privacy.post(f"/api/v1/customers/{person.pk}/anonymize/").status_code == 200
