"""Deliveries made before their bodies stopped being stored keep their events."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from events.delivery import delivery_body
from events.models import WebhookDelivery

STORED_BODY = [("events", "0002_delivery_payload_lz4")]
EVENT_IDS = [("events", "0003_delivery_event_ids")]


def migrated_to(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_delivery_with_a_stored_body_keeps_the_ids_of_its_events():
    try:
        apps = migrated_to(STORED_BODY)
        Subscription = apps.get_model("events", "WebhookSubscription")
        Delivery = apps.get_model("events", "WebhookDelivery")
        subscription = Subscription.objects.create(
            url="https://hooks.example.com/", event_types=["*"], secret="whsec_c2VjcmV0"
        )
        events = [{"id": 7, "type": "customer.created"}, {"id": 9, "type": "order.created"}]
        body = {
            "type": "events.batch",
            "timestamp": "2026-12-01T10:00:00Z",
            "data": {"events": events},
        }
        made = Delivery.objects.create(
            subscription=subscription,
            first_event_id=7,
            last_event_id=9,
            event_count=2,
            payload=json.dumps(body),
        )

        migrated_to(EVENT_IDS)

        delivery = WebhookDelivery.objects.get(pk=made.pk)
        assert delivery.event_ids == [7, 9]
        # Those events are gone from this database: the body holds what remains of them.
        assert json.loads(delivery_body(delivery))["data"]["events"] == []
    finally:
        migrated_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
