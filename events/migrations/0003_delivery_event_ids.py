import json

from django.db import migrations, models

BATCH = 500


def event_ids_from_bodies(apps, schema_editor):
    """Each delivery's event ids, read from the body it stored."""
    WebhookDelivery = apps.get_model("events", "WebhookDelivery")
    changed = []
    for delivery in WebhookDelivery.objects.only("id", "payload").iterator(chunk_size=BATCH):
        events = json.loads(delivery.payload or "{}").get("data", {}).get("events", [])
        delivery.event_ids = [event["id"] for event in events]
        changed.append(delivery)
        if len(changed) == BATCH:
            WebhookDelivery.objects.bulk_update(changed, ["event_ids"])
            changed = []
    WebhookDelivery.objects.bulk_update(changed, ["event_ids"])


class Migration(migrations.Migration):
    """A delivery keeps the ids of its events instead of its body, written at each attempt.

    Backwards, the bodies are not written again: deliveries keep an empty one.
    A squash may leave the copy out (elidable): a database made after it has
    no delivery with a stored body.
    """

    dependencies = [
        ("events", "0002_delivery_payload_lz4"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="event_ids",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(event_ids_from_bodies, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(
            model_name="webhookdelivery",
            name="payload",
        ),
    ]
