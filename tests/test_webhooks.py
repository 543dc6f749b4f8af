"""Webhook subscriptions over the API and their signed, ordered, retried deliveries.

Deliveries here run in the test process (the worker's task body); test_webhook_workers.py
runs them in real Celery workers on RabbitMQ.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.services import CustomerService
from events.delivery import deliver_pending, open_delivery
from events.models import Event, WebhookDelivery, WebhookSubscription
from events.retention import purge_old_events
from tests.conftest import client_for, grant, make_user
from tests.factories import CustomerFactory
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"


@pytest.fixture
def hooks_api(db):
    user = make_user("hooks", permissions=False)
    grant(
        user,
        *(f"events.{action}_webhooksubscription" for action in ("view", "add", "change", "delete")),
    )
    return client_for(user)


@pytest.fixture
def allow_private(settings):
    settings.OMNITRON_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    with running_receiver() as receiver:
        yield receiver


def subscribe(hooks_api, url, **fields) -> dict:
    response = hooks_api.post(
        WEBHOOKS, {"url": url, "event_types": ["customer.*"], **fields}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_create_answers_the_secret_once(hooks_api, allow_private, receiver):
    CustomerFactory()  # an event before the subscription: not delivered to it
    body = subscribe(hooks_api, receiver.url, batch_size=10, channels=[1])
    assert body["secret"].startswith("whsec_")
    assert body == {
        "id": body["id"],
        "url": receiver.url,
        "event_types": ["customer.*"],
        "channels": [1],
        "batch_size": 10,
        "is_active": True,
        "disabled_reason": "",
        "last_event_id": Event.objects.get().id,
        "created_date": body["created_date"],
        "modified_date": body["modified_date"],
        "secret": body["secret"],
    }
    detail = hooks_api.get(f"{WEBHOOKS}{body['id']}/").json()
    listed = hooks_api.get(WEBHOOKS).json()["results"][0]
    assert "secret" not in detail and "secret" not in listed
    patched = hooks_api.patch(f"{WEBHOOKS}{body['id']}/", {"batch_size": 5}, format="json")
    assert patched.status_code == 200 and "secret" not in patched.json()
    assert hooks_api.delete(f"{WEBHOOKS}{body['id']}/").status_code == 204


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "http://127.0.0.1:8590/hook"}, "url"),  # loopback, not allowed here
        ({"url": "http://10.1.2.3/hook"}, "url"),
        ({"url": "http://[::1]/hook"}, "url"),
        ({"url": "http://169.254.169.254/latest"}, "url"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["customer"]}, "event_types"),
        ({"event_types": ["customer.*; drop"]}, "event_types"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 101}, "batch_size"),
        ({"channels": ["x"]}, "channels"),
    ],
)
def test_bad_subscriptions_are_refused_naming_the_field(hooks_api, fields, field):
    data = {"url": "http://203.0.113.10/hook", "event_types": ["customer.*"], **fields}
    response = hooks_api.post(WEBHOOKS, data, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_subscriptions_need_their_permissions(api, hooks_api):
    assert api.get(WEBHOOKS).status_code == 403
    reader = make_user("reader-of-hooks", permissions=False)
    grant(reader, "events.view_webhooksubscription")
    reader_api = client_for(reader)
    assert reader_api.get(WEBHOOKS).status_code == 200
    response = reader_api.post(
        WEBHOOKS, {"url": "http://203.0.113.10/", "event_types": ["*"]}, format="json"
    )
    assert response.status_code == 403


def test_events_are_delivered_signed_in_batches_in_order(
    hooks_api, allow_private, receiver, channel, other_channel
):
    hook = subscribe(hooks_api, receiver.url, batch_size=2, channels=[channel.pk])
    receiver.secret = hook["secret"]
    first = CustomerFactory(channel=channel)
    CustomerFactory(channel=other_channel)  # another channel: not for this subscription
    CustomerService.update_customer(customer=first, first_name="Zeynep")
    second = CustomerFactory(channel=channel)

    assert deliver_pending(hook["id"]) is False  # everything sent, nothing left

    assert all(r.verified for r in receiver.received)
    assert [len(r.events) for r in receiver.received] == [2, 1]
    assert [(e["resource_id"], e["type"], e["sequence"]) for e in receiver.events()] == [
        (first.pk, "customer.created", 1),
        (first.pk, "customer.updated", 2),
        (second.pk, "customer.created", 1),
    ]
    assert receiver.events()[1]["changes"] == {"first_name": ["Ayşe", "Zeynep"]}
    deliveries = hooks_api.get(f"{WEBHOOKS}{hook['id']}/deliveries/").json()["results"]
    assert [
        (d["state"], d["attempts"], d["last_status"], d["event_count"]) for d in deliveries
    ] == [
        ("delivered", 1, 200, 1),
        ("delivered", 1, 200, 2),
    ]
    assert [d["webhook_id"] for d in deliveries] == [r.webhook_id for r in receiver.received][::-1]


def test_event_type_patterns_choose_the_events(hooks_api, allow_private, receiver, channel):
    hook = subscribe(hooks_api, receiver.url, event_types=["customer.updated"], batch_size=100)
    receiver.secret = hook["secret"]
    customer = CustomerFactory(channel=channel)
    CustomerService.update_customer(customer=customer, first_name="Zeynep")
    deliver_pending(hook["id"])
    assert [e["type"] for e in receiver.events()] == ["customer.updated"]


def test_failures_are_retried_then_failed_and_the_subscription_turned_off(
    hooks_api, allow_private, receiver, channel, settings
):
    settings.OMNITRON_WEBHOOK_RETRY_DELAYS = [0, 3600]
    hook = subscribe(hooks_api, receiver.url)
    receiver.secret = hook["secret"]
    CustomerFactory(channel=channel)
    receiver.status = 500

    deliver_pending(hook["id"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("retrying", 1, 500)
    assert delivery.next_attempt_at <= timezone.now()  # the first delay: 0 s

    deliver_pending(hook["id"])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("retrying", 2)
    assert delivery.next_attempt_at > timezone.now() + timezone.timedelta(minutes=59)
    deliver_pending(hook["id"])  # not due yet: nothing sent
    assert len(receiver.received) == 2

    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    CustomerFactory(channel=channel)  # waits behind the failing delivery
    deliver_pending(hook["id"])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    subscription = hooks_api.get(f"{WEBHOOKS}{hook['id']}/").json()
    assert subscription["is_active"] is False
    assert subscription["disabled_reason"] == (
        f"Delivery msg_{delivery.pk} failed 3 times; last: HTTP 500"
    )
    assert {len(r.events) for r in receiver.received} == {1}
    assert len({r.webhook_id for r in receiver.received}) == 1  # the same message each time

    # Retried by hand: the subscription is on again and the next batch follows.
    receiver.status = 200
    url = f"{WEBHOOKS}{hook['id']}/deliveries/{delivery.pk}/retry/"
    response = hooks_api.post(url)
    assert response.status_code == 202
    assert (response.json()["state"], response.json()["attempts"]) == ("pending", 0)
    assert hooks_api.post(url).status_code == 400  # no longer failed
    deliver_pending(hook["id"])
    assert [d.state for d in WebhookDelivery.objects.order_by("id")] == ["delivered", "delivered"]
    assert WebhookSubscription.objects.get().is_active


def test_a_delivery_retried_while_another_is_open_goes_first_and_new_ones_wait(
    hooks_api, allow_private, receiver, channel, settings
):
    settings.OMNITRON_WEBHOOK_RETRY_DELAYS = []
    hook = subscribe(hooks_api, receiver.url, batch_size=1)
    receiver.secret = hook["secret"]
    receiver.status = 500
    customers = [CustomerFactory(channel=channel)]
    deliver_pending(hook["id"])  # failed at once: the subscription is turned off
    failed = WebhookDelivery.objects.get()
    assert failed.state == "failed"
    response = hooks_api.patch(f"{WEBHOOKS}{hook['id']}/", {"is_active": True}, format="json")
    assert response.status_code == 200
    settings.OMNITRON_WEBHOOK_RETRY_DELAYS = [3600]
    customers.append(CustomerFactory(channel=channel))
    deliver_pending(hook["id"])  # the next batch: answered 500, tried again in an hour
    waiting = WebhookDelivery.objects.latest("id")
    assert waiting.state == "retrying"

    receiver.status = 200
    url = f"{WEBHOOKS}{hook['id']}/deliveries/{failed.pk}/retry/"
    assert hooks_api.post(url).status_code == 202  # two open deliveries now
    customers.append(CustomerFactory(channel=channel))  # waits behind the open ones
    deliver_pending(hook["id"])
    assert [(d.pk, d.state) for d in WebhookDelivery.objects.order_by("id")] == [
        (failed.pk, "delivered"),
        (waiting.pk, "retrying"),
    ]

    WebhookDelivery.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    deliver_pending(hook["id"])
    assert [d.state for d in WebhookDelivery.objects.order_by("id")] == ["delivered"] * 3
    assert [r.events[0]["resource_id"] for r in receiver.received[-3:]] == [
        customer.pk for customer in customers
    ]


def test_every_attempt_sends_the_same_message_though_the_subscription_changed(
    hooks_api, allow_private, receiver, channel, settings
):
    settings.OMNITRON_WEBHOOK_RETRY_DELAYS = [0]
    hook = subscribe(hooks_api, receiver.url)
    receiver.secret = hook["secret"]
    customer = CustomerFactory(channel=channel)
    receiver.status = 500
    deliver_pending(hook["id"])
    # The subscription asks for other events now: the open delivery keeps its own.
    response = hooks_api.patch(
        f"{WEBHOOKS}{hook['id']}/", {"event_types": ["order.*"]}, format="json"
    )
    assert response.status_code == 200
    receiver.status = 200
    deliver_pending(hook["id"])

    first, second = receiver.received
    assert first.webhook_id == second.webhook_id
    assert first.body == second.body
    assert [(e["type"], e["resource_id"]) for e in second.events] == [
        ("customer.created", customer.pk)
    ]
    assert WebhookDelivery.objects.get().state == "delivered"


def test_the_purge_keeps_the_events_of_deliveries_not_delivered(
    hooks_api, allow_private, receiver, channel, settings
):
    settings.OMNITRON_WEBHOOK_RETRY_DELAYS = [3600]
    hook = subscribe(hooks_api, receiver.url, batch_size=1)
    receiver.secret = hook["secret"]
    receiver.status = 500
    first, second = CustomerFactory(channel=channel), CustomerFactory(channel=channel)
    deliver_pending(hook["id"])  # the first event's delivery, tried again in an hour
    delivery = WebhookDelivery.objects.get()
    Event.objects.update(occurred_at=timezone.now() - timedelta(days=31))

    # The second event is in no delivery: old, it goes (as it goes from the feed).
    assert purge_old_events(30) == 1
    assert list(Event.objects.values_list("resource_id", flat=True)) == [first.pk]

    settings.OMNITRON_WEBHOOK_RETRY_DELAYS = []
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    deliver_pending(hook["id"])
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert purge_old_events(30) == 0  # a failed delivery can be retried: its event stays

    receiver.status = 200
    url = f"{WEBHOOKS}{hook['id']}/deliveries/{delivery.pk}/retry/"
    assert hooks_api.post(url).status_code == 202
    deliver_pending(hook["id"])
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert [(e["resource_id"], e["sequence"]) for e in receiver.received[-1].events] == [
        (first.pk, 1)
    ]
    assert purge_old_events(30) == 1
    assert second.pk not in Event.objects.values_list("resource_id", flat=True)


def test_a_delivery_whose_events_are_gone_fails_unsent_and_is_not_retried(
    hooks_api, allow_private, receiver, channel
):
    hook = subscribe(hooks_api, receiver.url, batch_size=2)
    receiver.secret = hook["secret"]
    CustomerFactory(channel=channel)
    CustomerFactory(channel=channel)
    open_delivery(hook["id"])
    Event.objects.filter(id=Event.objects.order_by("id").first().id).delete()

    deliver_pending(hook["id"])

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 0)
    assert delivery.last_error == "1 of its 2 events were purged; not sent."
    assert receiver.received == []
    response = hooks_api.post(f"{WEBHOOKS}{hook['id']}/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 400
    assert "purged" in response.json()["event_ids"][0]
    assert WebhookDelivery.objects.get().state == "failed"

    later = CustomerFactory(channel=channel)  # the subscription goes on
    deliver_pending(hook["id"])
    assert [e["resource_id"] for e in receiver.received[-1].events] == [later.pk]


def test_no_answer_within_the_timeout_is_a_failed_attempt(
    hooks_api, allow_private, receiver, channel, settings
):
    settings.OMNITRON_WEBHOOK_TIMEOUT_SECONDS = 0.3
    hook = subscribe(hooks_api, receiver.url)
    receiver.secret = hook["secret"]
    receiver.delay = 1.0
    CustomerFactory(channel=channel)
    deliver_pending(hook["id"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("retrying", 1, None)
    assert "timed out" in delivery.last_error


def test_private_targets_are_checked_again_at_delivery(
    hooks_api, allow_private, receiver, channel, settings
):
    hook = subscribe(hooks_api, receiver.url)
    settings.OMNITRON_WEBHOOK_ALLOW_PRIVATE = False
    CustomerFactory(channel=channel)
    deliver_pending(hook["id"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "retrying"
    assert "private or reserved address" in delivery.last_error
    assert receiver.received == []


def test_only_failed_deliveries_can_be_retried_and_ids_are_checked(hooks_api, allow_private):
    hook = subscribe(hooks_api, "http://127.0.0.1:8599/")
    assert hooks_api.post(f"{WEBHOOKS}{hook['id']}/deliveries/99/retry/").status_code == 404
    reader = make_user("hooks-reader", permissions=False)
    grant(reader, "events.view_webhooksubscription", "events.add_webhooksubscription")
    response = client_for(reader).post(f"{WEBHOOKS}{hook['id']}/deliveries/99/retry/")
    assert response.status_code == 403


@pytest.fixture
def keep_alive_receiver(monkeypatch):
    from events import delivery

    monkeypatch.setattr(delivery, "_kept", {})  # no connection kept from another test
    with running_receiver(keep_alive=True) as receiver:
        yield receiver


def test_batches_go_over_one_connection_the_receiver_keeps_open(
    hooks_api, allow_private, keep_alive_receiver, channel
):
    receiver = keep_alive_receiver
    hook = subscribe(hooks_api, receiver.url, batch_size=1)
    receiver.secret = hook["secret"]
    for _ in range(3):
        CustomerFactory(channel=channel)
    deliver_pending(hook["id"])
    assert [len(r.events) for r in receiver.received] == [1, 1, 1]
    assert all(r.verified for r in receiver.received)
    assert len(set(receiver.peers)) == 1


def test_a_kept_connection_the_receiver_closed_is_replaced_and_nothing_is_lost(
    hooks_api, allow_private, keep_alive_receiver, channel
):
    receiver = keep_alive_receiver
    receiver.close_after_answer = True
    hook = subscribe(hooks_api, receiver.url, batch_size=1)
    receiver.secret = hook["secret"]
    for _ in range(3):
        CustomerFactory(channel=channel)
    deliver_pending(hook["id"])
    assert [d.state for d in WebhookDelivery.objects.order_by("id")] == ["delivered"] * 3
    assert [d.attempts for d in WebhookDelivery.objects.order_by("id")] == [1, 1, 1]
    assert len(receiver.unique_deliveries()) == 3
    assert len(set(receiver.peers)) == 3


def test_a_dispatch_delivers_the_first_subscription_and_hands_on_the_others(
    hooks_api, allow_private, channel, monkeypatch
):
    from events import tasks

    handed_on = []
    monkeypatch.setattr(tasks.deliver_subscription, "delay", handed_on.append)
    with running_receiver() as first_receiver, running_receiver() as second_receiver:
        first, second = (
            subscribe(hooks_api, first_receiver.url),
            subscribe(hooks_api, second_receiver.url),
        )
        first_receiver.secret = first["secret"]
        customer = CustomerFactory(channel=channel)

        tasks.dispatch_webhooks()

        assert [e["resource_id"] for e in first_receiver.events()] == [customer.pk]
        assert second_receiver.received == []
    assert handed_on == [second["id"]]
