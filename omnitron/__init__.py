# The Celery app is made when Django starts, so tasks enqueued by the web
# processes use its broker settings.
from omnitron.celery import app as celery_app

__all__ = ["celery_app"]
