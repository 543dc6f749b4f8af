import sys
import time
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from kombu.exceptions import OperationalError as BrokerUnreachable
from tqdm import tqdm

from audit.context import AuditContext
from audit.models import Source
from channels.models import Channel
from orders.importer import DEFAULT_BATCH_SIZE, ImportSummary, OrderFileImporter, file_key
from orders.parallel_import import (
    ImportPartFailed,
    combined_summary,
    create_job,
    merge_rejects,
    wait_for_parts,
)
from orders.tasks import queue_job

STDIN = "-"
STDIN_REJECTS = "import_orders.rejects.jsonl"


class Command(BaseCommand):
    help = (
        "Import marketplace orders, one JSON order a line (see orders/order_lines.py), "
        "creating or updating each order's customer. Bad lines go to a rejects file; "
        "running the same file again imports only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--channel", type=int, required=True, help="Id of the sales channel.")
        parser.add_argument("file", help="The order file, or - for standard input.")
        parser.add_argument(
            "--rejects",
            help=f"Where to write the rejected lines (default: FILE.rejects.jsonl beside a "
            f"regular file; NAME.rejects.jsonl in the current directory for a pipe or a "
            f"device; {STDIN_REJECTS} there for standard input).",
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="Parse lines in this process (by default a second process parses the next "
            "batch while this one writes).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="Cut the file into this many parts, each imported by a Celery worker "
            "(`celery -A omnitron worker`), and wait for them. The workers open FILE by "
            "its absolute path: same machine or a shared disk.",
        )

    def handle(self, *args, channel, file, rejects, batch_size, in_process, workers, **options):
        channel = self._channel(channel)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if workers is not None:
            self._import_on_workers(channel, file, rejects, batch_size, workers)
            return
        context = AuditContext(source=Source.IMPORT, request_id=f"import-{uuid.uuid4().hex}")
        try:
            stream = sys.stdin.buffer if file == STDIN else open(file, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        regular = file != STDIN and Path(file).is_file()
        rejects_path = Path(rejects) if rejects else default_rejects_path(file, regular)
        try:
            rejects_file = rejects_path.open("w", encoding="utf-8")
        except OSError as error:
            stream.close()
            raise CommandError(
                f"Cannot write the rejected lines to {rejects_path}: {error.strerror}."
            ) from None
        total = Path(file).stat().st_size if regular else None
        progress = tqdm(
            total=total, unit="B", unit_scale=True, disable=None, file=sys.stderr, leave=False
        )
        with stream, progress, rejects_file:

            def report_progress(read_bytes: int, summary: ImportSummary) -> None:
                progress.update(read_bytes - progress.n)
                progress.set_postfix(orders=summary.lines, rejected=summary.rejected)

            importer = OrderFileImporter(
                channel,
                context,
                rejects_file,
                batch_size,
                on_progress=report_progress,
                parse_in_worker=not in_process,
                # A rerun after workers imported part of the file compares lines with theirs.
                file_key=file_key(Path(file)) if regular else None,
            )
            summary = importer.run(stream)
        self._print_summary(summary, channel, rejects_path)

    def _import_on_workers(
        self, channel: Channel, file: str, rejects: str | None, batch_size: int, workers: int
    ) -> None:
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        path = Path(file)
        if file == STDIN or not path.is_file():
            raise CommandError(f"--workers needs a regular file the workers can open: {file}.")
        rejects_path = Path(rejects) if rejects else default_rejects_path(file, regular=True)
        try:
            rejects_file = rejects_path.open("w", encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"Cannot write the rejected lines to {rejects_path}: {error.strerror}."
            ) from None
        started = time.monotonic()
        job = create_job(channel, path, workers, batch_size, rejects_path)
        try:
            queue_job(job)
        except BrokerUnreachable as error:
            rejects_file.close()
            raise CommandError(f"Cannot queue the import's parts: {error}.") from None
        self.stderr.write(
            f"Import {job.pk}: {job.parts.count()} parts queued for `celery -A omnitron worker`."
        )
        progress = tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            disable=None,
            file=sys.stderr,
            leave=False,
        )
        with progress, rejects_file:
            try:
                parts = wait_for_parts(job, lambda read: progress.update(read - progress.n))
            except ImportPartFailed as error:
                raise CommandError(
                    f"{error} Batches of the other parts landed; run the command again to "
                    f"finish (orders already there are skipped)."
                ) from None
            merge_rejects(parts, rejects_file)
        summary = combined_summary(parts, time.monotonic() - started)
        self._print_summary(summary, channel, rejects_path)

    def _channel(self, channel_id: int) -> Channel:
        try:
            channel = Channel.objects.get(pk=channel_id)
        except Channel.DoesNotExist:
            raise CommandError(f"No channel with id {channel_id}.") from None
        try:
            channel.customer_identifier_field  # noqa: B018 (validates the channel's conf)
        except ValidationError as error:
            raise CommandError(f"Channel {channel_id}: {' '.join(error.messages)}") from None
        return channel

    def _print_summary(self, summary: ImportSummary, channel: Channel, rejects: Path) -> None:
        customers = summary.customers
        self.stdout.write(
            f"Imported into channel {channel.pk} ({channel.name}) in {summary.seconds:.1f} s.\n"
            f"orders: {summary.lines} read, {summary.orders_created} created, "
            f"{summary.orders_present} already present, {summary.rejected} rejected\n"
            f"customers: {customers['created']} created, {customers['updated']} updated, "
            f"{customers['unchanged']} unchanged, {customers['outdated']} outdated "
            f"(one of these per imported order; outdated: older than the customer's "
            f"newest order, not applied)\n"
            f"throughput: {summary.rows_per_second:.0f} orders/s"
        )
        if summary.rejected:
            self.stdout.write(f"rejected lines (line number and reason): {rejects}")


def default_rejects_path(file: str, regular: bool) -> Path:
    """Beside a regular file; in the current directory for standard input, a pipe
    (`<(cat f)` is /dev/fd/63) or a device (/dev/null), beside which nothing belongs."""
    if file == STDIN:
        return Path(STDIN_REJECTS)
    path = Path(file)
    if regular:
        return path.with_name(f"{path.name}.rejects.jsonl")
    return Path(f"{path.name}.rejects.jsonl")
