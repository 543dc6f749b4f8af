"""Deliveries made before their bodies stopped being stored keep their events and their time."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from events.models import WebhookDelivery

STORED_BODY = [("events", "0002_delivery_payload_lz4")]
EVENT_IDS = [("events", "0003_delivery_event_ids")]


def migrated_to(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_delivery_with_a_stored_body_keeps_its_event_ids_and_timestamp():
    try:
        apps = migrated_to(STORED_BODY)
        Subscription = apps.get_model("events", "WebhookSubscription")
        Delivery = apps.get_model("events", "WebhookDelivery")
        subscription = Subscription.objects.create(
            url="https://hooks.example.com/", event_types=["*"], secret="whsec_c2VjcmV0"
        )

        def made(state, events):
            body = {"type": "events.batch", "timestamp": "2026-12-01T10:00:00.123456Z"}
            body["data"] = {"events": [{"id": id_, "type": "customer.created"} for id_ in events]}
            return Delivery.objects.create(
                subscription=subscription,
                state=state,
                first_event_id=events[0],
                last_event_id=events[-1],
                event_count=len(events),
                payload=json.dumps(body),
            )

        pending, delivered = made("pending", [7, 9]), made("delivered", [3, 4])

        migrated_to(EVENT_IDS)

        pending = WebhookDelivery.objects.get(pk=pending.pk)
        assert pending.event_ids == [7, 9]
        assert pending.created_date == datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=UTC)
        assert WebhookDelivery.objects.get(pk=delivered.pk).event_ids == []  # never sent again

        with pytest.raises(RuntimeError, match="deliveries are open"):
            migrated_to(STORED_BODY)
        assert WebhookDelivery.objects.get(pk=pending.pk).event_ids == [7, 9]
    finally:
        migrated_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
