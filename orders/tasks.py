"""Celery tasks of the orders: a part of an order file imported by a worker.

Acknowledged after it ran (CELERY_TASK_ACKS_LATE) and given back to the queue
when its worker dies, so a killed worker's part is run again by another.
"""

from celery import Task, shared_task

from orders.models import ImportJob
from orders.parallel_import import mark_part_failed, run_part


class ImportPartTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # The batch in flight was rolled back; the command reports the part's error.
        mark_part_failed(args[0], exc)


@shared_task(base=ImportPartTask, bind=True)
def import_part(self, part_id: int, request_id: str) -> None:
    run_part(part_id, request_id, self.request.hostname or "")


def queue_job(job: ImportJob) -> None:
    """One task a part of `job`."""
    for part in job.parts.all():
        import_part.delay(part.pk, job.request_id)
