"""The Celery app: `celery -A omnitron worker -B` runs the workers and their schedule.

Configured from the Django settings named CELERY_*; tasks are found in each
app's `tasks` module.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

app = Celery("omnitron")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(task=None, **kwargs) -> None:
    """Around each queued task, as around each request: close a connection Django would not reuse.

    One past DJANGO_CONN_MAX_AGE, or left unusable by an error. Celery's own
    close comes only every CELERY_DB_REUSE_MAX tasks (settings). A task run
    in the caller's process (`apply()`) shares the caller's connection and
    transaction: left alone, as Celery's own close leaves it.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
