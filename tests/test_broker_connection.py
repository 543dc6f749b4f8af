"""A write's webhook dispatch reaches RabbitMQ after the broker closed the process's connection.

RabbitMQ closes a connection that sent no heartbeat for a while: a server
process that wrote nothing for minutes holds such a connection in its pool.
Here the broker closes it on request (`rabbitmqctl close_connection`).
"""

import shutil
import subprocess

import pytest
from django.conf import settings

from events import outbox
from omnitron.celery import app
from tests.factories import CustomerFactory
from tests.test_webhook_workers import BROKER_URL, broker_reachable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rabbitmq_with_its_ctl(monkeypatch):
    if not broker_reachable():
        pytest.skip(f"RabbitMQ is not reachable at {BROKER_URL} (set CELERY_BROKER_URL)")
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is not installed: the broker cannot be told to close a connection")
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)


def queued_dispatches() -> int:
    with app.connection_for_write() as connection:
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        return connection.default_channel.queue_declare(queue=queue, passive=True).message_count


def close_the_pooled_connection_at_the_broker() -> None:
    with app.producer_or_acquire() as producer:
        host, port = producer.connection.connection.sock.getsockname()[:2]
    listed = subprocess.run(
        ["rabbitmqctl", "list_connections", "pid", "name", "--quiet", "--no-table-headers"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    pid = next(
        line.split("\t")[0] for line in listed if f"\t{host}:{port} ->" in line
    )  # the connection's Erlang process id, which close_connection names it by
    subprocess.run(
        ["rabbitmqctl", "close_connection", pid, "idle"], capture_output=True, check=True
    )


def test_a_dispatch_goes_out_after_the_broker_closed_the_connection(
    channel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        CustomerFactory(channel=channel)  # the process's pooled connection is open
    close_the_pooled_connection_at_the_broker()
    before = queued_dispatches()

    with django_capture_on_commit_callbacks(execute=True):
        CustomerFactory(channel=channel)

    assert queued_dispatches() == before + 1
    assert outbox._broker_paused_until == 0.0  # the broker was not taken as down
