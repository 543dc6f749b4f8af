"""The per-class representation plan answers exactly what DRF's own serializer answers."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from channels.serializers import ChannelSerializer
from customers.models import Customer
from customers.oms.serializers import OmsCustomerSerializer
from customers.selectors import customers_with_order_totals
from customers.serializers import CustomerDetailedSerializer, CustomerSerializer
from omnitron.representation import FastRepresentationMixin
from orders.models import Order
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def drf_representation(serializer_class, instance) -> dict:
    """What DRF's Serializer.to_representation answers, the plan bypassed."""
    serializer = serializer_class()
    return super(FastRepresentationMixin, serializer).to_representation(instance)


@pytest.fixture
def varied_customers(channel):
    """Customers with empty, null, non-ASCII, nested and extreme values."""
    plain = CustomerFactory(channel=channel)
    full = CustomerFactory(
        channel=channel,
        email="Cagla.Oz+shop@example.com",
        phone_number="+905551112233",
        erp_code="ERP-1",
        gender="female",
        user_type="registered",
        date_of_birth=date(1, 1, 1),
        date_joined=datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        attributes={"segment": "gold", "nested": {"list": [1, 2.5, None, True, "ş"]}},
        extra_field={"": "", "emoji": "🛒"},
        localized_attributes={"tr": {"name": "İstanbul"}},
        is_active=False,
        sms_allowed=True,
    )
    Order.objects.create(channel=channel, customer=full, number="MP-1", amount=Decimal("12.50"))
    return [plain, full]


@pytest.mark.parametrize(
    "serializer_class", [CustomerSerializer, OmsCustomerSerializer, ChannelSerializer]
)
def test_plain_serializers_answer_as_drf(serializer_class, varied_customers):
    instances = varied_customers
    if serializer_class is ChannelSerializer:
        instances = [customer.channel for customer in varied_customers]
    assert serializer_class().representation_plan() is not None
    for instance in instances:
        assert serializer_class(instance).data == drf_representation(serializer_class, instance)


def test_detailed_serializer_answers_as_drf(varied_customers):
    assert CustomerDetailedSerializer().representation_plan() is not None
    for customer in customers_with_order_totals(Customer.objects.all()):
        expected = drf_representation(CustomerDetailedSerializer, customer)
        assert CustomerDetailedSerializer(customer).data == expected
    assert expected["orders_info"]["total_order_count"] in (0, 1)


@override_settings(TIME_ZONE="Europe/Istanbul")
def test_date_times_follow_the_time_zone_setting(varied_customers):
    customer = Customer.objects.get(pk=varied_customers[0].pk)

    data = CustomerSerializer(customer).data

    assert data == drf_representation(CustomerSerializer, customer)
    assert data["created_date"].endswith("+03:00")


def test_a_field_that_needs_the_request_leaves_the_class_to_drf(varied_customers):
    class WithMethodField(CustomerSerializer):
        greeting = serializers.SerializerMethodField()

        class Meta(CustomerSerializer.Meta):
            fields = ["pk", "greeting"]

        def get_greeting(self, customer):
            return f"{self.context['salute']} {customer.first_name}"

    customer = varied_customers[0]
    data = WithMethodField(customer, context={"salute": "Merhaba"}).data

    assert WithMethodField().representation_plan() is None
    assert data == {"pk": customer.pk, "greeting": "Merhaba Ayşe"}


def test_an_instance_of_another_kind_is_left_to_drf(varied_customers):
    customer = varied_customers[1]
    as_dict = {field.name: getattr(customer, field.name) for field in Customer._meta.fields}

    data = CustomerSerializer({**as_dict, "pk": customer.pk}).data

    assert data == drf_representation(CustomerSerializer, customer)


def test_the_api_answers_what_drf_answers(api, varied_customers):
    body = api.get("/api/v1/customers/", {"sort": "id"}).json()

    expected = [
        drf_representation(CustomerSerializer, customer)
        for customer in Customer.objects.order_by("pk")
    ]
    # As DRF's renderer writes them, read back.
    assert body["results"] == json.loads(json.dumps(expected, cls=JSONEncoder))
