"""The delivery loop's statements compiled once answer as the ORM's own would."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from events.compiled import MARKER, CompiledSelect, save_fields
from events.delivery import _locked_subscription, _two_oldest_open
from events.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(db):
    return WebhookSubscription.objects.create(
        url="https://hooks.example.com/",
        event_types=["customer.*", "order.created"],
        channels=[3],
        batch_size=50,
        secret="whsec_c2VjcmV0",
        last_event_id=40,
    )


def delivery(subscription, state, first_event_id) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=subscription,
        state=state,
        first_event_id=first_event_id,
        last_event_id=first_event_id + 1,
        event_count=2,
        event_ids=[first_event_id, first_event_id + 1],
        next_attempt_at=timezone.now(),
    )


def fields_of(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_locked_subscription_is_the_orms_and_an_inactive_one_is_none(subscription):
    with transaction.atomic():
        locked = _locked_subscription(subscription.pk)
    assert fields_of(locked) == fields_of(WebhookSubscription.objects.get(pk=subscription.pk))
    assert locked.event_types == ["customer.*", "order.created"]  # JSON read back as the ORM does

    WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
    with transaction.atomic():
        assert _locked_subscription(subscription.pk) is None


def test_the_two_oldest_open_deliveries_in_order(subscription):
    other = WebhookSubscription.objects.create(url="https://other.example.com/", secret="x")
    delivery(other, "pending", 1)
    delivery(subscription, "delivered", 10)
    retrying = delivery(subscription, "retrying", 20)
    pending = delivery(subscription, "pending", 30)
    delivery(subscription, "pending", 40)
    delivery(subscription, "failed", 50)

    found = _two_oldest_open(subscription.pk)

    assert [d.pk for d in found] == [retrying.pk, pending.pk]
    assert [fields_of(d) for d in found] == [
        fields_of(WebhookDelivery.objects.get(pk=pk)) for pk in (retrying.pk, pending.pk)
    ]
    assert found[0].event_ids == [20, 21]


def test_save_fields_writes_those_fields_only(subscription):
    made = delivery(subscription, "pending", 10)
    stale = WebhookDelivery.objects.get(pk=made.pk)
    made.state, made.attempts, made.last_status = "delivered", 1, 204
    made.delivered_at, made.next_attempt_at = timezone.now(), None
    made.last_error = "was fine"
    made.event_count = 99  # not among the fields saved

    save_fields(
        made, ["state", "attempts", "last_status", "last_error", "next_attempt_at", "delivered_at"]
    )

    saved = WebhookDelivery.objects.get(pk=made.pk)
    assert fields_of(saved) == {**fields_of(made), "event_count": 2}
    assert fields_of(saved) != fields_of(stale)


def test_a_query_must_hold_the_marker_once():
    twice = CompiledSelect(
        lambda value: WebhookDelivery.objects.filter(first_event_id=value, last_event_id=value)
    )
    with pytest.raises(AssertionError, match="marker"):
        twice(1)
    assert MARKER < 0  # a key no row has


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_subscription_another_worker_holds_is_skipped(subscription):
    held, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            assert _locked_subscription(subscription.pk) is None
    finally:
        release.set()
        thread.join()
    with transaction.atomic():
        assert _locked_subscription(subscription.pk).pk == subscription.pk
