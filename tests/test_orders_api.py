"""Orders are readable over the API, filterable by customer and channel."""

import pytest
from django.contrib.auth import get_user_model

from orders.models import Order, OrderItem
from tests.conftest import client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


@pytest.fixture
def orders(channel, other_channel):
    ayse = CustomerFactory(channel=channel)
    ali = CustomerFactory(channel=other_channel)
    first = Order.objects.create(channel=channel, customer=ayse, number="MP-1", amount="149.90")
    OrderItem.objects.create(order=first, product_sku="SKU-1", price="79.95", quantity=2)
    Order.objects.create(channel=channel, customer=ayse, number="MP-2", amount="10.00")
    Order.objects.create(channel=other_channel, customer=ali, number="MP-3", amount="5.00")
    return {"ayse": ayse, "ali": ali, "first": first}


def numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


def test_orders_list_newest_first_with_items(api, orders):
    response = api.get(URL)
    assert response.status_code == 200
    assert numbers(response) == ["MP-3", "MP-2", "MP-1"]
    first = response.json()["results"][-1]
    assert first["amount"] == "149.90"
    assert [(i["product_sku"], i["quantity"]) for i in first["items"]] == [("SKU-1", 2)]


# Filters (OrderFilterSet): one line per lookup; `{name}` is that customer's or channel's pk.
FILTER_CASES = [
    ({"customer": "{ayse}"}, ["MP-2", "MP-1"]),
    ({"customer": "{ali}"}, ["MP-3"]),
    ({"channel": "{other_channel}"}, ["MP-3"]),
    ({"channel": "{channel}"}, ["MP-2", "MP-1"]),
    ({"number": "MP-2"}, ["MP-2"]),
    ({"number": "MP-9"}, []),
    ({"channel": "{channel}", "customer": "{ali}"}, []),
]
INVALID_FILTER_CASES = [
    ("customer", "abc"),
    ("channel", "1.5"),
    ("number", "N" * 129),
]


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES, ids=str)
def test_filter(api, orders, channel, other_channel, params, expected):
    pks = {
        "ayse": orders["ayse"].pk,
        "ali": orders["ali"].pk,
        "channel": channel.pk,
        "other_channel": other_channel.pk,
    }
    params = {name: value.format(**pks) for name, value in params.items()}

    response = api.get(URL, params)

    assert response.status_code == 200, response.content
    assert numbers(response) == expected


@pytest.mark.parametrize(("param", "value"), INVALID_FILTER_CASES)
def test_invalid_filter_value_is_a_400_naming_it(api, orders, param, value):
    response = api.get(URL, {param: value})

    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_order_retrieve_and_no_writes(api, orders):
    url = f"{URL}{orders['first'].pk}/"
    assert api.get(url).json()["number"] == "MP-1"
    # The integrator has no order write permission, but no permission makes a write work.
    assert api.delete(url).status_code == 405
    assert api.post(URL, {"number": "X"}, format="json").status_code == 405
    assert Order.objects.count() == 3


def test_orders_take_no_writes_even_for_a_superuser(orders):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client = client_for(admin)
    assert client.delete(f"{URL}{orders['first'].pk}/").status_code == 405
    assert client.post(URL, {"number": "X"}, format="json").status_code == 405
    assert Order.objects.count() == 3


def test_order_list_queries_do_not_grow_with_the_page(api, orders, django_assert_num_queries):
    for limit in (1, 3):
        with django_assert_num_queries(4):
            api.get(URL, {"limit": limit})
