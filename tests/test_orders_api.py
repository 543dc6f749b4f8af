"""Orders over the API: the lists (every order, a channel's), their filters, create_orders."""

import copy
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from addresses.models import Address
from addresses.services import AddressService
from audit.models import Action, AuditEvent, Source
from customers.models import Customer
from locations.models import City, Country, Township
from orders.models import Order, OrderItem
from tests.conftest import client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


@pytest.fixture
def orders(channel, other_channel):
    ayse = CustomerFactory(channel=channel)
    ali = CustomerFactory(channel=other_channel)
    first = Order.objects.create(
        channel=channel,
        customer=ayse,
        number="MP-1",
        amount="149.90",
        status="new",
        remote_id="R-1",
        ordered_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    OrderItem.objects.create(order=first, product_sku="SKU-1", price="79.95", quantity=2)
    Order.objects.create(
        channel=channel,
        customer=ayse,
        number="MP-2",
        amount="10.00",
        status="delivered",
        remote_id="R-2",
        ordered_at=datetime(2026, 3, 5, tzinfo=UTC),
    )
    Order.objects.create(channel=other_channel, customer=ali, number="MP-3", amount="5.00")
    # Creation dates a test can name: MP-1 on the 1st, MP-2 on the 5th, MP-3 on the 9th.
    for number, day in (("MP-1", 1), ("MP-2", 5), ("MP-3", 9)):
        at = datetime(2026, 4, day, tzinfo=UTC)
        Order.objects.filter(number=number).update(created_date=at, modified_date=at)
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
    ({"number__exact": "MP-1"}, ["MP-1"]),
    ({"status": "delivered"}, ["MP-2"]),
    ({"remote_id": "R-1"}, ["MP-1"]),
    ({"ordered_at": "2026-03-01T00:00:00Z"}, ["MP-1"]),
    ({"ordered_at__gt": "2026-03-01T00:00:00Z"}, ["MP-2"]),
    ({"ordered_at__gte": "2026-03-01T00:00:00Z"}, ["MP-2", "MP-1"]),
    ({"ordered_at__lt": "2026-03-05T00:00:00Z"}, ["MP-1"]),
    ({"ordered_at__lte": "2026-03-05T00:00:00Z"}, ["MP-2", "MP-1"]),
    ({"created_date": "2026-04-05T00:00:00Z"}, ["MP-2"]),
    ({"created_date__gt": "2026-04-05T00:00:00Z"}, ["MP-3"]),
    ({"created_date__gte": "2026-04-05T00:00:00Z"}, ["MP-3", "MP-2"]),
    ({"created_date__lt": "2026-04-05T00:00:00Z"}, ["MP-1"]),
    ({"created_date__lte": "2026-04-05T00:00:00Z"}, ["MP-2", "MP-1"]),
    ({"modified_date": "2026-04-09T00:00:00Z"}, ["MP-3"]),
    ({"modified_date__gt": "2026-04-01T00:00:00Z"}, ["MP-3", "MP-2"]),
    ({"modified_date__gte": "2026-04-09T00:00:00Z"}, ["MP-3"]),
    ({"modified_date__lt": "2026-04-09T00:00:00Z"}, ["MP-2", "MP-1"]),
    ({"modified_date__lte": "2026-04-01T00:00:00Z"}, ["MP-1"]),
    ({"channel": "{channel}", "customer": "{ali}"}, []),
]
INVALID_FILTER_CASES = [
    ("customer", "abc"),
    ("channel", "1.5"),
    ("number", "N" * 129),
    ("ordered_at__gte", "yesterday"),
    ("created_date__lt", "2026-13-01T00:00:00Z"),
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
    # Orders are posted to a channel's create_orders; no permission makes these work.
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


def test_channel_orders_are_the_channels_and_another_channels_order_is_a_404(
    api, orders, channel, other_channel
):
    url = f"/api/v1/channel/{channel.pk}/orders/"

    assert numbers(api.get(url)) == ["MP-2", "MP-1"]
    assert numbers(api.get(url, {"number": "MP-3"})) == []  # the integration's check
    assert api.get(f"{url}{orders['first'].pk}/").json()["number"] == "MP-1"
    other = Order.objects.get(number="MP-3")
    assert api.get(f"{url}{other.pk}/").status_code == 404
    assert api.get("/api/v1/channel/999999/orders/").status_code == 404


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES[-3:-1], ids=str)
def test_channel_orders_take_the_same_filters(api, orders, channel, params, expected):
    response = api.get(f"/api/v1/channel/{channel.pk}/orders/", params)

    assert response.status_code == 200, response.content
    assert numbers(response) == [n for n in expected if n != "MP-3"]


def test_channel_order_list_queries_do_not_grow_with_the_page(
    api, orders, channel, django_assert_num_queries
):
    for limit in (1, 2):
        with django_assert_num_queries(5):  # the channel, then as the list of every order
            api.get(f"/api/v1/channel/{channel.pk}/orders/", {"limit": limit})


# create_orders: the contract's example, with the two addresses.
EXAMPLE = {
    "order": {
        "number": "MP-100045",
        "remote_id": "8812734",
        "currency": "TRY",
        "amount": "149.90",
        "shipping_amount": "9.90",
        "discount_amount": "10.00",
        "refund_amount": "0.00",
        "created_at": "2026-10-01T10:00:00Z",
        "status": "new",
        "extra_field": {"gift": True},
        "customer": {
            "channel_code": "C-771",
            "email": "ayse@example.com",
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "phone_number": "05551112233",
            "extra_field": {},
            "is_active": True,
        },
        "shipping_address": {
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "phone_number": "05551112233",
            "country": "TR",
            "city": "ISTANBUL",
            "township": "KADIKÖY",
            "district": "Caferağa",
            "line": "Moda Cad. No: 1",
        },
        "billing_address": {
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "phone_number": "05551112233",
            "country": "TR",
            "city": "Ankara",
            "township": "Çankaya",
            "line": "Atatürk Bulvarı No: 5",
            "company_name": "Yılmaz Ltd.",
            "tax_no": "1234567890",
        },
    },
    "order_item": [
        {
            "remote_id": "1",
            "product": "SKU-1",
            "price_currency": "TRY",
            "price": "79.95",
            "tax_rate": "20",
            "discount_amount": "5.00",
            "extra_field": {"size": "M"},
        },
        {"remote_id": "2", "product": "SKU-2", "price": "79.95"},
    ],
}


def create_url(channel) -> str:
    return f"/api/v1/channel/{channel.pk}/create_orders/"


def example(**order_changes) -> dict:
    body = copy.deepcopy(EXAMPLE)
    body["order"].update(order_changes)
    return body


def test_create_orders_answers_201_with_the_order_its_items_and_addresses(
    api, channel, tr_locations
):
    response = api.post(create_url(channel), example(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get()
    customer = Customer.objects.get(channel=channel, channel_code="C-771")
    shipping, billing = order.shipping_address, order.billing_address
    assert {k: v for k, v in body.items() if k not in ("id", "created_date", "modified_date")} | {
        "items": [{k: v for k, v in i.items() if k != "id"} for i in body["items"]],
        "shipping_address": body["shipping_address"]["pk"],
        "billing_address": body["billing_address"]["pk"],
    } == {
        "channel": channel.pk,
        "customer": customer.pk,
        "number": "MP-100045",
        "amount": "149.90",
        "discount_amount": "10.00",
        "refund_amount": "0.00",
        "shipping_amount": "9.90",
        "currency": "TRY",
        "status": "new",
        "remote_id": "8812734",
        "ordered_at": "2026-10-01T10:00:00Z",
        "extra_field": {"gift": True},
        "shipping_address": shipping.pk,
        "billing_address": billing.pk,
        "items": [
            {
                "product_sku": "SKU-1",
                "product_name": "",
                "quantity": 1,
                "price": "79.95",
                "price_currency": "TRY",
                "tax_rate": "20.00",
                "discount_amount": "5.00",
                "remote_id": "1",
                "extra_field": {"size": "M"},
            },
            {
                "product_sku": "SKU-2",
                "product_name": "",
                "quantity": 1,
                "price": "79.95",
                "price_currency": "TRY",
                "tax_rate": "0.00",
                "discount_amount": "0.00",
                "remote_id": "2",
                "extra_field": {},
            },
        ],
    }
    assert body["id"] == order.pk
    assert (shipping.customer, shipping.city.name, shipping.township.name) == (
        customer,
        "İstanbul",
        "Kadıköy",
    )
    assert shipping.district.name == "Caferağa"
    assert (billing.city.name, billing.company_name) == ("Ankara", "Yılmaz Ltd.")
    assert body["shipping_address"]["hash_data"] == shipping.hash_data
    assert order.raw_payload == EXAMPLE
    events = AuditEvent.objects.filter(source=Source.API)
    assert sorted(events.values_list("content_type__model", "action")) == [
        ("address", Action.CREATE),
        ("address", Action.CREATE),
        ("customer", Action.CREATE),
        ("order", Action.CREATE),
    ]
    order_event = events.get(content_type__model="order")
    assert order_event.changes["shipping_address"] == [None, shipping.pk]
    assert order_event.actor_id is not None


def test_create_orders_takes_a_customer_and_addresses_by_pk(api, channel, tr_locations):
    customer = CustomerFactory(channel=channel, channel_code="C-1")
    address = AddressService.create_address(
        customer=customer,
        first_name="Ali",
        last_name="Kaya",
        phone_number="0555",
        country=Country.objects.get(code="TR"),
        city=City.objects.get(name="İzmir"),
        township=Township.objects.get(name="Bornova"),
        line="Kazımdirik Mah.",
    )
    body = example(customer=customer.pk, shipping_address=address.pk, billing_address=address.pk)

    response = api.post(create_url(channel), body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["customer"] == customer.pk
    assert response.json()["shipping_address"]["pk"] == address.pk
    assert response.json()["billing_address"]["line"] == "Kazımdirik Mah."
    assert Address.objects.count() == 1
    customer.refresh_from_db()
    assert customer.channel_code == "C-1"  # named, not changed


def test_the_same_address_again_is_reused_not_duplicated(api, channel, tr_locations):
    api.post(create_url(channel), example(), format="json")
    again = example(number="MP-2")
    again["order"]["shipping_address"]["city"] = "istanbul"  # another spelling, one address
    again["order"]["shipping_address"]["line"] = "  MODA CAD.  No: 1 "

    response = api.post(create_url(channel), again, format="json")

    assert response.status_code == 201, response.content
    assert Address.objects.count() == 2  # the shipping and the billing address
    orders = Order.objects.order_by("id")
    assert orders[0].shipping_address_id == orders[1].shipping_address_id


def test_a_number_the_channel_has_is_a_400_naming_number(api, channel, tr_locations):
    assert api.post(create_url(channel), example(), format="json").status_code == 201
    audit_rows = AuditEvent.objects.count()

    response = api.post(create_url(channel), example(), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "order.number": ["The channel already has an order with this number."]
    }
    assert Order.objects.count() == 1
    assert AuditEvent.objects.count() == audit_rows


def test_a_customer_or_address_of_another_channel_or_customer_is_a_400(
    api, channel, other_channel, tr_locations
):
    stranger = CustomerFactory(channel=other_channel)
    own = CustomerFactory(channel=channel)
    address = AddressService.create_address(
        customer=stranger,
        first_name="A",
        last_name="B",
        phone_number="1",
        country=Country.objects.get(code="TR"),
        city=City.objects.get(name="Ankara"),
        line="x",
    )

    by_stranger = api.post(create_url(channel), example(customer=stranger.pk), format="json")
    strangers_address = api.post(
        create_url(channel), example(customer=own.pk, shipping_address=address.pk), format="json"
    )

    assert (by_stranger.status_code, by_stranger.json()) == (
        400,
        {"order.customer": ["Not a customer of this channel."]},
    )
    assert (strangers_address.status_code, strangers_address.json()) == (
        400,
        {"order.shipping_address": ["Not an address of this order's customer."]},
    )
    assert not Order.objects.exists()
    assert Address.objects.count() == 1  # the billing address of the refused post: rolled back


def test_bad_orders_are_400s_naming_the_fields(api, channel, tr_locations):
    body = example(amount="-1", customer={"channel_code": "C-1", "email": "nope"})
    body["order"]["shipping_address"]["city"] = "Atlantis"
    body["order_item"][0]["price"] = "x"
    del body["order"]["number"]

    response = api.post(create_url(channel), body, format="json")
    unknown_place = api.post(
        create_url(channel),
        example(
            number="P",
            shipping_address={
                **EXAMPLE["order"]["shipping_address"],
                "city": "Atlantis",
                "township": None,
            },
        ),
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {
        "order.number",
        "order.amount",
        "order.customer.email",
        "order_item[0].price",
    }
    assert (unknown_place.status_code, unknown_place.json()) == (
        400,
        {"order.shipping_address.city": ["No city of this name or code in the country."]},
    )
    for bad in ([], {"order": []}, {"order": {"number": "X", "amount": "1", "customer": "7"}}):
        assert api.post(create_url(channel), bad, format="json").status_code == 400
    assert not Order.objects.exists()


def test_create_orders_into_an_unknown_channel_is_a_404(api, tr_locations):
    assert (
        api.post("/api/v1/channel/999999/create_orders/", example(), format="json").status_code
        == 404
    )


def test_create_orders_needs_the_add_order_permission(read_only_api, channel, tr_locations):
    assert read_only_api.post(create_url(channel), example(), format="json").status_code == 403


def test_create_orders_with_an_idempotency_key_replays_the_first_answer(api, channel, tr_locations):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-MP-100045"}
    first = api.post(create_url(channel), example(), format="json", **headers)

    retry = api.post(create_url(channel), example(), format="json", **headers)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
