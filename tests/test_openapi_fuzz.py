"""Schemathesis against the service's own OpenAPI document, in-process over WSGI.

Every operation of /api/v1/schema/ is called with generated requests, both
valid ones and malformed ones (wrong types, huge strings, NUL bytes, bad dates,
out-of-range integers, missing fields, other media types and methods),
authenticated as a user holding every permission, against a few channels,
customers and orders. Each response must:

- not be a server error (no 5xx, ever; the traceback is shown if there is one);
- have a status code the schema documents for the operation;
- have a documented content type, and a body matching the documented schema;
- be a 405 for a method the path does not document;
- be a 4xx for a query or path parameter the schema refuses.

The run is bounded (MAX_EXAMPLES per operation, plus the coverage phase's
deterministic boundary cases) and derandomized, so CI sends the same requests
every time. Every example runs in a savepoint rolled back after it, so each one
starts from the same rows.

After it, a few malformed requests the generator rarely reaches, each of which
was a 500 or an HTML page.
"""

import json
import sys
import traceback
from decimal import Decimal
from urllib.parse import urlencode

import django.db
import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from addresses.services import AddressService
from apitokens.services import issue_token
from audit.context import AuditContext
from audit.models import Source
from channels.models import Channel, ChannelType
from customers.services import CustomerService
from locations.models import City, Country
from locations.services import LocationService
from omnitron.validators import MAX_JSON_DEPTH
from omnitron.wsgi import application
from orders.models import Order

MAX_EXAMPLES = 30


def rejects_invalid_parameters(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """schemathesis' negative_data_rejection, for query and path parameters.

    A filter value the schema refuses must be a 4xx, never ignored (the
    contract). Request bodies are left out: DRF's fields coerce JSON values the
    schema types strictly (`0` for a boolean, `5` for a string), by design.
    """
    body = case.meta.components.get(ParameterLocation.BODY) if case.meta else None
    if body is not None and body.mode.is_negative:
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,
    rejects_invalid_parameters,
]

RAW_SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            # Valid requests and malformed ones.
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            # The token is ours (below); generated Authorization values would only test 401.
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
        # The coverage phase sends every boundary and malformed value the schema
        # implies (hundreds of requests for an operation with many fields). It
        # runs once per filter set and request body: the channel-scoped routes and
        # the detailed views take the filters and bodies of /customers/, and PUT
        # the body of POST; those get the bounded fuzzing phase only.
        "operations": [
            {
                "include-path-regex": r"^/api/v1/channel/|/detailed/$",
                "phases": {"coverage": {"enabled": False}},
            },
            {"include-method": "PUT", "phases": {"coverage": {"enabled": False}}},
        ],
    }
)
schema = schemathesis.openapi.from_dict(RAW_SCHEMA, config=CONFIG)

FIXTURE_CONTEXT = AuditContext(source=Source.SHELL, request_id="openapi-fuzz")


class World:
    """The objects the generated requests can reach, and the token to reach them."""

    def __init__(self):
        user = get_user_model().objects.create_user("fuzzer")
        # Every permission there is, not only the customer and channel ones.
        user.user_permissions.set(Permission.objects.all())
        self.token = issue_token(user)
        self.channel = Channel.objects.create(
            name="Fuzzed shop", catalog=1, channel_type=ChannelType.WEB
        )
        self.other_channel = Channel.objects.create(
            name="Other shop", catalog=2, channel_type=ChannelType.TRENDYOL
        )
        self.customers = [
            CustomerService.create_customer(
                channel=channel,
                channel_code=f"C-{number}",
                audit_context=FIXTURE_CONTEXT,
                email=f"customer{number}@example.com",
                first_name="Ayşe",
                attributes={"segment": "gold"},
            )
            for number, channel in enumerate([self.channel] * 3 + [self.other_channel])
        ]
        self.orders = [
            Order.objects.create(
                channel=self.channel,
                customer=self.customers[0],
                number=f"MP-{number}",
                amount=Decimal("149.90"),
                discount_amount=Decimal("10.00"),
            )
            for number in range(2)
        ]
        self.country = LocationService.create_location(
            Country, name="Türkiye", code="TR", audit_context=FIXTURE_CONTEXT
        )
        self.city = LocationService.create_location(
            City, name="İstanbul", country=self.country, audit_context=FIXTURE_CONTEXT
        )
        self.addresses = [
            AddressService.create_address(
                customer=customer,
                first_name="Ayşe",
                last_name="Yılmaz",
                phone_number="05551112233",
                country=self.country,
                city=self.city,
                line="Moda Cad. 1",
                audit_context=FIXTURE_CONTEXT,
            )
            for customer in (self.customers[0], self.customers[3])
        ]

    def resolve_ids(self, case) -> None:
        """Point most generated ids at objects that exist.

        Random integers would almost always be a 404 (and the coverage phase
        sends 0): an id `n` with `n % 4 != 3` becomes an existing one (the
        customer of the URL's channel on the channel route); the others stay as
        generated, to hit the 404. Malformed ids ("0.5", "000", "%C2%84") are
        left alone. Path parameters arrive serialized, as strings.
        """
        params = case.path_parameters
        if not params:
            return
        if (number := _resolvable(params.get("channel_id"))) is not None:
            params["channel_id"] = str(self.channel.pk)
        if (number := _resolvable(params.get("id"))) is not None:
            if case.operation.path.startswith("/api/v1/channels/"):
                ids = [self.channel.pk, self.other_channel.pk]
            elif case.operation.path.startswith("/api/v1/orders/"):
                ids = [order.pk for order in self.orders]
            elif case.operation.path.endswith("/addresses/{id}/"):
                channel_id = params.get("channel_id")
                ids = [
                    a.pk for a in self.addresses if channel_id in (None, str(a.customer.channel_id))
                ]
            elif "channel_id" in params:
                ids = [c.pk for c in self.customers if str(c.channel_id) == params["channel_id"]]
            else:
                ids = [c.pk for c in self.customers]
            if ids:
                params["id"] = str(ids[number % len(ids)])
        # The channel a customer is written to, and the `channel` filter, likewise.
        body = case.body
        if isinstance(body, dict) and _resolvable(body.get("channel")) is not None:
            body["channel"] = self.channel.pk
        # An address's customer and places, likewise.
        if isinstance(body, dict) and case.operation.path.startswith(
            ("/api/v1/addresses/", "/api/v1/channel/{channel_id}/addresses/")
        ):
            for field, pk in (
                ("customer", self.customers[0].pk),
                ("country", self.country.pk),
                ("city", self.city.pk),
            ):
                if _resolvable(body.get(field)) is not None:
                    body[field] = pk
        channels = case.query.get("channel") if case.query else None
        if isinstance(channels, list):
            case.query["channel"] = [
                self.channel.pk if _resolvable(value) is not None else value for value in channels
            ]


def _resolvable(value) -> int | None:
    """The id to replace with an existing one, if `value` is a canonical integer to replace."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value)
    if not text.isascii() or not text.isdigit() or text != str(int(text)):
        return None
    number = int(text)
    return number if number % 4 != 3 else None


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def in_test_transaction():
    """Keep Django's request signals from closing the test's connection mid-transaction.

    The WSGI handler runs in this thread on the test's connection (as Django's
    test client does); `close_old_connections` would close it after each request.
    """
    request_started.disconnect(django.db.close_old_connections)
    request_finished.disconnect(django.db.close_old_connections)
    errors: list[BaseException] = []

    def record(sender, request=None, **kwargs):
        errors.append(sys.exc_info()[1])

    got_request_exception.connect(record, weak=False)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(record)
        request_started.connect(django.db.close_old_connections)
        request_finished.connect(django.db.close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@pytest.mark.django_db(transaction=False)
def test_api_conforms_to_its_schema(case, world, in_test_transaction):
    world.resolve_ids(case)
    headers = {"Authorization": f"Token {world.token}"}
    # Each example starts from the same rows: its writes are rolled back after it.
    with transaction.atomic():
        try:
            response = case.call(app=application, headers=headers)
            if in_test_transaction:
                error = in_test_transaction.pop()
                trace = "".join(traceback.format_exception(error))
                pytest.fail(f"{case.as_curl_command()}\nanswered {response.status_code}:\n{trace}")
            case.validate_response(
                response, checks=CHECKS, headers=headers, transport_kwargs={"app": application}
            )
        finally:
            transaction.set_rollback(True)


# Malformed requests the generator rarely reaches; each was a 500 (or an HTML page).
DEEP = 5000


@pytest.fixture
def fuzzer_api(world) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.token}")
    return client


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.django_db
def test_the_fuzzed_document_is_the_served_one(fuzzer_api):
    served = fuzzer_api.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()

    assert served == json.loads(json.dumps(RAW_SCHEMA))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/customers/", nested(DEEP)),
        ("PATCH", "/api/v1/customers/{customer}/", f'{{"attributes": {nested(DEEP)}}}'),
        ("PATCH", "/api/v1/channels/{channel}/", "[" * DEEP + "]" * DEEP),
        ("POST", "/api/v1/auth/login/", nested(DEEP)),
    ],
)
def test_json_nested_too_deep_to_parse_is_a_400(fuzzer_api, world, method, path, body):
    path = path.format(customer=world.customers[0].pk, channel=world.channel.pk)

    response = fuzzer_api.generic(method, path, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_json_field_nested_too_deep_is_a_400_on_the_field(fuzzer_api, world, content_type):
    value = nested(MAX_JSON_DEPTH + 1)
    body = (
        f'{{"attributes": {value}}}'
        if content_type == "application/json"
        else urlencode({"attributes": value})
    )

    response = fuzzer_api.generic(
        "PATCH", f"/api/v1/customers/{world.customers[0].pk}/", body, content_type=content_type
    )

    assert response.status_code == 400
    assert response.json() == {"attributes": [f"Nested deeper than {MAX_JSON_DEPTH} levels."]}


@pytest.mark.django_db
def test_json_field_at_the_depth_limit_is_accepted(fuzzer_api, world):
    value = json.loads(nested(MAX_JSON_DEPTH))

    response = fuzzer_api.patch(
        f"/api/v1/customers/{world.customers[0].pk}/", {"attributes": value}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["attributes"] == value


@pytest.mark.django_db
@pytest.mark.parametrize("channel_id", ["9" * 5000, "9" * 30, "0"])
def test_channel_route_with_no_such_channel_id_is_a_404(fuzzer_api, channel_id):
    for path in (
        f"/api/v1/channel/{channel_id}/customers/",
        f"/api/v1/channel/{channel_id}/customers/1/",
    ):
        response = fuzzer_api.get(path)

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/customers/0.5/", "/api/v1/channel/x/customers/"]
)
def test_an_api_url_that_matches_no_route_is_a_json_404(fuzzer_api, path):
    response = fuzzer_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_outside_the_api_a_404_is_still_django_s_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
