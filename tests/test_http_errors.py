"""Errors the service answers itself: the right status, and always JSON under /api/."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from channels.models import Channel
from customers.models import Customer
from orders.models import Order
from tests.conftest import client_for, grant, make_user
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMERS_URL = "/api/v1/customers/"
WRITE_METHODS = ["post", "put", "patch", "delete"]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def assert_json_detail(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["detail"]
    return body["detail"]


@pytest.fixture
def customer(channel):
    return CustomerFactory(channel=channel)


@pytest.fixture
def order(customer, channel):
    return Order.objects.create(channel=channel, customer=customer, number="MP-1", amount="9.90")


# A body over DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize("body_format", ["json", "multipart", "urlencoded"])
def test_a_body_over_the_limit_is_a_413_in_json(api, channel, settings, body_format):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    fields = {"email": "big@example.com", "channel": channel.pk, "channel_code": "C-1"}
    fields["first_name"] = "x" * 1000
    if body_format == "urlencoded":
        body = "&".join(f"{name}={value}" for name, value in fields.items())
        response = api.generic(
            "POST", CUSTOMERS_URL, body, content_type="application/x-www-form-urlencoded"
        )
    else:
        response = api.post(CUSTOMERS_URL, fields, format=body_format)

    detail = assert_json_detail(response, 413)
    assert detail == "Request body is larger than the 1000 bytes this service accepts."
    assert not Customer.objects.exists()


def test_a_patch_over_the_limit_is_a_413_and_changes_nothing(api, customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api.patch(f"{CUSTOMERS_URL}{customer.pk}/", {"first_name": "x" * 1000}, "json")

    assert_json_detail(response, 413)
    customer.refresh_from_db()
    assert customer.first_name == "Ayşe"


def test_a_body_within_the_limit_is_served(api, channel, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    fields = {"email": "small@example.com", "channel": channel.pk, "channel_code": "C-1"}

    assert api.post(CUSTOMERS_URL, fields, format="json").status_code == 201


# Methods a route does not answer: 405 with Allow, whatever the user's permissions

READ_ONLY_ROUTES = [
    ("/api/v1/orders/", "GET, HEAD, OPTIONS"),
    ("/api/v1/orders/{order}/", "GET, HEAD, OPTIONS"),
    ("/api/v1/audit_events/", "GET, HEAD, OPTIONS"),
    ("/api/v1/oms/customers/list-simple/", "GET, HEAD, OPTIONS"),
    ("/api/v1/customers/detailed/", "GET, HEAD, OPTIONS"),
    ("/api/v1/customers/{customer}/detailed/", "GET, HEAD, OPTIONS"),
    ("/api/v1/customers/{customer}/audit_events/", "GET, HEAD, OPTIONS"),
    ("/api/v1/channel/{channel}/customers/detailed/", "GET, HEAD, OPTIONS"),
    ("/api/v1/docs/", "GET, HEAD, OPTIONS"),
]


@pytest.mark.parametrize("user_kind", ["full", "read_only", "no_permission"])
@pytest.mark.parametrize("method", WRITE_METHODS)
@pytest.mark.parametrize(("url", "allow"), READ_ONLY_ROUTES, ids=[u for u, _ in READ_ONLY_ROUTES])
def test_a_write_to_a_read_only_route_is_a_405_with_allow(
    customer, order, channel, url, allow, method, user_kind
):
    client = client_for(
        make_user(
            user_kind, read_only=user_kind == "read_only", permissions=user_kind != "no_permission"
        )
    )
    url = url.format(customer=customer.pk, order=order.pk, channel=channel.pk)

    response = getattr(client, method)(url, {"number": "X"}, format="json")

    detail = assert_json_detail(response, 405)
    assert detail == f'Method "{method.upper()}" not allowed.'
    assert response["Allow"] == allow
    assert Order.objects.count() == 1


def test_a_write_to_a_read_only_route_without_a_token_is_still_a_401(order):
    response = APIClient().post("/api/v1/orders/", {"number": "X"}, format="json")

    assert_json_detail(response, 401)


def test_a_write_the_route_answers_still_needs_its_permission(read_only_api, customer):
    response = read_only_api.patch(f"{CUSTOMERS_URL}{customer.pk}/", {"first_name": "X"}, "json")

    assert_json_detail(response, 403)


# Integer keys of related objects

# Each names the channel `pk` to Django's int(), which reads all of them.
NOT_AN_INTEGER_KEY = {
    "float with a fraction": lambda pk: pk + 0.5,
    "whole float": float,
    "decimal text": lambda pk: f"{pk}.0",
    "arabic-indic digits": lambda pk: str(pk).translate(ARABIC_INDIC),
    "padded text": lambda pk: f" {pk}",
    "true": lambda pk: True,
    "empty text": lambda pk: "",
}


@pytest.fixture
def channel_one(db):
    """A channel whose key is 1, so that `true` and 1.5 name it to Django's int()."""
    return Channel.objects.create(pk=1, name="One", catalog=1, channel_type="web")


@pytest.mark.parametrize("spelling", NOT_AN_INTEGER_KEY)
def test_a_channel_that_is_not_an_integer_is_a_400_naming_it(api, channel_one, spelling):
    value = NOT_AN_INTEGER_KEY[spelling](channel_one.pk)
    fields = {"email": "a@example.com", "channel": value, "channel_code": "C-1"}

    response = api.post(CUSTOMERS_URL, fields, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["channel"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("route", ["customers", "channel"])
@pytest.mark.parametrize("spelling", NOT_AN_INTEGER_KEY)
def test_a_patch_with_a_channel_that_is_not_an_integer_is_a_400(api, channel_one, spelling, route):
    customer = CustomerFactory(channel=channel_one)
    url = {
        "customers": f"{CUSTOMERS_URL}{customer.pk}/",
        "channel": f"/api/v1/channel/{channel_one.pk}/customers/{customer.pk}/",
    }[route]
    value = NOT_AN_INTEGER_KEY[spelling](channel_one.pk)

    response = api.patch(url, {"channel": value, "first_name": "Fatma"}, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["channel"]
    assert AuditEvent.objects.filter(action="update").count() == 0


@pytest.mark.parametrize("body_format", ["json", "multipart"])
def test_a_channel_as_an_integer_or_its_digits_is_accepted(api, channel, body_format):
    for code, value in (("C-1", channel.pk), ("C-2", str(channel.pk))):
        fields = {"email": "a@example.com", "channel": value, "channel_code": code}
        response = api.post(CUSTOMERS_URL, fields, format=body_format)
        assert response.status_code == 201, response.content
        assert response.json()["channel"] == channel.pk


# Paths: numbers in ASCII digits

NON_ASCII_SPELLINGS = {
    "arabic-indic": lambda pk: str(pk).translate(ARABIC_INDIC),
    "fullwidth": lambda pk: str(pk).translate(FULLWIDTH),
    "plus sign": lambda pk: f"+{pk}",
}


@pytest.mark.parametrize("spelling", NON_ASCII_SPELLINGS)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers/{customer}/",
        "/api/v1/customers/{customer}/detailed/",
        "/api/v1/channel/{channel}/customers/",
        "/api/v1/channel/{channel_ascii}/customers/{customer}/",
        "/api/v1/channels/{channel}/",
        "/api/v1/orders/{order}/",
        "/api/v1/audit_events/{event}/",
    ],
)
def test_a_number_in_a_path_is_ascii_digits_or_a_404(
    api, user, customer, order, channel, path, spelling
):
    grant(user, "audit.view_auditevent", "orders.view_order")
    spell = NON_ASCII_SPELLINGS[spelling]
    keys = {
        "customer": customer.pk,
        "channel": channel.pk,
        "order": order.pk,
        "event": AuditEvent.objects.get(object_id=customer.pk).pk,
    }
    ascii_path = path.format(channel_ascii=channel.pk, **keys)
    assert api.get(ascii_path).status_code == 200

    response = api.get(
        path.format(channel_ascii=channel.pk, **{name: spell(pk) for name, pk in keys.items()})
    )

    assert assert_json_detail(response, 404) == "Not found."


# A URL missing its trailing slash


@pytest.mark.parametrize("debug", [False, True], ids=["debug off", "debug on"])
@pytest.mark.parametrize("method", WRITE_METHODS)
def test_a_write_without_the_trailing_slash_is_a_404_naming_the_url(
    api, customer, settings, debug, method
):
    settings.DEBUG = debug
    api.raise_request_exception = False
    url = CUSTOMERS_URL.rstrip("/") if method == "post" else f"{CUSTOMERS_URL}{customer.pk}"
    fields = {"email": "a@example.com", "channel": customer.channel_id, "channel_code": "C-9"}

    response = getattr(api, method)(url, fields, format="json", HTTP_X_REQUEST_ID="req-7")

    detail = assert_json_detail(response, 404)
    assert detail == f"Not found. This URL ends with a slash: {url}/"
    assert response["X-Request-ID"] == "req-7"
    assert list(Customer.objects.values_list("channel_code", flat=True)) == [customer.channel_code]


def test_a_read_without_the_trailing_slash_is_still_redirected(api, customer):
    response = api.get(CUSTOMERS_URL.rstrip("/"), {"limit": 5})

    assert response.status_code == 301
    assert response["Location"] == f"{CUSTOMERS_URL}?limit=5"


def test_an_unknown_api_path_without_a_slash_is_a_plain_404(api):
    assert assert_json_detail(api.post("/api/v1/nothing", {}, format="json"), 404) == "Not found."
