"""Serializers present customers as DRF documents it: per-request fields, the active time zone."""

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
