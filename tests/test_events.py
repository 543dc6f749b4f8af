"""Change events: one per committed change, from every writer, and the feed that reads them."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from customers.exceptions import CustomerDeletionNotAllowed
from customers.services import CustomerService
from events.models import Event
from tests.conftest import client_for, grant, make_user
from tests.factories import ChannelFactory, CustomerFactory
from tests.test_import_orders import order_line, run_import, write_lines

pytestmark = pytest.mark.django_db

FEED = "/api/v1/events/"


@pytest.fixture
def feed_api(db):
    user = make_user("feed-reader", permissions=False)
    grant(user, "events.view_event")
    return client_for(user)


def events_of(resource: str, resource_id: int) -> list[Event]:
    return list(Event.objects.filter(resource=resource, resource_id=resource_id).order_by("id"))


def test_api_writes_make_one_event_each_with_a_growing_sequence(api, user, channel):
    response = api.post(
        "/api/v1/customers/",
        {"email": "a@example.com", "channel": channel.pk, "channel_code": "C-1"},
        format="json",
        HTTP_X_REQUEST_ID="req-1",
    )
    pk = response.json()["pk"]
    api.patch(f"/api/v1/customers/{pk}/", {"sms_allowed": True}, format="json")
    api.patch(f"/api/v1/customers/{pk}/", {"sms_allowed": True}, format="json")  # no change
    api.delete(f"/api/v1/customers/{pk}/")

    events = events_of("customer", pk)
    assert [(e.type, e.sequence) for e in events] == [
        ("customer.created", 1),
        ("customer.updated", 2),
        ("customer.deleted", 3),
    ]
    created, updated, _ = events
    record = created.audit_event
    assert (created.channel_id, record.source, record.actor_id, record.actor_repr) == (
        channel.pk,
        "api",
        user.pk,
        "integrator",
    )
    assert record.request_id == "req-1"
    assert record.changes["email"] == [None, "a@example.com"]
    assert updated.audit_event.changes == {"sms_allowed": [False, True]}


def test_each_event_matches_an_audit_record_of_the_same_transaction(channel):
    customer = CustomerFactory(channel=channel)
    CustomerService.update_customer(customer=customer, first_name="Zeynep")
    records = AuditEvent.objects.filter(object_id=customer.pk).order_by("id")
    events = events_of("customer", customer.pk)
    assert [(r.pk, r.timestamp) for r in records] == [
        (e.audit_event_id, e.occurred_at) for e in events
    ]


def test_a_rolled_back_change_leaves_no_event(channel):
    customer = CustomerFactory(channel=channel)
    with pytest.raises(RuntimeError), transaction.atomic():
        CustomerService.update_customer(customer=customer, first_name="Zeynep")
        raise RuntimeError("the caller's transaction fails")
    assert [e.type for e in events_of("customer", customer.pk)] == ["customer.created"]


def test_a_refused_delete_leaves_no_event(channel, tmp_path):
    run_import(channel, write_lines(tmp_path / "o.jsonl", [order_line("ORD-1", "C-1")]))
    customer = channel.customers.get()
    with pytest.raises(CustomerDeletionNotAllowed):
        CustomerService.delete_customer(customer=customer)
    assert [e.type for e in events_of("customer", customer.pk)] == ["customer.created"]


def test_admin_changes_make_events_with_source_admin(client, channel):
    admin = make_user("boss")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    customer = CustomerFactory(channel=channel, first_name="Ali")
    data = {
        "channel": channel.pk,
        "email": customer.email,
        "channel_code": customer.channel_code,
        "first_name": "Veli",
        "last_name": customer.last_name,
        **{f: "{}" for f in ("extra_field", "attributes", "attributes_kwargs")},
        **{f: "{}" for f in ("localized_attributes", "localized_attributes_kwargs")},
    }
    response = client.post(f"/admin/customers/customer/{customer.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    [_, updated] = events_of("customer", customer.pk)
    assert (updated.type, updated.audit_event.source, updated.audit_event.actor_id) == (
        "customer.updated",
        "admin",
        admin.pk,
    )
    assert updated.audit_event.changes == {"first_name": ["Ali", "Veli"]}


def test_the_import_writes_events_in_bulk_with_sequences_per_customer(channel, tmp_path):
    lines = [
        order_line("ORD-1", "C-1"),
        order_line("ORD-2", "C-1", customer={"first_name": "Zeynep"}),
        order_line("ORD-3", "C-2"),
        order_line("ORD-4", "C-1", customer={"first_name": "Zeynep"}),  # no change
    ]
    run_import(channel, write_lines(tmp_path / "o.jsonl", lines), "--batch-size", "2")
    run_import(channel, write_lines(tmp_path / "p.jsonl", [order_line("ORD-5", "C-1")]))

    first = channel.customers.get(channel_code="C-1")
    assert [
        (e.type, e.sequence, e.audit_event.source) for e in events_of("customer", first.pk)
    ] == [
        ("customer.created", 1, "import"),
        ("customer.updated", 2, "import"),
        ("customer.updated", 3, "import"),  # ORD-5 names her Ayşe again
    ]
    orders = Event.objects.filter(resource="order").order_by("id")
    assert [(e.type, e.sequence, e.channel_id) for e in orders] == [
        ("order.created", 1, channel.pk)
    ] * 5
    assert orders[0].audit_event.changes["number"] == [None, "ORD-1"]
    assert orders[0].audit_event.changes["customer"] == [None, first.pk]
    # One event per audit record of an event resource, nothing more.
    assert Event.objects.count() == AuditEvent.objects.count()


def test_events_of_one_resource_have_unique_sequences(channel):
    from django.db import IntegrityError

    customer = CustomerFactory(channel=channel)
    [created] = events_of("customer", customer.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(
            **{f.attname: getattr(created, f.attname) for f in Event._meta.concrete_fields[1:]}
        )


def feed(client, **params):
    response = client.get(FEED, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_feed_reads_from_any_point_oldest_first_page_by_page(feed_api, channel):
    customers = [CustomerFactory(channel=channel) for _ in range(5)]
    ids = list(Event.objects.order_by("id").values_list("id", flat=True))

    page = feed(feed_api, limit=2)
    assert [e["id"] for e in page["results"]] == ids[:2]
    assert page["next"] == f"http://testserver/api/v1/events/?after={ids[1]}&limit=2"
    seen = [e["id"] for e in page["results"]]
    while page["next"]:
        response = feed_api.get(page["next"])
        page = response.json()
        seen += [e["id"] for e in page["results"]]
    assert seen == ids

    page = feed(feed_api, after=ids[2])
    assert [e["id"] for e in page["results"]] == ids[3:]
    assert page["next"] is None
    assert page["results"][-1] == {
        "id": ids[4],
        "type": "customer.created",
        "resource": "customer",
        "resource_id": customers[4].pk,
        "sequence": 1,
        "channel": channel.pk,
        "occurred_at": page["results"][-1]["occurred_at"],
        "source": "shell",
        "actor": None,
        "request_id": "test-fixtures",
        "changes": page["results"][-1]["changes"],
    }
    assert page["results"][-1]["changes"]["channel_code"] == [None, customers[4].channel_code]


# One line per filter of the feed (tests/test_filtersets.py checks none is missing):
# over three events, the two customers' creations and the first one's update.
# "@first" and "@other_channel" stand for those objects' ids.
FILTER_CASES = [
    ({}, 3),
    ({"type": "customer.updated"}, 1),
    ({"type": ["customer.updated", "customer.created"]}, 3),
    ({"type": "order.created"}, 0),
    ({"resource": "customer"}, 3),
    ({"resource": "customer", "resource_id": "@first"}, 2),
    ({"channel": "@other_channel"}, 1),
]


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES)
def test_feed_filters(feed_api, channel, other_channel, params, expected):
    first = CustomerFactory(channel=channel)
    CustomerFactory(channel=other_channel)
    CustomerService.update_customer(customer=first, first_name="Zeynep")
    ids = {"@first": first.pk, "@other_channel": other_channel.pk}
    params = {
        name: ids[value] if isinstance(value, str) and value in ids else value
        for name, value in params.items()
    }

    assert len(feed(feed_api, **params)["results"]) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "x"}, "after"),
        ({"after": "-1"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"type": "customer.exploded"}, "type"),
        ({"resource": "planet"}, "resource"),
        ({"resource_id": "1.5"}, "resource_id"),
        ({"channel": "9" * 30}, "channel"),
    ],
)
def test_feed_refuses_values_it_cannot_read(feed_api, params, field):
    response = feed_api.get(FEED, params)
    assert response.status_code == 400
    assert field in response.json()


def test_feed_needs_its_own_permission_and_is_read_only(api, feed_api, client):
    assert client.get(FEED).status_code == 401
    assert api.get(FEED).status_code == 403  # every customer permission, not this one
    assert feed_api.post(FEED, {}).status_code == 405


def test_purge_removes_events_older_than_the_retention(channel, settings):
    settings.OMNITRON_EVENT_RETENTION_DAYS = 30
    old, recent = CustomerFactory(channel=channel), CustomerFactory(channel=channel)
    Event.objects.filter(resource_id=old.pk).update(occurred_at=timezone.now() - timedelta(days=31))
    out = io.StringIO()
    call_command("purge_events", stdout=out)
    assert "Deleted 1 events older than 30 days." in out.getvalue()
    assert list(Event.objects.values_list("resource_id", flat=True)) == [recent.pk]


def test_channels_are_not_event_resources(api):
    ChannelFactory()
    assert not Event.objects.exists()


def test_a_broker_that_is_down_is_not_asked_again_by_every_write(
    channel, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from events import outbox

    calls = []

    def refuse(*args, **kwargs):
        calls.append(kwargs)
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(outbox.dispatch_webhooks, "apply_async", refuse)
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            CustomerFactory(channel=channel)  # the write stands; the enqueue is logged
    assert calls == [{"retry": False}, {"retry": False}]  # a second try on a new connection
    assert Event.objects.count() == 3


@pytest.fixture
def dispatches(monkeypatch):
    """The dispatch requests enqueued, with the broker standing by."""
    from events import outbox

    calls = []
    monkeypatch.setattr(outbox.dispatch_webhooks, "apply_async", lambda **kw: calls.append(kw))
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)
    return calls


def test_a_commit_asks_for_one_dispatch_however_many_times_it_wrote_events(
    channel, dispatches, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        customer = CustomerFactory(channel=channel)
        CustomerService.update_customer(customer=customer, first_name="Ada")
        CustomerService.update_customer(customer=customer, first_name="Grace")
    assert Event.objects.filter(resource_id=customer.pk).count() == 3
    assert len(callbacks) == 3
    assert len(dispatches) == 1

    with django_capture_on_commit_callbacks(execute=True):
        CustomerService.update_customer(customer=customer, first_name="Ada")
    assert len(dispatches) == 2  # the next commit asks again


def test_events_rolled_back_leave_the_next_commit_its_dispatch(
    channel, dispatches, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(channel=channel)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        CustomerService.update_customer(customer=customer, first_name="Ada")
        raise RuntimeError("rolled back")
    assert dispatches == []

    with django_capture_on_commit_callbacks(execute=True):
        CustomerService.update_customer(customer=customer, first_name="Grace")
    assert len(dispatches) == 1
