"""Serializers present customers as DRF documents it: per-request fields, the active time zone."""

import threading
from datetime import UTC, datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework import serializers

from channels.serializers import ChannelSerializer
from customers.models import Customer
from customers.oms.serializers import OmsCustomerSerializer
from customers.selectors import customers_with_order_totals
from customers.serializers import (
    ChannelCustomerSerializer,
    CustomerDetailedSerializer,
    CustomerSerializer,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class DynamicFieldsCustomerSerializer(CustomerSerializer):
    """DRF's documented DynamicFieldsModelSerializer, over CustomerSerializer.

    https://www.django-rest-framework.org/api-guide/serializers/#dynamically-modifying-fields
    """

    def __init__(self, *args, **kwargs):
        fields = kwargs.pop("fields", None)
        super().__init__(*args, **kwargs)
        if fields is not None:
            for field_name in set(self.fields) - set(fields):
                self.fields.pop(field_name)


@pytest.fixture
def customer(channel) -> Customer:
    created = CustomerFactory(channel=channel, date_joined=CREATED)
    Customer.objects.filter(pk=created.pk).update(created_date=CREATED, modified_date=CREATED)
    return Customer.objects.get(pk=created.pk)


def test_a_serializer_that_narrows_its_fields_per_request_answers_only_those(customer):
    data = DynamicFieldsCustomerSerializer(customer, fields=["pk", "email"]).data

    assert data == {"pk": customer.pk, "email": customer.email}


def test_each_instance_of_a_narrowing_serializer_keeps_its_own_fields(customer):
    narrow = DynamicFieldsCustomerSerializer([customer], many=True, fields=["channel_code"]).data
    wide = DynamicFieldsCustomerSerializer([customer], many=True).data

    assert narrow == [{"channel_code": customer.channel_code}]
    assert len(wide[0]) == len(CustomerSerializer.Meta.fields)


def test_date_times_are_written_in_the_activated_time_zone(customer):
    with timezone.override("Europe/Istanbul"):
        data = CustomerSerializer(customer).data
        oms = OmsCustomerSerializer(customer).data

    assert data["created_date"] == "2026-03-01T12:30:00+03:00"
    assert data["modified_date"] == "2026-03-01T12:30:00+03:00"
    assert data["date_joined"] == "2026-03-01T12:30:00+03:00"
    assert oms["created_date"] == "2026-03-01T12:30:00+03:00"


def test_date_times_are_written_in_utc_with_z_when_none_is_activated(customer):
    data = CustomerSerializer(customer).data

    assert data["created_date"] == "2026-03-01T09:30:00Z"
    assert data["date_joined"] == "2026-03-01T09:30:00Z"


@override_settings(TIME_ZONE="Europe/Istanbul")
def test_date_times_follow_the_time_zone_setting(customer):
    data = CustomerSerializer(customer).data

    assert data["created_date"] == "2026-03-01T12:30:00+03:00"


def test_the_detailed_serializer_writes_the_channel_and_order_totals(customer):
    detailed = customers_with_order_totals(Customer.objects.filter(pk=customer.pk)).get()

    data = CustomerDetailedSerializer(detailed).data

    assert data["channel"]["id"] == customer.channel_id
    assert data["orders_info"] == {
        "total_order_amount": None,
        "total_refund_amount": None,
        "total_discount_amount": None,
        "total_order_count": 0,
    }


def drf_presentation(serializer, instance) -> dict:
    """What DRF's own Serializer.to_representation answers for `instance`."""
    return serializers.Serializer.to_representation(serializer, instance)


@pytest.mark.parametrize(
    "serializer_class",
    [CustomerSerializer, ChannelCustomerSerializer, OmsCustomerSerializer, ChannelSerializer],
)
def test_every_row_is_presented_as_drf_presents_it(channel, serializer_class):
    customers = [
        CustomerFactory(channel=channel, attributes={"segment": "ğold", "n": [1, None]}),
        CustomerFactory(channel=channel, first_name="", erp_code=None, date_of_birth=None),
    ]
    rows = customers if serializer_class is not ChannelSerializer else [channel]
    serializer = serializer_class(rows, many=True)

    data = serializer.data

    assert data == [drf_presentation(serializer.child, row) for row in rows]


def test_a_field_replaced_after_a_row_was_presented_presents_the_next_row(customer):
    serializer = CustomerSerializer()
    serializer.to_representation(customer)
    serializer.fields["email"] = serializers.SerializerMethodField()
    serializer.get_email = lambda customer: "hidden"

    assert serializer.to_representation(customer)["email"] == "hidden"


def test_a_source_that_is_a_method_or_a_missing_relation_reads_as_drf_reads_it(customer):
    class WithMethods(CustomerSerializer):
        full_name = serializers.CharField(source="get_full_name_for_test")
        no_such = serializers.CharField(source="no_such_attribute", required=False)

        class Meta(CustomerSerializer.Meta):
            fields = ["pk", "full_name", "no_such"]

    customer.get_full_name_for_test = lambda: f"{customer.first_name} {customer.last_name}"

    data = WithMethods(customer).data

    assert data == {"pk": customer.pk, "full_name": f"{customer.first_name} {customer.last_name}"}


def test_a_row_given_as_a_mapping_is_presented_by_drf(customer):
    row = {field: getattr(customer, field) for field in ["email", "first_name"]}

    class Narrow(CustomerSerializer):
        class Meta(CustomerSerializer.Meta):
            fields = ["email", "first_name"]

    assert Narrow(row).data == row


def field_arguments(serializer) -> dict:
    """Each field's class, arguments and what binding gave it: what DRF's fields are made of."""
    return {
        name: (type(field), repr(field), field.source, field.label, field.required)
        for name, field in serializer.fields.items()
    }


@pytest.mark.parametrize(
    "serializer_class",
    [CustomerSerializer, CustomerDetailedSerializer, OmsCustomerSerializer, ChannelSerializer],
)
def test_each_serializer_gets_the_fields_drf_makes(serializer_class):
    class MadeByDrf(serializer_class):
        def get_fields(self):
            return serializers.ModelSerializer.get_fields(self)

    serializer_class()  # the class's fields are made once, on first use
    ours = serializer_class()

    assert field_arguments(ours) == field_arguments(MadeByDrf())
    assert all(field.parent is ours for field in ours.fields.values())


def test_a_serializer_changing_a_fields_messages_or_validators_changes_no_other():
    changed = CustomerSerializer()
    changed.fields["email"].error_messages["invalid"] = "Not an address."
    changed.fields["email"].validators.append(lambda value: None)

    other = CustomerSerializer()

    assert other.fields["email"].error_messages["invalid"] == "Enter a valid email address."
    assert len(other.fields["email"].validators) == len(changed.fields["email"].validators) - 1


def test_a_serializer_whose_fields_depend_on_its_context_gets_them_per_instance(customer):
    class ReadOnlyForViewers(CustomerSerializer):
        def get_extra_kwargs(self):
            extra = super().get_extra_kwargs()
            if self.context.get("viewer"):
                extra["email"] = {"read_only": True}
            return extra

    viewer = ReadOnlyForViewers(context={"viewer": True})
    editor = ReadOnlyForViewers(context={})

    assert viewer.fields["email"].read_only is True
    assert editor.fields["email"].read_only is False
    assert ReadOnlyForViewers(customer, context={"viewer": True}).data["email"] == customer.email


@pytest.mark.parametrize("zone", [None, "UTC", "Europe/Istanbul", "America/St_Johns"])
@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the night clocks go back in Europe
        datetime(2026, 3, 1, 9, 30),  # naive: DRF makes it aware in the zone
        datetime(9999, 12, 31, 23, 0, tzinfo=UTC),  # past year 9999 east of UTC: DRF's error
    ],
)
def test_each_date_time_is_written_as_drf_writes_it(customer, zone, value):
    class Dates(CustomerSerializer):
        custom_format = serializers.DateTimeField(source="created_date", format="%d.%m.%Y %H:%M")

        class Meta(CustomerSerializer.Meta):
            fields = ["created_date", "modified_date", "custom_format"]

    customer.created_date = customer.modified_date = value
    serializer = Dates()

    def both():
        try:
            ours = serializer.to_representation(customer)
        except serializers.ValidationError as error:
            ours = error.detail
        try:
            drf = drf_presentation(serializer, customer)
        except serializers.ValidationError as error:
            drf = error.detail
        return ours, drf

    if zone is None:
        ours, drf = both()
    else:
        with timezone.override(zone):
            ours, drf = both()

    assert ours == drf


def test_a_declared_fields_default_is_each_serializers_own():
    class WithDefault(CustomerSerializer):
        tags = serializers.JSONField(default={"tags": []}, write_only=True)

        class Meta(CustomerSerializer.Meta):
            fields = ["pk", "email", "tags"]

    WithDefault().fields["tags"].default["tags"].append("changed")

    assert WithDefault().fields["tags"].default == {"tags": []}


def test_fields_narrowed_by_a_mixin_later_in_the_mro_are_made_per_serializer(customer):
    class NarrowedByContext(serializers.ModelSerializer):
        def get_fields(self):
            fields = super().get_fields()
            wanted = self.context.get("fields")
            return {name: f for name, f in fields.items() if not wanted or name in wanted}

    class Narrowed(CustomerSerializer, NarrowedByContext):
        pass

    assert Narrowed(customer, context={"fields": ["email"]}).data == {"email": customer.email}
    assert len(Narrowed(customer, context={}).data) == len(CustomerSerializer.Meta.fields)


def test_serializers_made_in_several_threads_each_keep_their_own_fields(customer):
    answers, start = {}, threading.Barrier(6)

    def narrow_to(name):
        start.wait()
        for _ in range(50):
            data = DynamicFieldsCustomerSerializer(customer, fields=["pk", name]).data
            if set(data) != {"pk", name}:
                answers[name] = data
                return
        answers[name] = "ok"

    names = ["email", "first_name", "last_name", "channel_code", "gender", "is_active"]
    threads = [threading.Thread(target=narrow_to, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == dict.fromkeys(names, "ok")
