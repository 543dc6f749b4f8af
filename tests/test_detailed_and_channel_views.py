"""The detailed serializer (channel object + order totals) and the channel-scoped view."""

from decimal import Decimal

import pytest

from customers.models import Customer
from orders.models import Order
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def add_order(customer, number, amount, discount="0", refund="0"):
    return Order.objects.create(
        channel=customer.channel,
        customer=customer,
        number=number,
        amount=Decimal(amount),
        discount_amount=Decimal(discount),
        refund_amount=Decimal(refund),
    )


def test_detailed_shows_the_channel_object_and_no_orders(api, channel):
    customer = CustomerFactory(channel=channel)
    body = api.get(f"/api/v1/customers/{customer.pk}/detailed/").json()

    assert body["channel"]["id"] == channel.pk
    assert body["channel"]["name"] == "Web shop"
    assert set(body["channel"]) == {
        "id",
        "name",
        "catalog",
        "channel_type",
        "conf",
        "category_tree",
        "is_active",
        "schema",
        "created_date",
        "modified_date",
    }
    assert body["orders_info"] == {
        "total_order_amount": None,
        "total_refund_amount": None,
        "total_discount_amount": None,
        "total_order_count": 0,
    }
    assert list(body)[-1] == "orders_info"


def test_detailed_totals_are_sums_over_the_customers_orders(api, channel):
    customer = CustomerFactory(channel=channel)
    other = CustomerFactory(channel=channel)
    add_order(customer, "MP-1", "149.90", discount="10.00", refund="0")
    add_order(customer, "MP-2", "50.10", discount="2.50", refund="50.10")
    add_order(other, "MP-3", "999.00")

    body = api.get(f"/api/v1/customers/{customer.pk}/detailed/").json()
    assert body["orders_info"] == {
        "total_order_amount": 200.0,
        "total_refund_amount": 50.1,
        "total_discount_amount": 12.5,
        "total_order_count": 2,
    }
    listed = {
        row["pk"]: row["orders_info"]
        for row in api.get("/api/v1/customers/detailed/").json()["results"]
    }
    assert listed[customer.pk]["total_order_count"] == 2
    assert listed[other.pk]["total_order_amount"] == 999.0


def test_detailed_list_takes_the_filters(api, channel):
    CustomerFactory(channel=channel, email="ayse@example.com")
    CustomerFactory(channel=channel, email="mehmet@example.com")
    body = api.get("/api/v1/customers/detailed/", {"email__startswith": "ayse"}).json()
    assert [row["email"] for row in body["results"]] == ["ayse@example.com"]


def test_channel_view_lists_only_that_channels_customers(api, channel, other_channel):
    mine = CustomerFactory(channel=channel)
    CustomerFactory(channel=other_channel)
    body = api.get(f"/api/v1/channel/{channel.pk}/customers/").json()
    assert [row["pk"] for row in body["results"]] == [mine.pk]


def test_channel_view_answers_404_for_another_channels_customer(api, channel, other_channel):
    theirs = CustomerFactory(channel=other_channel)
    base = f"/api/v1/channel/{channel.pk}/customers/{theirs.pk}/"
    assert api.get(base).status_code == 404
    assert api.get(f"{base}detailed/").status_code == 404
    assert api.patch(base, {"first_name": "X"}, format="json").status_code == 404
    assert api.delete(base).status_code == 404
    assert Customer.objects.filter(pk=theirs.pk).exists()


def test_channel_view_of_an_unknown_channel_is_a_404(api):
    response = api.get("/api/v1/channel/424242/customers/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_channel_view_creates_in_the_url_channel(api, channel):
    response = api.post(
        f"/api/v1/channel/{channel.pk}/customers/",
        {"email": "a@example.com", "channel_code": "C-1"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["channel"] == channel.pk
    assert Customer.objects.get(channel_code="C-1").channel_id == channel.pk


def test_channel_view_refuses_another_channel_in_the_body(api, channel, other_channel):
    response = api.post(
        f"/api/v1/channel/{channel.pk}/customers/",
        {"email": "a@example.com", "channel_code": "C-1", "channel": other_channel.pk},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["channel"]
    assert not Customer.objects.exists()


def test_channel_view_patch_and_put_keep_the_channel(api, channel):
    customer = CustomerFactory(channel=channel)
    url = f"/api/v1/channel/{channel.pk}/customers/{customer.pk}/"
    assert api.patch(url, {"first_name": "Veli"}, format="json").json()["first_name"] == "Veli"
    put = api.put(url, {"email": "new@example.com", "channel_code": "NEW"}, format="json")
    assert put.status_code == 200
    assert (put.json()["channel"], put.json()["channel_code"]) == (channel.pk, "NEW")
