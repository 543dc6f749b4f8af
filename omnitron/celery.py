"""The Celery app: `celery -A omnitron worker -B` runs the workers and their schedule.

Configured from the Django settings named CELERY_*; tasks are found in each
app's `tasks` module.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

app = Celery("omnitron")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
