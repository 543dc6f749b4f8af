from django.core.management.base import BaseCommand

from idempotency.services import purge_expired_keys


class Command(BaseCommand):
    help = "Delete the Idempotency-Key records (and kept answers) older than 24 hours."

    def handle(self, *args, **options):
        deleted = purge_expired_keys()
        self.stdout.write(f"Deleted {deleted} expired idempotency keys.")
