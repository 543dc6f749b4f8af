"""The audit trail over the API: /customers/{pk}/audit_events/ and /audit_events/.

Changes are made the ways they really happen (an API POST and PATCH, the admin
change form, the order import) and then read back through the API, with the
actor, source and field changes each one must show.
"""

import io
import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from audit.context import AuditContext
from audit.models import Action, AuditEvent, Source
from audit.services import record_audit_event
from customers.models import Customer
from customers.services import CustomerService
from orders.models import Order
from tests.conftest import client_for, grant, make_user
from tests.factories import ChannelFactory, CustomerFactory
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/audit_events/"
CUSTOMERS_URL = "/api/v1/customers/"
EVERY_FIELD_OF_AN_EVENT = {
    "id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "actor",
    "source",
    "timestamp",
    "request_id",
    "remote_addr",
    "changes",
}


def history_url(customer_pk: int) -> str:
    return f"{CUSTOMERS_URL}{customer_pk}/audit_events/"


@pytest.fixture
def auditor(db):
    """Reads customers and the audit trail; writes nothing."""
    user = make_user("auditor", read_only=True)
    grant(user, "audit.view_auditevent")
    return user


@pytest.fixture
def audit_api(auditor):
    return client_for(auditor)


def without_ids_and_times(event: dict) -> dict:
    return {key: value for key, value in event.items() if key not in ("id", "timestamp")}


def change(field: str, old, new) -> dict:
    return {"field": field, "old": old, "new": new}


def import_orders(channel, tmp_path, *orders: dict) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(order) + "\n" for order in orders), encoding="utf-8")
    call_command(
        "import_orders",
        "--channel",
        str(channel.pk),
        str(path),
        "--in-process",
        stdout=io.StringIO(),
    )


def marketplace_order(number: str, **customer) -> dict:
    return {"order": {"number": number, "amount": "100.00", "customer": customer}}


# The three ways a customer changes, read back through the API.


def test_admin_edit_api_patch_and_import_each_show_with_actor_source_and_changes(
    api, user, audit_api, channel, tmp_path
):
    staff = make_user("staff", permissions=False)
    staff.is_staff = staff.is_superuser = True
    staff.save()
    admin = Client()
    admin.force_login(staff)
    ayse = {"channel_code": "C-1", "email": "ayse@example.com", "first_name": "Ayse"}

    import_orders(channel, tmp_path, marketplace_order("MP-1", **ayse))
    customer = Customer.objects.get(channel=channel, channel_code="C-1")
    response = api.patch(
        f"{CUSTOMERS_URL}{customer.pk}/",
        {"sms_allowed": True},
        format="json",
        HTTP_X_REQUEST_ID="req-patch",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    response = admin.post(
        f"/admin/customers/customer/{customer.pk}/change/", form_data(customer, last_name="Kaya")
    )
    assert response.status_code == 302
    import_orders(channel, tmp_path, marketplace_order("MP-2", **{**ayse, "first_name": "Ayşe"}))

    response = audit_api.get(history_url(customer.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    imported, edited, patched, created = (without_ids_and_times(e) for e in body["results"])
    common = {"object_type": "customers.customer", "object_id": customer.pk}
    assert imported == {
        **common,
        "action": "update",
        "object_repr": imported["object_repr"],
        "actor": None,
        "source": "import",
        "request_id": imported["request_id"],
        "remote_addr": None,
        "changes": [change("first_name", "Ayse", "Ayşe")],
    }
    assert imported["request_id"].startswith("import-")
    assert edited == {
        **common,
        "action": "update",
        "object_repr": edited["object_repr"],
        "actor": {"id": staff.pk, "username": "staff"},
        "source": "admin",
        "request_id": edited["request_id"],
        "remote_addr": "127.0.0.1",
        "changes": [change("last_name", "", "Kaya")],
    }
    assert patched == {
        **common,
        "action": "update",
        "object_repr": patched["object_repr"],
        "actor": {"id": user.pk, "username": "integrator"},
        "source": "api",
        "request_id": "req-patch",
        "remote_addr": "203.0.113.9",
        "changes": [change("sms_allowed", False, True)],
    }
    assert (created["action"], created["source"], created["actor"]) == ("create", "import", None)
    assert change("email", None, "ayse@example.com") in created["changes"]

    # The same events, filterable across customers.
    listed = audit_api.get(EVENTS_URL, {"customer": customer.pk}).json()
    assert listed["results"] == body["results"]
    by_source = {
        source: audit_api.get(EVENTS_URL, {"customer": customer.pk, "source": source}).json()
        for source in ("api", "admin", "import")
    }
    assert [e["changes"] for e in by_source["api"]["results"]] == [patched["changes"]]
    assert [e["changes"] for e in by_source["admin"]["results"]] == [edited["changes"]]
    assert [e["action"] for e in by_source["import"]["results"]] == ["update", "create"]
    assert audit_api.get(EVENTS_URL, {"actor": staff.pk}).json()["count"] == 1


def test_api_create_shows_every_field_from_null(api, user, audit_api, channel):
    response = api.post(
        CUSTOMERS_URL,
        {
            "email": "a@example.com",
            "channel": channel.pk,
            "channel_code": "C-9",
            "gender": "female",
        },
        format="json",
        HTTP_X_REQUEST_ID="req-create",
    )
    pk = response.json()["pk"]

    [event] = audit_api.get(history_url(pk)).json()["results"]

    assert set(event) == EVERY_FIELD_OF_AN_EVENT
    assert (event["action"], event["source"], event["request_id"]) == (
        "create",
        "api",
        "req-create",
    )
    assert event["actor"] == {"id": user.pk, "username": "integrator"}
    changes = {c["field"]: (c["old"], c["new"]) for c in event["changes"]}
    assert changes["email"] == (None, "a@example.com")
    assert changes["gender"] == (None, "female")
    assert changes["channel"] == (None, channel.pk)
    assert [c["field"] for c in event["changes"]] == sorted(changes)
    assert event["timestamp"].endswith("Z")


def test_api_delete_stays_readable_by_customer_filter(api, audit_api, channel):
    customer = CustomerFactory(channel=channel, email="gone@example.com")
    assert api.delete(f"{CUSTOMERS_URL}{customer.pk}/").status_code == 204

    assert audit_api.get(history_url(customer.pk)).status_code == 404
    events = audit_api.get(EVENTS_URL, {"customer": customer.pk}).json()["results"]
    assert [e["action"] for e in events] == ["delete", "create"]
    assert change("email", "gone@example.com", None) in events[0]["changes"]


def test_a_deleted_or_renamed_user_stays_named(audit_api, channel):
    someone = make_user("someone", permissions=False)
    customer = CustomerFactory(channel=channel)
    context = AuditContext(source=Source.SHELL, actor=someone)
    CustomerService.update_customer(customer=customer, audit_context=context, first_name="Zeynep")
    someone.username = "renamed"
    someone.save()

    [event] = audit_api.get(EVENTS_URL, {"actor": someone.pk}).json()["results"]
    assert event["actor"] == {"id": someone.pk, "username": "someone"}

    someone.delete()
    latest = audit_api.get(history_url(customer.pk)).json()["results"][0]
    assert latest["actor"] == {"id": None, "username": "someone"}


def test_retrieve_one_event(audit_api, channel):
    customer = CustomerFactory(channel=channel)
    event = AuditEvent.objects.get(object_id=customer.pk)

    response = audit_api.get(f"{EVENTS_URL}{event.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["object_type"], body["object_id"]) == (
        event.pk,
        "customers.customer",
        customer.pk,
    )
    assert (body["source"], body["actor"], body["request_id"]) == ("shell", None, "test-fixtures")
    assert audit_api.get(f"{EVENTS_URL}{event.pk + 1000}/").status_code == 404


# Permissions: the audit trail has its own, `audit.view_auditevent`.


@pytest.fixture
def customer(channel):
    return CustomerFactory(channel=channel)


@pytest.mark.parametrize("url", ["events", "history", "event"])
def test_without_a_token_is_a_401(client, customer, url):
    path = {
        "events": EVENTS_URL,
        "history": history_url(customer.pk),
        "event": f"{EVENTS_URL}{AuditEvent.objects.get().pk}/",
    }[url]

    response = client.get(path)

    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("url", ["events", "history", "event"])
def test_customer_permissions_alone_are_a_403(api, customer, url):
    path = {
        "events": EVENTS_URL,
        "history": history_url(customer.pk),
        "event": f"{EVENTS_URL}{AuditEvent.objects.get().pk}/",
    }[url]

    response = api.get(path)

    assert response.status_code == 403
    assert "detail" in response.json()


def test_the_customer_history_also_needs_view_customer(customer):
    user = make_user("audit-only", permissions=False)
    grant(user, "audit.view_auditevent")
    audit_only = client_for(user)

    assert audit_only.get(EVENTS_URL).status_code == 200
    assert audit_only.get(history_url(customer.pk)).status_code == 403

    grant(user, "customers.view_customer")
    user = type(user).objects.get(pk=user.pk)  # a fresh permission cache
    assert client_for(user).get(history_url(customer.pk)).status_code == 200


def test_with_the_audit_permission_is_a_200(audit_api, customer):
    assert audit_api.get(EVENTS_URL).status_code == 200
    assert audit_api.get(history_url(customer.pk)).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_trail_is_read_only(method, customer):
    everything = make_user("everything", permissions=False)
    everything.user_permissions.set(Permission.objects.all())
    client = client_for(everything)
    event = AuditEvent.objects.get()

    for path in (EVENTS_URL, f"{EVENTS_URL}{event.pk}/", history_url(customer.pk)):
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 405, (method, path)
    assert AuditEvent.objects.get() == event


def test_create_api_user_grants_the_audit_permission_on_request(customer):
    out = io.StringIO()
    call_command("create_api_user", "robot", stdout=out)
    call_command("create_api_user", "auditing-robot", "--audit", stdout=out)
    plain, auditing = out.getvalue().split()

    def get(token, path):
        return APIClient().get(path, HTTP_AUTHORIZATION=f"Token {token}").status_code

    assert get(plain, EVENTS_URL) == 403
    assert get(auditing, EVENTS_URL) == 200
    assert get(auditing, history_url(customer.pk)) == 200


def test_writing_is_a_405_even_without_write_permissions(audit_api, customer):
    assert audit_api.post(EVENTS_URL, {}, format="json").status_code == 405
    assert audit_api.delete(history_url(customer.pk)).status_code == 405


@pytest.mark.parametrize("pk", ["999999", "abc", "9" * 30])
def test_history_of_an_unknown_customer_is_a_404(audit_api, customer, pk):
    response = audit_api.get(history_url(pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_channel_route_history_is_scoped_to_its_channel(audit_api, customer, other_channel):
    own = f"/api/v1/channel/{customer.channel_id}/customers/{customer.pk}/audit_events/"
    other = f"/api/v1/channel/{other_channel.pk}/customers/{customer.pk}/audit_events/"

    assert audit_api.get(own).json()["count"] == 1
    assert audit_api.get(other).status_code == 404


# Order and pages.


def test_newest_first_ties_broken_by_id_and_paginated(audit_api, channel):
    customer = CustomerFactory(channel=channel)
    for name in ["Ali", "Veli", "Deli", "Kemal"]:
        CustomerService.update_customer(customer=customer, first_name=name)
    # The last two at the same instant, the first update latest of all.
    events = list(AuditEvent.objects.filter(object_id=customer.pk).order_by("id"))
    created, ali, veli, deli, kemal = events
    AuditEvent.objects.filter(pk__in=[deli.pk, kemal.pk]).update(timestamp=veli.timestamp)
    AuditEvent.objects.filter(pk=ali.pk).update(timestamp=datetime(2099, 1, 1, tzinfo=UTC))
    expected = [ali.pk, kemal.pk, deli.pk, veli.pk, created.pk]

    first = audit_api.get(history_url(customer.pk), {"limit": 2}).json()
    second = audit_api.get(first["next"]).json()
    third = audit_api.get(second["next"]).json()

    assert first["count"] == 5
    assert [e["id"] for page in (first, second, third) for e in page["results"]] == expected
    assert first["previous"] is None and third["next"] is None
    assert first["next"].startswith("http://testserver/api/v1/customers/")
    assert audit_api.get(history_url(customer.pk), {"page": 4, "limit": 2}).status_code == 404
    everything = audit_api.get(EVENTS_URL, {"limit": 1000}).json()["results"]
    assert [e["id"] for e in everything] == expected


FILTERED = {"customer": "{pk}", "field": "sms_allowed", "timestamp__date__gte": "2000-01-01"}


@pytest.mark.parametrize(
    ("url", "params", "queries"),
    [
        # the token with its user's permissions, the count, the page
        (EVENTS_URL, {}, 3),
        (EVENTS_URL, FILTERED, 3),
        # ... and the customer
        ("/api/v1/customers/{pk}/audit_events/", {}, 4),
        # ... and the channel
        ("/api/v1/channel/{channel}/customers/{pk}/audit_events/", {}, 5),
    ],
)
def test_queries_do_not_grow_with_the_page(
    audit_api, channel, django_assert_num_queries, url, params, queries
):
    customer = CustomerFactory(channel=channel)
    for sms_allowed in [True, False] * 10:
        CustomerService.update_customer(customer=customer, sms_allowed=sms_allowed)
    url = url.format(pk=customer.pk, channel=channel.pk)
    params = {key: value.format(pk=customer.pk) for key, value in params.items()}

    for limit in (1, 30):
        with django_assert_num_queries(queries):
            response = audit_api.get(url, {**params, "limit": limit})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(limit, 21)


# Filters of /audit_events/: one small, varied trail; each line a query and the events it finds.


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def trail(channel) -> dict[str, AuditEvent]:
    """Named events, in this order of time, with the users and objects they name."""
    alice = make_user("alice", permissions=False)
    bob = make_user("bob", permissions=False)
    by_alice = AuditContext(source=Source.API, actor=alice)
    by_bob = AuditContext(source=Source.ADMIN, actor=bob)
    importing = AuditContext(source=Source.IMPORT)
    ayse = CustomerService.create_customer(
        channel=channel, channel_code="W-1", audit_context=by_alice, email="ayse@example.com"
    )
    mehmet = CustomerService.create_customer(
        channel=ChannelFactory(),
        channel_code="M-1",
        audit_context=importing,
        email="mehmet@example.com",
    )
    CustomerService.update_customer(customer=ayse, audit_context=by_alice, sms_allowed=True)
    CustomerService.update_customer(customer=ayse, audit_context=by_bob, sms_allowed=False)
    CustomerService.update_customer(customer=ayse, audit_context=by_bob, first_name="Ayşe")
    CustomerService.update_customer(customer=mehmet, audit_context=importing, sms_allowed=True)
    order = Order.objects.create(channel=channel, customer=mehmet, number="MP-1", amount="10")
    record_audit_event(order, Action.CREATE, {"number": [None, "MP-1"]}, importing)
    ids = {
        "alice": alice.pk,
        "bob": bob.pk,
        "ayse": ayse.pk,
        "mehmet": mehmet.pk,
        "order": order.pk,
    }
    times = {
        "ayse_created": utc(2026, 1, 5, 9),
        "mehmet_created": utc(2026, 2, 1, 0, 0, 0),
        "ayse_sms_jan": utc(2026, 1, 20, 12),
        "ayse_sms_feb": utc(2026, 2, 10, 23, 59, 59),
        "ayse_name_feb": utc(2026, 2, 15, 8),
        "mehmet_sms_mar": utc(2026, 3, 1, 0, 0, 0),
        "order_created": utc(2026, 3, 15, 10),
    }
    events = dict(zip(times, AuditEvent.objects.order_by("id"), strict=True))
    for name, event in events.items():
        AuditEvent.objects.filter(pk=event.pk).update(timestamp=times[name])
    return {"ids": ids, "events": {name: event.pk for name, event in events.items()}}


NEWEST_FIRST = [
    "order_created",
    "mehmet_sms_mar",
    "ayse_name_feb",
    "ayse_sms_feb",
    "mehmet_created",
    "ayse_sms_jan",
    "ayse_created",
]
FILTER_CASES = [
    ({}, NEWEST_FIRST),
    ({"customer": "{ayse}"}, ["ayse_name_feb", "ayse_sms_feb", "ayse_sms_jan", "ayse_created"]),
    ({"customer": "{mehmet}"}, ["mehmet_sms_mar", "mehmet_created"]),
    ({"customer": "999999"}, []),
    ({"object_type": "orders.order"}, ["order_created"]),
    ({"object_type": "orders.order", "object_id": "{order}"}, ["order_created"]),
    (
        {"object_type": "customers.customer", "source": "import"},
        ["mehmet_sms_mar", "mehmet_created"],
    ),
    ({"object_type": "channels.channel"}, []),
    ({"actor": "{alice}"}, ["ayse_sms_jan", "ayse_created"]),
    ({"actor": "{bob}", "action": "update"}, ["ayse_name_feb", "ayse_sms_feb"]),
    ({"actor_username": "bob"}, ["ayse_name_feb", "ayse_sms_feb"]),
    ({"actor_username": "nobody"}, []),
    ({"source": "import"}, ["order_created", "mehmet_sms_mar", "mehmet_created"]),
    ({"source": "admin"}, ["ayse_name_feb", "ayse_sms_feb"]),
    ({"source": "shell"}, []),
    ({"action": "create"}, ["order_created", "mehmet_created", "ayse_created"]),
    (
        {"field": "sms_allowed"},
        ["mehmet_sms_mar", "ayse_sms_feb", "mehmet_created", "ayse_sms_jan", "ayse_created"],
    ),
    (
        {"field": "sms_allowed", "action": "update"},
        ["mehmet_sms_mar", "ayse_sms_feb", "ayse_sms_jan"],
    ),
    ({"field": "number"}, ["order_created"]),
    ({"field": "no_such_field"}, []),
    # Every change of sms_allowed in February, as date-times and as dates.
    (
        {
            "field": "sms_allowed",
            "action": "update",
            "timestamp__gte": "2026-02-01T00:00:00Z",
            "timestamp__lt": "2026-03-01T00:00:00Z",
        },
        ["ayse_sms_feb"],
    ),
    (
        {
            "field": "sms_allowed",
            "timestamp__date__gte": "2026-02-01",
            "timestamp__date__lt": "2026-03-01",
        },
        ["ayse_sms_feb", "mehmet_created"],
    ),
    ({"timestamp": "2026-02-01T00:00:00Z"}, ["mehmet_created"]),
    ({"timestamp": "2026-02-01T03:00:00+03:00"}, ["mehmet_created"]),
    ({"timestamp__gt": "2026-02-15T08:00:00Z"}, ["order_created", "mehmet_sms_mar"]),
    ({"timestamp__lte": "2026-01-20T12:00:00Z"}, ["ayse_sms_jan", "ayse_created"]),
    ({"timestamp__date": "2026-02-10"}, ["ayse_sms_feb"]),
    ({"timestamp__date": "2026-02-11"}, []),
    ({"timestamp__date__gt": "2026-02-10"}, ["order_created", "mehmet_sms_mar", "ayse_name_feb"]),
    ({"timestamp__date__lte": "2026-02-01"}, ["mehmet_created", "ayse_sms_jan", "ayse_created"]),
    ({"timestamp__date__lt": "2026-02-01"}, ["ayse_sms_jan", "ayse_created"]),
    ({"timestamp__date__lte": "9999-12-31"}, NEWEST_FIRST),
    ({"timestamp__date__gt": "9999-12-31"}, []),
    ({"timestamp__date__gte": "0001-01-01"}, NEWEST_FIRST),
    # An empty value is no filter, as everywhere in this API.
    ({"source": "", "field": "", "customer": ""}, NEWEST_FIRST),
    # Unknown parameters do not filter.
    ({"changes__sms_allowed": "true", "actor__is_staff": "true"}, NEWEST_FIRST),
]


def case_id(params: dict) -> str:
    return "&".join(f"{key}={value}" for key, value in params.items()) or "no filter"


@pytest.mark.parametrize(
    ("params", "expected"), FILTER_CASES, ids=[case_id(p) for p, _ in FILTER_CASES]
)
def test_filter(audit_api, trail, params, expected):
    params = {key: value.format(**trail["ids"]) for key, value in params.items()}

    response = audit_api.get(EVENTS_URL, {**params, "limit": 100})

    assert response.status_code == 200, response.content
    assert [e["id"] for e in response.json()["results"]] == [trail["events"][n] for n in expected]


INVALID_CASES = [
    ("customer", "abc"),
    ("customer", "1.5"),
    ("customer", str(2**64)),
    ("object_id", "x"),
    ("actor", "alice"),
    ("actor_username", "a" * 151),
    ("source", "web"),
    ("source", "API"),
    ("action", "edit"),
    ("field", "sms allowed"),
    ("field", "sms_allowed\n"),
    ("field", " sms_allowed"),
    ("field", "changes->>'x'"),
    ("field", "sms\x00"),
    ("field", "f" * 65),
    ("object_type", "customers"),
    ("object_type", "Customers.Customer"),
    ("object_type", "customers.customer.x"),
    ("timestamp__gte", "yesterday"),
    ("timestamp__lt", "2026-02-30T00:00:00Z"),
    ("timestamp", "2026-01-01T00:00:00+99:00"),
    ("timestamp__date__gte", "2026-13-01"),
    ("timestamp__date", "2026-02-01T00:00:00Z"),
    ("limit", "0"),
]


@pytest.mark.parametrize(
    ("param", "value"), INVALID_CASES, ids=[f"{p}={v!r}" for p, v in INVALID_CASES]
)
def test_invalid_value_is_a_400_naming_the_filter(audit_api, trail, param, value):
    response = audit_api.get(EVENTS_URL, {param: value})

    assert response.status_code == 400, response.content
    body = response.json()
    assert param in body, body
    assert isinstance(body[param], list) and body[param], body


def test_a_64_character_field_name_is_accepted(audit_api, trail):
    assert audit_api.get(EVENTS_URL, {"field": "f" * 64}).json()["count"] == 0


# The OpenAPI document says exactly what comes back and what can be asked.


@pytest.fixture
def schema(api) -> dict:
    return api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_schema_documents_the_event_and_its_changes(schema):
    components = schema["components"]["schemas"]
    event = components["AuditEvent"]

    assert set(event["properties"]) == EVERY_FIELD_OF_AN_EVENT
    assert event["properties"]["changes"]["items"] == {"$ref": "#/components/schemas/AuditChange"}
    assert set(components["AuditChange"]["properties"]) == {"field", "old", "new"}
    assert set(components["AuditActor"]["properties"]) == {"id", "username"}
    assert event["properties"]["actor"]["nullable"] is True
    assert '{"field", "old", "new"}' in event["description"]


def test_schema_documents_the_filters_and_read_only_routes(schema):
    paths = schema["paths"]
    operation = paths["/api/v1/audit_events/"]["get"]
    documented = {p["name"]: p["schema"] for p in operation["parameters"]}

    assert set(paths["/api/v1/audit_events/"]) == {"get"}
    assert set(paths["/api/v1/audit_events/{id}/"]) == {"get"}
    assert set(paths["/api/v1/customers/{id}/audit_events/"]) == {"get"}
    assert documented["customer"] == {"type": "integer"}
    assert documented["actor"] == {"type": "integer"}
    assert set(documented["source"]["enum"]) == set(Source.values)
    assert set(documented["action"]["enum"]) == set(Action.values)
    assert documented["field"]["pattern"].startswith("^")
    assert documented["timestamp__gte"]["format"] == "date-time"
    assert documented["timestamp__date__lt"]["format"] == "date"
    assert not {"200", "400", "401", "403", "404"} - set(operation["responses"])
    history = paths["/api/v1/customers/{id}/audit_events/"]["get"]
    assert history["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedAuditEventList"
    }
    assert {p["name"] for p in history["parameters"]} == {"id", "page", "limit"}
