"""Celery task (`celery -A omnitron worker -B`): the hourly purge of expired keys."""

from celery import shared_task

from idempotency.services import purge_expired_keys


@shared_task
def purge_idempotency_keys() -> int:
    return purge_expired_keys()
