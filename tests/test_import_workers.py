"""`import_orders --workers N`: a file imported by real Celery workers, part by part.

PostgreSQL only: the workers are other processes, reading the test database.
RabbitMQ is named by CELERY_BROKER_URL (default: the local broker's `/` vhost).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from django.db import connection

from addresses.models import Address
from audit.models import Action, AuditEvent
from orders.models import ImportPart, Order
from orders.parallel_import import create_job, split_file, wait_for_parts
from orders.tasks import import_part
from tests.factories import ChannelFactory
from tests.order_files import OrderFileGenerator
from tests.test_import_orders import (
    assert_audit_trail_leads_to_the_stored_customers,
    end_state,
    run_import,
    write_lines,
)
from tests.test_import_parts import PARTS, write_same_date_file
from tests.test_webhook_workers import BROKER_URL, broker_reachable, process_env

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", autouse=True)
def rabbitmq():
    if not broker_reachable():
        pytest.skip(f"RabbitMQ is not reachable at {BROKER_URL} (set CELERY_BROKER_URL)")


@pytest.fixture(autouse=True)
def places(tr_locations):
    """The generated files ship to the places of the Turkish set."""


class Worker:
    """One `celery -A omnitron worker` taking one task at a time, in its own process group."""

    def __init__(self, tmp_path: Path, name: str):
        self.name = f"import-test-{os.getpid()}-{name}"
        self.log_path = tmp_path / f"{name}.log"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "omnitron", "worker"),
                *("--pool", "solo", "--loglevel", "INFO", "--without-mingle"),
                *("--without-gossip", "--hostname", f"{self.name}@%h"),
            ],
            cwd=PROJECT,
            env=process_env(),
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_until_ready(self) -> None:
        wait_for(lambda: " ready." in self.log(), 60, f"{self.name} to start", [self])

    def kill(self) -> None:
        """SIGKILL: no goodbye, the task in hand neither acknowledged nor finished."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, seconds: float, what: str, workers: list[Worker]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    logs = "\n".join(worker.log()[-3000:] for worker in workers)
    pytest.fail(f"Timed out waiting for {what}.\nWorker logs:\n{logs}")


@pytest.fixture
def two_workers(tmp_path):
    workers = [Worker(tmp_path, "a"), Worker(tmp_path, "b")]
    yield workers
    for worker in workers:
        worker.stop()


def generated_file(tmp_path: Path, orders: int) -> tuple[list[str], Path]:
    """Repeated customers whose data changes and whose dates are not in line order
    (which part lands first matters), and bad lines (rejects from both parts)."""
    generator = OrderFileGenerator(
        orders, orders // 8, seed=5, bad_rate=0.03, change_rate=0.4, shuffled_dates=True
    )
    lines = list(generator.lines())
    return lines, write_lines(tmp_path / "orders.jsonl", lines)


def import_state(channel) -> dict:
    """end_state, with the addresses and the audit records that do not depend on which
    part landed first (a customer's updates do: compare their chain instead)."""
    customer_creates = AuditEvent.objects.filter(
        content_type__model="customer",
        action=Action.CREATE,
        object_id__in=channel.customers.values("pk"),
    ).count()
    orders = Counter(
        AuditEvent.objects.filter(
            content_type__model="order", object_id__in=channel.orders.values("pk")
        ).values_list("action", flat=True)
    )
    addresses = Address.objects.filter(customer__channel=channel)
    return {
        **end_state(channel),
        "addresses": sorted(
            addresses.values_list("customer__channel_code", "city__name", "township__name", "line")
        ),
        "customer creates": customer_creates,
        "order records": orders,
        "address records": AuditEvent.objects.filter(
            content_type__model="address", object_id__in=addresses.values("pk")
        ).count(),
    }


def order_counts(output: str) -> dict[str, int]:
    """{"read": n, "created": n, "already present": n, "rejected": n} of a summary."""
    line = output.splitlines()[1].removeprefix("orders: ")
    return {name: int(count) for count, name in (part.split(" ", 1) for part in line.split(", "))}


def rejects(path: Path) -> list[dict]:
    """The records of a rejects file, by line (one process writes a batch's unreadable
    lines before the ones the service refused)."""
    records = [json.loads(text) for text in path.read_text().splitlines()]
    return sorted(records, key=lambda record: record["line"])


def test_split_file_cuts_at_line_starts_and_numbers_the_lines(tmp_path):
    path = write_lines(tmp_path / "f.jsonl", ["a" * 10, "b", "", "c" * 30, "d"])

    ranges = split_file(path, 3)

    data = path.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (_, end, _), (start, _, _) in pairwise(ranges):
        assert end == start and data[start - 1 : start] == b"\n"
    assert [data[:start].count(b"\n") + 1 for start, _, _ in ranges] == [
        first for _, _, first in ranges
    ]
    assert split_file(path, 50)[-1][1] == len(data)  # more parts than lines: no empty part


def test_two_workers_end_as_one_process_and_a_rerun_writes_nothing(tmp_path, two_workers):
    _, path = generated_file(tmp_path, 480)
    one_process = ChannelFactory(name="one process")
    single = run_import(one_process, path, "--batch-size", "40", "--rejects", tmp_path / "one")
    on_workers = ChannelFactory(name="on workers")
    for worker in two_workers:
        worker.wait_until_ready()

    output = run_import(on_workers, path, "--batch-size", "40", "--workers", "2")

    assert import_state(on_workers) == import_state(one_process)
    assert_audit_trail_leads_to_the_stored_customers(on_workers)
    # The same counts as one process, the rejects merged in line order.
    assert output.splitlines()[1] == single.splitlines()[1]
    merged = (tmp_path / "orders.jsonl.rejects.jsonl").read_text().splitlines()
    assert [json.loads(text) for text in merged] == rejects(tmp_path / "one")
    assert not list(tmp_path.glob("*.part*"))

    audit_records = AuditEvent.objects.count()
    rerun = run_import(on_workers, path, "--batch-size", "40", "--workers", "2")

    assert " 0 created, " in rerun
    assert AuditEvent.objects.count() == audit_records
    assert import_state(on_workers) == import_state(one_process)


def test_a_killed_workers_part_is_redone_by_the_other_and_ends_as_one_process(
    tmp_path, two_workers
):
    # Enough batches that the kill falls before the part's end, however fast the workers.
    _, path = generated_file(tmp_path, 1200)
    one_process = ChannelFactory(name="one process")
    one_run = run_import(one_process, path, "--batch-size", "5", "--rejects", tmp_path / "one")
    on_workers = ChannelFactory(name="on workers")
    for worker in two_workers:
        worker.wait_until_ready()
    outputs, errors = [], []

    def import_on_workers():
        try:
            outputs.append(run_import(on_workers, path, "--batch-size", "5", "--workers", "2"))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    command = threading.Thread(target=import_on_workers)
    command.start()
    # Small batches: the kill falls after some of a part's batches landed, before its end.
    wait_for(
        lambda: ImportPart.objects.filter(state="running", read_bytes__gt=0).exists(),
        30,
        "a part half-way",
        two_workers,
    )
    # The part seen half-way: the other may be running with nothing landed yet.
    part = ImportPart.objects.filter(state="running", read_bytes__gt=0).first()
    killed = next(w for w in two_workers if part.worker.startswith(w.name + "@"))
    killed.kill()
    command.join(timeout=60)

    assert errors == [] and not command.is_alive()
    part.refresh_from_db()
    assert part.state == "done" and part.attempts == 2
    assert not part.worker.startswith(killed.name + "@")
    assert import_state(on_workers) == import_state(one_process)
    assert_audit_trail_leads_to_the_stored_customers(on_workers)
    assert rejects(tmp_path / "orders.jsonl.rejects.jsonl") == rejects(tmp_path / "one")
    # The redone part found the batches that landed before the kill, and skipped them.
    counts, single = order_counts(outputs[0]), order_counts(one_run)
    assert counts["created"] < single["created"]
    assert counts["created"] + counts["already present"] == (
        single["created"] + single["already present"]
    )


def test_orders_of_one_date_whose_last_part_lands_first_end_as_one_process(tmp_path, two_workers):
    path = write_same_date_file(tmp_path / "orders.jsonl")
    one_process = ChannelFactory(name="one process")
    run_import(one_process, path, "--rejects", tmp_path / "one")
    on_workers = ChannelFactory(name="on workers")
    worker = two_workers[0]
    two_workers[1].stop()  # one worker takes the parts one at a time, as queued
    worker.wait_until_ready()
    job = create_job(on_workers, path, PARTS, 1, tmp_path / "rejects.jsonl")

    for part in reversed(job.parts.all()):
        import_part.delay(part.pk, job.request_id)
    wait_for_parts(job)

    landed = (
        Order.objects.filter(channel=on_workers).order_by("pk").values_list("number", flat=True)
    )
    assert list(landed) == ["ORD-5", "ORD-6", "ORD-3", "ORD-4", "ORD-1", "ORD-2"]
    assert end_state(on_workers) == end_state(one_process)
    assert_audit_trail_leads_to_the_stored_customers(on_workers)
