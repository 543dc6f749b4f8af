"""The parts of a file imported side by side (`import_orders --workers N`) landing in any order.

Each part is run here by the task's body (orders.parallel_import.run_part), in
the order a test chooses, so every order of completion is checked on both
databases; tests/test_import_workers.py runs the parts on real Celery workers.
"""

from itertools import permutations
from pathlib import Path

import pytest

from audit.models import AuditEvent
from customers.models import Customer
from orders.models import ImportJob
from orders.parallel_import import create_job, run_part
from tests.factories import ChannelFactory
from tests.test_import_orders import (
    assert_audit_trail_leads_to_the_stored_customers,
    end_state,
    order_line,
    run_import,
    write_lines,
)

pytestmark = pytest.mark.django_db

SAME_DATE = "2026-03-01T10:00:00Z"
# Two customers ordering at the very same time in each third of the file. C-2's
# last order carries the data of its first: of one date, the last line's data
# stays even when an earlier line's landed in between.
LAST_NAMES = [("C-1", "Aaaa"), ("C-2", "Yyyy"), ("C-1", "Bbbb")]
LAST_NAMES += [("C-2", "Xxxx"), ("C-1", "Cccc"), ("C-2", "Yyyy")]
PARTS = 3


@pytest.fixture(autouse=True)
def places(tr_locations):
    """The lines ship to the places of the Turkish set."""


def write_same_date_file(path: Path) -> Path:
    lines = [
        order_line(f"ORD-{n}", code, created_at=SAME_DATE, customer={"last_name": name})
        for n, (code, name) in enumerate(LAST_NAMES, start=1)
    ]
    assert len({len(line.encode()) for line in lines}) == 1  # equal lines: thirds of 2 lines
    return write_lines(path, lines)


@pytest.fixture
def same_date_file(tmp_path):
    return write_same_date_file(tmp_path / "orders.jsonl")


def import_in_parts(channel, path, order, tmp_path) -> ImportJob:
    """A job of PARTS parts of one batch of a line each, its parts run in `order`."""
    job = create_job(channel, path, PARTS, 1, tmp_path / "rejects.jsonl")
    parts = list(job.parts.all())
    assert [part.first_line for part in parts] == [1, 3, 5]
    for index in order:
        run_part(parts[index].pk, job.request_id, "test")
    return job


@pytest.mark.parametrize(
    "order", list(permutations(range(PARTS))), ids=lambda order: "parts " + "".join(map(str, order))
)
def test_orders_of_one_date_in_parts_end_as_one_process_whichever_part_lands_last(
    tmp_path, same_date_file, order
):
    one_process = ChannelFactory(name="one process")
    run_import(one_process, same_date_file, "--rejects", tmp_path / "one")
    in_parts = ChannelFactory(name="in parts")

    import_in_parts(in_parts, same_date_file, order, tmp_path)

    assert end_state(in_parts) == end_state(one_process)
    names = {c.channel_code: c.last_name for c in Customer.objects.filter(channel=in_parts)}
    assert names == {"C-1": "Cccc", "C-2": "Yyyy"}
    assert_audit_trail_leads_to_the_stored_customers(in_parts)


def test_a_rerun_of_the_file_in_parts_writes_nothing(tmp_path, same_date_file):
    channel = ChannelFactory()
    import_in_parts(channel, same_date_file, [2, 1, 0], tmp_path)
    state, audit_records = end_state(channel), AuditEvent.objects.count()
    stored = list(Customer.objects.filter(channel=channel).values().order_by("pk"))

    import_in_parts(channel, same_date_file, [0, 1, 2], tmp_path)
    output = run_import(channel, same_date_file, "--rejects", tmp_path / "again")

    assert " 0 created, 6 already present" in output
    assert AuditEvent.objects.count() == audit_records
    assert end_state(channel) == state
    assert list(Customer.objects.filter(channel=channel).values().order_by("pk")) == stored


def test_one_process_finishing_a_file_whose_last_part_landed_ends_as_one_process(
    tmp_path, same_date_file
):
    one_process = ChannelFactory(name="one process")
    run_import(one_process, same_date_file, "--rejects", tmp_path / "one")
    finished = ChannelFactory(name="finished")
    import_in_parts(finished, same_date_file, [2], tmp_path)  # the others' worker failed

    output = run_import(finished, same_date_file, "--rejects", tmp_path / "rest")

    assert " 4 created, 2 already present" in output
    assert end_state(finished) == end_state(one_process)


def test_another_file_of_the_same_date_is_applied_as_it_lands(tmp_path, same_date_file):
    channel = ChannelFactory()
    import_in_parts(channel, same_date_file, [2, 1, 0], tmp_path)
    later = order_line("ORD-7", "C-1", created_at=SAME_DATE, customer={"last_name": "Dddd"})

    run_import(channel, write_lines(tmp_path / "later.jsonl", [later]))

    assert Customer.objects.get(channel=channel, channel_code="C-1").last_name == "Dddd"
