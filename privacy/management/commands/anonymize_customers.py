"""Anonymize customers given by id (arguments, or a file of one id a line)."""

from django.core.management.base import BaseCommand, CommandError

from audit.context import AuditContext
from audit.models import Source
from customers.exceptions import CustomerNotFound
from customers.models import Customer
from customers.services import CustomerService

BATCH_SIZE = 100


class Command(BaseCommand):
    help = (
        "Anonymize customers (CustomerService.anonymize_customer), each in its own "
        "transaction, read from the database a batch at a time. Unknown ids are reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", help="Customer ids.")
        parser.add_argument("--file", help="A file of customer ids, one a line.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, ids, file, batch_size, **options):
        wanted = [*ids]
        if file:
            with open(file, encoding="utf-8") as lines:
                wanted += [line.strip() for line in lines if line.strip()]
        if not wanted:
            raise CommandError("Give customer ids, or --file with one id a line.")
        bad = [value for value in wanted if not (value.isascii() and value.isdigit())]
        if bad:
            raise CommandError(f"Not customer ids: {', '.join(bad[:10])}")
        pks = list(dict.fromkeys(int(value) for value in wanted))
        context = AuditContext(source=Source.COMMAND)
        anonymized = missing = 0
        for start in range(0, len(pks), batch_size):
            batch = pks[start : start + batch_size]
            found = Customer.objects.in_bulk(batch)
            for pk in batch:
                if pk not in found:
                    missing += 1
                    self.stderr.write(f"Customer {pk}: not found.")
                    continue
                try:
                    CustomerService.anonymize_customer(customer=found[pk], audit_context=context)
                except CustomerNotFound:
                    missing += 1
                    self.stderr.write(f"Customer {pk}: deleted meanwhile.")
                    continue
                anonymized += 1
        self.stdout.write(f"{anonymized} anonymized, {missing} not found.")
