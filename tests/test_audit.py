"""Audit records left by API writes: exactly one per change, with who, how and what."""

import pytest

from audit.models import Action, AuditEvent, Source
from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/customers/"


def customer_events(pk: int):
    return AuditEvent.objects.filter(object_id=pk, content_type__model="customer").order_by("id")


def test_api_create_records_actor_source_request_id_and_address(api, user, channel):
    response = api.post(
        LIST_URL,
        {"email": "a@example.com", "channel": channel.pk, "channel_code": "C-1"},
        format="json",
        HTTP_X_REQUEST_ID="req-42",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] == "req-42"

    [event] = customer_events(response.json()["pk"])
    assert event.action == Action.CREATE
    assert (event.actor, event.actor_repr, event.source) == (user, "integrator", Source.API)
    assert (event.request_id, event.remote_addr) == ("req-42", "203.0.113.9")
    assert event.changes["email"] == [None, "a@example.com"]


def test_unsafe_request_id_is_replaced_by_a_fresh_one(api, channel):
    response = api.post(
        LIST_URL,
        {"email": "a@example.com", "channel": channel.pk, "channel_code": "C-1"},
        format="json",
        HTTP_X_REQUEST_ID="bad id\nwith newline",
    )
    [event] = customer_events(response.json()["pk"])
    assert event.request_id == response["X-Request-ID"]
    assert event.request_id != "bad id\nwith newline"


def test_api_patch_records_only_the_changed_fields(api, user, channel):
    customer = CustomerFactory(channel=channel, sms_allowed=True, first_name="Ali")
    response = api.patch(
        f"{LIST_URL}{customer.pk}/", {"sms_allowed": False, "first_name": "Ali"}, format="json"
    )
    assert response.status_code == 200

    events = list(customer_events(customer.pk))
    assert [e.action for e in events] == [Action.CREATE, Action.UPDATE]
    assert events[-1].changes == {"sms_allowed": [True, False]}
    assert events[-1].actor == user


def test_api_patch_that_changes_nothing_records_nothing(api, channel):
    customer = CustomerFactory(channel=channel, sms_allowed=True)
    response = api.patch(f"{LIST_URL}{customer.pk}/", {"sms_allowed": True}, format="json")
    assert response.status_code == 200
    assert customer_events(customer.pk).count() == 1


def test_refused_writes_record_nothing(api, channel, other_channel):
    customer = CustomerFactory(channel=channel)
    url = f"{LIST_URL}{customer.pk}/"
    assert api.patch(url, {"email": "bad"}, format="json").status_code == 400
    assert api.patch(url, {"channel": other_channel.pk}, format="json").status_code == 406
    assert customer_events(customer.pk).count() == 1


def test_api_delete_records_the_last_values(api, user, channel):
    customer = CustomerFactory(channel=channel, email="gone@example.com")
    assert api.delete(f"{LIST_URL}{customer.pk}/").status_code == 204

    event = customer_events(customer.pk).last()
    assert (event.action, event.actor, event.source) == (Action.DELETE, user, Source.API)
    assert event.changes["email"] == ["gone@example.com", None]
    assert not Customer.objects.filter(pk=customer.pk).exists()
