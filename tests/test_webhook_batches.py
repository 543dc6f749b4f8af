"""A delivery's body, built from plain rows, says what the feed's serializer says of each event."""

import json
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from addresses.services import AddressService
from audit.models import AuditEvent
from customers.services import CustomerService
from events import batches
from events.batches import batch_body, event_rows, next_event_ids
from events.delivery import deliver_pending
from events.models import Event, WebhookSubscription
from events.serializers import EventSerializer
from events.subscriptions import new_secret
from locations.models import City, Country
from tests.factories import CustomerFactory, create_address
from tests.test_import_orders import order_line, run_import, write_lines
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.django_db


def serializer_body(ids: list[int], timestamp: datetime) -> str:
    """The body as deliveries wrote it before: EventSerializer's data, by the standard library."""
    events = Event.objects.select_related("audit_event").filter(id__in=ids).order_by("id")
    body = {
        "type": "events.batch",
        "timestamp": timestamp.isoformat().replace("+00:00", "Z"),
        "data": {"events": EventSerializer(events, many=True).data},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def parsed(body: str) -> list:
    """The JSON with every object as its list of pairs: values and key order compared."""
    return json.loads(body, object_pairs_hook=list)


def test_the_body_equals_the_serializers_for_customers_addresses_and_orders(
    api, channel, tr_locations, tmp_path
):
    response = api.post(
        "/api/v1/customers/",
        {
            "channel": channel.pk,
            "channel_code": "C-ü",
            "email": "sule@example.com",
            "first_name": 'Şule 😀 \u2028 "quoted" \\ back',
            "last_name": "Öztürk",
            "phone_number": None,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    customer_id = response.json()["pk"]
    response = api.patch(f"/api/v1/customers/{customer_id}/", {"sms_allowed": True}, format="json")
    assert response.status_code == 200
    customer = CustomerFactory(channel=channel)
    address = create_address(
        customer, Country.objects.get(code="TR"), City.objects.get(name="İstanbul"), notes=None
    )
    AddressService.update_address(address=address, line="İstiklal Cad. 5")
    AddressService.delete_address(address=address)
    CustomerService.delete_customer(customer=customer)
    run_import(channel, write_lines(tmp_path / "o.jsonl", [order_line("ORD-ı", "C-9")]))
    ids = list(Event.objects.order_by("id").values_list("id", flat=True))
    assert {t.split(".")[0] for t in Event.objects.values_list("type", flat=True)} == {
        "customer",
        "address",
        "order",
    }
    # A channel no longer known, a time on the second, and an audit record gone.
    Event.objects.filter(pk=ids[0]).update(channel_id=None)
    Event.objects.filter(pk=ids[1]).update(occurred_at=datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    gone = Event.objects.get(pk=ids[2])
    AuditEvent.objects.filter(pk=gone.audit_event_id).delete()

    now = timezone.now()
    body = batch_body(event_rows(ids), now)

    assert parsed(body) == parsed(serializer_body(ids, now))
    events = json.loads(body)["data"]["events"]
    assert [e["id"] for e in events] == ids
    assert events[0]["channel"] is None and events[0]["actor"]["username"] == "integrator"
    assert events[0]["changes"]["first_name"] == [None, 'Şule 😀 \u2028 "quoted" \\ back']
    assert events[0]["changes"]["phone_number"] == [None, None]
    assert events[1]["occurred_at"] == "2026-05-01T12:00:00Z"
    assert (events[2]["source"], events[2]["actor"], events[2]["changes"]) == ("", None, {})
    assert events[-1]["type"] == "order.created" and events[-1]["source"] == "import"


def test_event_times_are_written_in_the_active_time_zone_as_the_feed_writes_them(channel):
    CustomerFactory(channel=channel)
    ids = list(Event.objects.order_by("id").values_list("id", flat=True))
    Event.objects.filter(pk=ids[0]).update(occurred_at=datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    events = Event.objects.select_related("audit_event").filter(id__in=ids).order_by("id")

    with timezone.override("Europe/Istanbul"):
        body = json.loads(batch_body(event_rows(ids), timezone.now()))
        feed = EventSerializer(events, many=True).data

    assert body["data"]["events"][0]["occurred_at"] == "2026-05-01T15:00:00+03:00"
    assert [e["occurred_at"] for e in body["data"]["events"]] == [e["occurred_at"] for e in feed]
    assert body["timestamp"].endswith("+03:00")


@pytest.mark.parametrize("first_window", [1, batches.FIRST_WINDOW])
def test_sparse_matches_are_found_window_after_window_in_full_batches(
    channel, monkeypatch, first_window
):
    monkeypatch.setattr(batches, "FIRST_WINDOW", first_window)
    subscription = WebhookSubscription.objects.create(
        url="http://127.0.0.1:1/",
        event_types=["customer.updated"],
        batch_size=2,
        secret=new_secret(),
    )
    updated = []
    for gap in (3, 17, 40):
        for _ in range(gap):
            CustomerFactory(channel=channel)
        customer = CustomerFactory(channel=channel)
        CustomerService.update_customer(customer=customer, first_name="Zeynep")
        updated.append(Event.objects.latest("id").id)
    CustomerFactory(channel=channel)
    newest = Event.objects.latest("id").id

    ids, cursor = next_event_ids(subscription)
    assert (ids, cursor) == (updated[:2], updated[1])  # a full batch: up to its last event
    subscription.last_event_id = cursor
    ids, cursor = next_event_ids(subscription)
    assert (ids, cursor) == (updated[2:], newest)  # short of a batch: up to the newest event
    subscription.last_event_id = cursor
    assert next_event_ids(subscription) == ([], newest)


def test_a_backlog_goes_out_in_full_batches_in_order(channel, settings):
    settings.OMNITRON_WEBHOOK_ALLOW_PRIVATE = True
    with running_receiver() as receiver:
        subscription = WebhookSubscription.objects.create(
            url=receiver.url, event_types=["customer.*"], batch_size=7, secret=new_secret()
        )
        receiver.secret = subscription.secret
        customers = [CustomerFactory(channel=channel) for _ in range(30)]
        for customer in customers[::3]:
            CustomerService.update_customer(customer=customer, first_name="Zeynep")

        assert deliver_pending(subscription.pk) is False

        assert all(r.verified for r in receiver.received)
        assert [len(r.events) for r in receiver.received] == [7, 7, 7, 7, 7, 5]
        expected = list(Event.objects.order_by("id").values_list("id", "resource_id", "sequence"))
        assert [(e["id"], e["resource_id"], e["sequence"]) for e in receiver.events()] == expected
