from django.conf import settings
from django.core.management.base import BaseCommand

from events.retention import purge_old_events


class Command(BaseCommand):
    help = "Delete change events older than OMNITRON_EVENT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.OMNITRON_EVENT_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        deleted = purge_old_events(days)
        self.stdout.write(f"Deleted {deleted} events older than {days} days.")
