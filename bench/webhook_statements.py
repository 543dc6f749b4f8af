"""What each statement of the delivery loop costs the worker, three ways.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/webhook_statements.py

Needs a database holding a webhook subscription and one of its deliveries
(bench/webhook_delivery.py leaves both). Runs each statement the worker runs
for every delivery (events/delivery.py) --repeat times in one transaction,
through the ORM's querysets and save(), as the loop runs it
(events/compiled.py: compiled once, run by raw(), saved by save_fields) and as
plain SQL on a cursor, and prints the CPU time of this process for one (and
the wall time). The database's own work is the same each way; the
difference is what building and compiling the query costs the worker. Not
part of the test suite.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from events.compiled import save_fields  # noqa: E402
from events.delivery import (  # noqa: E402
    ANSWER_FIELDS,
    _locked_subscription,
    _open_deliveries,
    _two_oldest_open,
)
from events.models import WebhookDelivery, WebhookSubscription  # noqa: E402


def measured(repeat: int, statement) -> tuple[float, float]:
    """(CPU ms, wall ms) of one run of `statement`, over `repeat` runs after one warm-up."""
    statement()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        statement()
    return (
        (time.process_time() - cpu) / repeat * 1000,
        (time.perf_counter() - wall) / repeat * 1000,
    )


def sql(text: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        if cursor.description:
            cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    delivery = WebhookDelivery.objects.order_by("id").last()
    if delivery is None:
        sys.exit("No webhook delivery here: run bench/webhook_delivery.py on this database first.")
    subscription = delivery.subscription
    WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=True)
    sub_table, delivery_table = (
        connection.ops.quote_name(model._meta.db_table)
        for model in (WebhookSubscription, WebhookDelivery)
    )
    lock = "FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    result_values = [getattr(delivery, name) for name in ANSWER_FIELDS]
    statements = {
        "lock the subscription": (
            lambda: WebhookSubscription.objects.select_for_update(skip_locked=True).get(
                pk=subscription.pk, is_active=True
            ),
            lambda: _locked_subscription(subscription.pk),
            lambda: sql(
                f"SELECT * FROM {sub_table} WHERE id = %s AND is_active {lock}", [subscription.pk]
            ),
        ),
        "its two oldest open deliveries": (
            lambda: list(_open_deliveries(subscription.pk)[:2]),
            lambda: _two_oldest_open(subscription.pk),
            lambda: sql(
                f"SELECT * FROM {delivery_table} WHERE subscription_id = %s"
                " AND state IN ('pending', 'retrying') ORDER BY id LIMIT 2",
                [subscription.pk],
            ),
        ),
        "record the delivery's answer": (
            lambda: delivery.save(update_fields=ANSWER_FIELDS),
            lambda: save_fields(delivery, ANSWER_FIELDS),
            lambda: sql(
                f"UPDATE {delivery_table} SET state = %s, attempts = %s, last_status = %s,"
                " last_error = %s, next_attempt_at = %s, delivered_at = %s WHERE id = %s",
                [*result_values, delivery.pk],
            ),
        ),
        "move the cursor": (
            lambda: subscription.save(update_fields=["last_event_id"]),
            lambda: save_fields(subscription, ["last_event_id"]),
            lambda: sql(
                f"UPDATE {sub_table} SET last_event_id = %s WHERE id = %s",
                [subscription.last_event_id, subscription.pk],
            ),
        ),
    }
    print(f"{'statement':<32} {'ORM':>13} {'the loop':>13} {'SQL':>13}  (CPU, wall; ms)")
    with transaction.atomic():
        for name, ways in statements.items():
            figures = [measured(args.repeat, way) for way in ways]
            print(f"{name:<32}" + "".join(f" {cpu:>6.3f},{wall:>6.3f}" for cpu, wall in figures))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
