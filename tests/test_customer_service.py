"""CustomerService: what it writes, what it refuses, and the audit records it leaves."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from audit.context import AuditContext
from audit.models import Action, AuditEvent, Source
from customers.exceptions import (
    ChannelChangeNotAllowed,
    CustomerDeletionNotAllowed,
    CustomerDuplicatedFieldException,
)
from customers.field_sets import WRITABLE_FIELDS, CustomerChanges, CustomerFields
from customers.models import Customer
from customers.services import CustomerService
from orders.models import Order

pytestmark = pytest.mark.django_db

COMMAND = AuditContext(source=Source.COMMAND, request_id="run-1")


def events_for(customer) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=customer.pk).order_by("id"))


def test_create_customer_saves_and_records_every_field(channel):
    customer = CustomerService.create_customer(
        channel=channel,
        channel_code="C-1",
        audit_context=COMMAND,
        email="a@example.com",
        sms_allowed=True,
    )

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.channel_id, stored.channel_code, stored.email) == (
        channel.pk,
        "C-1",
        "a@example.com",
    )
    [event] = events_for(customer)
    assert (event.action, event.source, event.request_id) == (
        Action.CREATE,
        Source.COMMAND,
        "run-1",
    )
    assert event.changes["channel"] == [None, channel.pk]
    assert event.changes["sms_allowed"] == [None, True]
    assert event.changes["email"] == [None, "a@example.com"]


def test_service_arguments_are_keywords_only(channel):
    with pytest.raises(TypeError):
        CustomerService.create_customer(channel, "C-1", email="a@example.com")
    customer = CustomerService.create_customer(
        channel=channel, channel_code="C-1", email="a@example.com"
    )
    with pytest.raises(TypeError):
        CustomerService.update_customer(customer, first_name="Zeynep")
    assert Customer.objects.get(pk=customer.pk).first_name == ""


def test_the_typed_fields_are_the_writable_fields_of_the_model():
    assert set(CustomerChanges.__annotations__) == WRITABLE_FIELDS
    assert set(CustomerFields.__annotations__) == WRITABLE_FIELDS - {"channel", "channel_code"}


def test_create_customer_with_a_taken_channel_code_raises_and_writes_nothing(channel):
    CustomerService.create_customer(channel=channel, channel_code="C-1", email="a@example.com")
    with pytest.raises(CustomerDuplicatedFieldException):
        CustomerService.create_customer(channel=channel, channel_code="C-1", email="b@example.com")
    assert Customer.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_create_customer_refuses_invalid_values(channel):
    with pytest.raises(ValidationError) as error:
        CustomerService.create_customer(
            channel=channel, channel_code="C-1", email="nope", gender="other"
        )
    assert set(error.value.message_dict) == {"email", "gender"}
    assert not Customer.objects.exists()


def test_create_customer_refuses_json_nested_deeper_than_the_stack(channel):
    # The admin and the import reach the service without the API's JSON parser.
    attributes: dict = {}
    for _ in range(100_000):
        attributes = {"a": attributes}

    with pytest.raises(ValidationError) as error:
        CustomerService.create_customer(
            channel=channel, channel_code="C-1", email="deep@example.com", attributes=attributes
        )
    assert error.value.message_dict == {"attributes": ["Nested deeper than 32 levels."]}
    assert not Customer.objects.exists()


def test_create_customer_refuses_unknown_or_read_only_fields(channel):
    with pytest.raises(TypeError):
        CustomerService.create_customer(
            channel=channel, channel_code="C-1", email="a@example.com", created_date=None
        )
    with pytest.raises(TypeError):
        CustomerService.create_customer(
            channel=channel, channel_code="C-1", email="a@example.com", password="x"
        )


def test_update_customer_saves_and_records_only_changed_fields(channel):
    customer = CustomerService.create_customer(
        channel=channel, channel_code="C-1", email="a@example.com"
    )
    birthday = datetime.date(2001, 1, 1)

    updated = CustomerService.update_customer(
        customer=customer,
        audit_context=COMMAND,
        email="a@example.com",
        sms_allowed=True,
        date_of_birth=birthday,
    )

    assert updated.sms_allowed is True
    assert Customer.objects.get(pk=customer.pk).date_of_birth == birthday
    event = events_for(customer)[-1]
    assert event.action == Action.UPDATE
    assert event.changes == {"sms_allowed": [False, True], "date_of_birth": [None, "2001-01-01"]}


def test_update_that_changes_nothing_writes_no_record(channel):
    customer = CustomerService.create_customer(
        channel=channel, channel_code="C-1", email="a@example.com"
    )
    modified = Customer.objects.get(pk=customer.pk).modified_date

    CustomerService.update_customer(customer=customer, email="a@example.com", channel=channel)

    assert len(events_for(customer)) == 1
    assert Customer.objects.get(pk=customer.pk).modified_date == modified


def test_update_customer_refuses_a_channel_change(channel, other_channel):
    customer = CustomerService.create_customer(
        channel=channel, channel_code="C-1", email="a@example.com"
    )
    with pytest.raises(ChannelChangeNotAllowed) as error:
        CustomerService.update_customer(customer=customer, channel=other_channel, first_name="X")
    assert error.value.error_code == "customer_100_3"
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.channel_id, stored.first_name) == (channel.pk, "")
    assert len(events_for(customer)) == 1


def test_update_customer_works_from_a_stale_instance(channel):
    customer = CustomerService.create_customer(
        channel=channel, channel_code="C-1", email="a@example.com"
    )
    stale = Customer.objects.get(pk=customer.pk)
    CustomerService.update_customer(customer=customer, first_name="Ayşe")

    CustomerService.update_customer(customer=stale, last_name="Yılmaz")

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.first_name, stored.last_name) == ("Ayşe", "Yılmaz")


def test_service_without_context_records_a_shell_event(channel):
    customer = CustomerService.create_customer(
        channel=channel, channel_code="C-1", email="a@example.com"
    )
    [event] = events_for(customer)
    assert event.source == Source.SHELL
    assert event.actor is None
    assert event.request_id


def test_delete_customer_records_last_values(channel):
    customer = CustomerService.create_customer(
        channel=channel, channel_code="C-1", email="a@example.com"
    )
    pk = customer.pk

    CustomerService.delete_customer(customer=customer, audit_context=COMMAND)

    assert not Customer.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.filter(object_id=pk).latest("id")
    assert event.action == Action.DELETE
    assert event.changes["email"] == ["a@example.com", None]
    assert event.changes["channel_code"] == ["C-1", None]


def test_customer_with_orders_cannot_be_deleted(channel):

    customer = CustomerService.create_customer(
        channel=channel, channel_code="C-1", email="a@example.com"
    )
    Order.objects.create(channel=channel, number="MP-1", customer=customer, amount="10.00")

    with pytest.raises(CustomerDeletionNotAllowed):
        CustomerService.delete_customer(customer=customer)

    assert Customer.objects.filter(pk=customer.pk).exists()
    assert not AuditEvent.objects.filter(object_id=customer.pk, action=Action.DELETE).exists()
