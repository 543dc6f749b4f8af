"""A Celery worker keeps its database connection from task to task, as a server between requests."""

from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from omnitron.celery import app, close_old_database_connections

pytestmark = pytest.mark.django_db(transaction=True)

# What the worker passes to the signals around a task it runs from the queue.
QUEUED_TASK = SimpleNamespace(request=SimpleNamespace(is_eager=False))


def run_tasks(fixup: DjangoWorkerFixup, count: int, task=QUEUED_TASK) -> None:
    """The connection handling of the worker around `count` tasks (Celery's fixup, then ours)."""
    for _ in range(count):
        fixup.on_task_prerun(sender=task)
        close_old_database_connections(task=task)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        fixup.on_task_postrun(sender=task)
        close_old_database_connections(task=task)


def test_consecutive_tasks_use_one_database_connection():
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    first = connection.connection

    run_tasks(fixup, 20)

    assert connection.connection is first


# SQLite's in-memory test database is never closed by Django.
@pytest.mark.postgresql
def test_a_connection_past_its_age_is_closed_after_the_task():
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    first = connection.connection
    connection.close_at = 0  # as if DJANGO_CONN_MAX_AGE had passed

    run_tasks(fixup, 1)

    assert connection.connection is not first


def test_the_worker_reuses_connections_for_a_thousand_tasks_by_default():
    assert DjangoWorkerFixup(app).db_reuse_max == 1000


@pytest.mark.postgresql
def test_a_task_run_in_the_caller_s_process_leaves_its_connection_alone():
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    first = connection.connection
    connection.close_at = 0  # would be closed around a queued task

    run_tasks(fixup, 1, task=SimpleNamespace(request=SimpleNamespace(is_eager=True)))

    assert connection.connection is first
