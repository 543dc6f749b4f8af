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


def test_orders_filter_by_customer_and_channel(api, orders, other_channel):
    assert numbers(api.get(URL, {"customer": orders["ayse"].pk})) == ["MP-2", "MP-1"]
    assert numbers(api.get(URL, {"channel": other_channel.pk})) == ["MP-3"]
    assert numbers(api.get(URL, {"number": "MP-2"})) == ["MP-2"]
    assert api.get(URL, {"customer": "abc"}).status_code == 400


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
