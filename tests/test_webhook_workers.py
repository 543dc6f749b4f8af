"""Deliveries by real Celery workers on RabbitMQ, to a receiver that verifies and deduplicates.

PostgreSQL only: the workers are other processes, reading the test database.
RabbitMQ is named by CELERY_BROKER_URL (default: the local broker's `/` vhost).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection

from audit.models import AuditEvent
from events.models import WebhookDelivery
from tests.conftest import client_for, grant, make_user
from tests.test_import_orders import order_line, run_import, write_lines
from tests.webhook_receiver import PORT_BASE, running_receiver

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parent.parent
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
# A port of this project's range where nothing listens: a broker that is down.
DEAD_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{PORT_BASE + 8}//"
SERVER_PORT = PORT_BASE + 7


def broker_reachable() -> bool:
    parts = urlsplit(BROKER_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 5672), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module", autouse=True)
def rabbitmq():
    if not broker_reachable():
        pytest.skip(f"RabbitMQ is not reachable at {BROKER_URL} (set CELERY_BROKER_URL)")


def process_env(**extra) -> dict:
    settings = connection.settings_dict
    database = (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    # The replicas' URLs name the database outside tests, not the test database.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k != "DATABASE_REPLICA_URLS"
    }
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "omnitron.settings",
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": BROKER_URL,
        "OMNITRON_WEBHOOK_ALLOW_PRIVATE": "1",
        "OMNITRON_WEBHOOK_SWEEP_SECONDS": "1",
        "OMNITRON_WEBHOOK_RETRY_DELAYS": "1,1,1,1,1",
        **extra,
    }


class Workers:
    """`celery -A omnitron worker -B` in its own process group, started and killed at will."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.process: subprocess.Popen | None = None
        self.runs = 0

    def start(self) -> None:
        self.runs += 1
        log = (self.tmp_path / f"worker-{self.runs}.log").open("w")
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "omnitron", "worker", "-B"),
                *("--concurrency", "2", "--loglevel", "INFO", "--without-mingle"),
                *("--without-gossip", "--hostname", f"events-test-{os.getpid()}-{self.runs}@%h"),
                *("--schedule", str(self.tmp_path / f"beat-{self.runs}")),
            ],
            cwd=PROJECT,
            env=process_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the worker, its pool and its beat: no goodbye, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp_path.glob("worker-*.log")))


@pytest.fixture
def workers(tmp_path):
    workers = Workers(tmp_path)
    yield workers
    workers.stop()


@pytest.fixture
def receiver():
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def integrator(db, settings):
    settings.OMNITRON_WEBHOOK_ALLOW_PRIVATE = True
    user = make_user("integrator")
    grant(user, "events.add_webhooksubscription", "events.view_webhooksubscription")
    return client_for(user)


def subscribe(api, receiver, **fields) -> dict:
    response = api.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "event_types": ["customer.*", "order.*"], **fields},
        format="json",
    )
    assert response.status_code == 201, response.content
    receiver.secret = response.json()["secret"]
    return response.json()


def wait_for(condition, seconds: float, workers: Workers, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}.\nWorker log:\n{workers.log()[-6000:]}")


def audited_changes() -> dict[tuple[str, int], int]:
    """How many changes the audit trail holds per resource (what the events must match)."""
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for model, object_id in AuditEvent.objects.values_list("content_type__model", "object_id"):
        counts[(model, object_id)] += 1
    return dict(counts)


def assert_complete_and_in_order(receiver) -> None:
    """Each change exactly once, after deduplication, and each resource's events in order."""
    events = receiver.events()
    assert all(r.verified for r in receiver.received)
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)), "an event was delivered in two different messages"
    by_resource: dict[tuple[str, int], list[int]] = defaultdict(list)
    for event in events:
        by_resource[(event["resource"], event["resource_id"])].append(event["sequence"])
    assert {key: len(seqs) for key, seqs in by_resource.items()} == audited_changes()
    for sequences in by_resource.values():
        assert sequences == list(range(1, len(sequences) + 1))


def test_workers_deliver_every_change_signed_and_in_order(
    workers, receiver, integrator, channel, tmp_path
):
    subscribe(integrator, receiver, batch_size=7)
    workers.start()
    lines = [
        order_line(f"ORD-{n}", f"C-{n % 13}", customer={"first_name": f"Name {n % 4}"})
        for n in range(120)
    ]
    run_import(channel, write_lines(tmp_path / "orders.jsonl", lines), "--batch-size", "25")
    customer = channel.customers.order_by("pk").first()
    response = integrator.patch(
        f"/api/v1/customers/{customer.pk}/", {"sms_allowed": True}, format="json"
    )
    assert response.status_code == 200
    expected = sum(audited_changes().values())

    wait_for(lambda: len(receiver.events()) >= expected, 60, workers, f"{expected} events")
    assert_complete_and_in_order(receiver)
    assert receiver.events()[-1]["changes"] == {"sms_allowed": [False, True]}
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_a_worker_killed_mid_delivery_loses_and_doubles_nothing(
    workers, receiver, integrator, channel, tmp_path
):
    subscribe(integrator, receiver, batch_size=5)
    receiver.delay = 3.0  # each answer comes late: the kill falls inside a delivery
    lines = [order_line(f"ORD-{n}", f"C-{n % 7}") for n in range(40)]
    run_import(channel, write_lines(tmp_path / "orders.jsonl", lines))
    workers.start()
    wait_for(lambda: receiver.request_started.is_set(), 60, workers, "a first delivery")
    time.sleep(0.5)
    workers.kill()
    killed_during = receiver.received[-1].webhook_id

    receiver.delay = 0
    workers.start()
    expected = sum(audited_changes().values())
    wait_for(lambda: len(receiver.events()) >= expected, 90, workers, f"{expected} events")
    assert_complete_and_in_order(receiver)
    # The message in flight was sent again, the same message under the same webhook-id.
    resent = [r for r in receiver.received if r.webhook_id == killed_during]
    assert len(resent) >= 2
    assert len({r.body for r in resent}) == 1


def test_the_service_answers_with_the_broker_down_and_the_sweep_delivers_later(
    workers, receiver, integrator, channel
):
    subscribe(integrator, receiver)
    token = integrator._credentials["HTTP_AUTHORIZATION"]
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "granian", "--interface", "wsgi", "omnitron.wsgi:application"),
            *("--port", str(SERVER_PORT), "--workers", "1"),
        ],
        cwd=PROJECT,
        env=process_env(CELERY_BROKER_URL=DEAD_BROKER_URL),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{SERVER_PORT}/api/v1/customers/"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url, timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        started = time.monotonic()
        response = requests.post(
            url,
            json={"email": "a@example.com", "channel": channel.pk, "channel_code": "C-1"},
            headers={"Authorization": token},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        assert time.monotonic() - started < 5
    finally:
        # granian's main process stops its workers: one signal, to it alone.
        server.terminate()
        _, errors = server.communicate(timeout=15)
    assert b"Webhook dispatch not enqueued" in errors

    workers.start()  # with the real broker: its sweep finds the event
    wait_for(lambda: len(receiver.events()) == 1, 60, workers, "the event")
    assert receiver.events()[0]["type"] == "customer.created"
