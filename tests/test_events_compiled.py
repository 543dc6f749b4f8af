"""The delivery loop's statements compiled once answer as the ORM's own would."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from events.batches import next_event_ids
from events.compiled import MARKER, CompiledSelect, CompiledValues, insert, save_fields
from events.delivery import _locked_subscription, _two_oldest_open
from events.models import Event, WebhookDelivery, WebhookSubscription
from events.subscriptions import events_matching

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


def test_insert_writes_the_row_the_orms_create_writes(subscription):
    made_by_orm = delivery(subscription, "pending", 10)
    values = {f: getattr(made_by_orm, f) for f in ("first_event_id", "last_event_id")}
    inserted = WebhookDelivery(
        subscription=subscription,
        event_count=2,
        event_ids=[10, 11],
        next_attempt_at=made_by_orm.next_attempt_at,
        **values,
    )

    insert(inserted)

    assert inserted.pk > made_by_orm.pk and not inserted._state.adding
    assert inserted.created_date is not None  # auto_now_add, as save() sets it
    read_back = WebhookDelivery.objects.get(pk=inserted.pk)
    assert fields_of(read_back) == fields_of(inserted)
    unlike = {"id", "created_date"}
    assert {k: v for k, v in fields_of(read_back).items() if k not in unlike} == {
        k: v for k, v in fields_of(made_by_orm).items() if k not in unlike
    }
    assert (
        read_back.state == "pending" and read_back.attempts == 0 and read_back.event_ids == [10, 11]
    )


def event(type_: str, channel_id: int | None) -> Event:
    resource = type_.split(".")[0]
    return Event.objects.create(
        type=type_,
        resource=resource,
        resource_id=1,
        sequence=Event.objects.filter(resource=resource, resource_id=1).count() + 1,
        channel_id=channel_id,
        occurred_at=timezone.now(),
    )


@pytest.mark.parametrize(
    ("event_types", "channels"),
    [
        (["customer.*", "order.created"], [3]),
        (["*"], None),
        (["address.updated"], [3, 4]),
        (["customer.*"], []),
    ],
)
def test_the_next_ids_are_those_the_orm_finds(subscription, event_types, channels):
    for number in range(30):
        type_ = ("customer.created", "order.created", "order.updated", "address.updated")[
            number % 4
        ]
        event(type_, (3, 4, None)[number % 3])
    subscription.event_types, subscription.channels = event_types, channels
    subscription.batch_size, subscription.last_event_id = 4, Event.objects.order_by("id")[2].id

    ids, cursor = next_event_ids(subscription)

    expected = list(
        Event.objects.filter(events_matching(subscription), id__gt=subscription.last_event_id)
        .order_by("id")
        .values_list("id", flat=True)[:4]
    )
    assert ids == expected and len(ids) == 4
    assert cursor == ids[-1]


def test_a_filter_no_event_can_match_finds_none_and_moves_the_cursor(subscription):
    made = [event("customer.created", 3).pk for _ in range(3)]
    subscription.channels, subscription.last_event_id = [None], made[0] - 1

    ids, cursor = next_event_ids(subscription)

    assert ids == [] and cursor == made[-1]


def test_the_rows_written_by_hand_have_no_signal_receivers_to_miss():
    # insert() and save_fields() send no pre_save or post_save: none may be connected.
    for model in (WebhookDelivery, WebhookSubscription):
        assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)


def test_a_compiled_query_takes_its_values_in_order_and_is_compiled_per_key():
    calls = []

    def build(key, low, high):
        calls.append(key)
        return Event.objects.filter(id__gt=low, id__lte=high).order_by("id").values_list("id")[:key]

    made = [event("customer.created", None).pk for _ in range(5)]
    first_ids = CompiledValues(build)

    assert first_ids(2, made[0], made[4]) == [(made[1],), (made[2],)]
    assert first_ids(2, made[2], made[4]) == [(made[3],), (made[4],)]
    assert first_ids(3, made[0], made[3]) == [(made[1],), (made[2],), (made[3],)]
    assert calls == [2, 3]


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
