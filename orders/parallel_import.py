"""An order file imported by Celery workers: `import_orders FILE --workers N`.

The file is cut into N byte ranges that start at a line start; each range is
an ImportPart, imported by one task (orders.tasks.import_part) running the
same OrderFileImporter over its lines, numbered as in the file. What keeps
the end state that of one process: imports of one channel take turns batch
by batch, an order whose number the channel has is skipped with its customer
data, and a customer keeps the data of its newest order (by date, then line:
it carries its data's line, with the file's key, ImportJob.file_key)
whichever batch lands first. A task is acknowledged after it ran, so the
part of a worker that died is run again by another: its landed batches are
skipped, the batch in flight was rolled back.

The workers open the file by its absolute path: they run on this machine,
or see the same path on a shared disk.
"""

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from django.db import transaction

from audit.context import AuditContext
from audit.models import Source
from channels.models import Channel
from orders.importer import ImportSummary, OrderFileImporter, file_key
from orders.models import ImportJob, ImportPart

READ_SIZE = 1 << 20
POLL_SECONDS = 0.25


class ImportPartFailed(Exception):
    def __init__(self, part: ImportPart):
        super().__init__(f"Part {part.index} (from line {part.first_line}) failed: {part.error}")
        self.part = part


def split_file(path: Path, parts: int) -> list[tuple[int, int, int]]:
    """Up to `parts` (start, end, first line number) byte ranges of whole lines, in order."""
    size = path.stat().st_size
    starts = [0]
    with path.open("rb") as file:
        for index in range(1, parts):
            file.seek(max(size * index // parts - 1, starts[-1]))
            file.readline()  # to the start of the next line
            starts.append(min(file.tell(), size))
        starts.append(size)
        first_lines, line, read = [], 1, 0
        file.seek(0)
        for start in starts[:-1]:
            while read < start:
                block = file.read(min(READ_SIZE, start - read))
                line += block.count(b"\n")
                read += len(block)
            first_lines.append(line)
    return [
        (start, end, first_line)
        for start, end, first_line in zip(starts, starts[1:], first_lines, strict=False)
        if end > start
    ]


def lines_between(file: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """The lines of `file` from byte `start` (a line start) to byte `end`."""
    file.seek(start)
    position = start
    for raw in file:
        if position >= end:
            return
        yield raw
        position += len(raw)


def create_job(
    channel: Channel, path: Path, parts: int, batch_size: int, rejects: Path
) -> ImportJob:
    """The job and its parts (orders.tasks.queue_job queues them).

    Each part writes its rejects to `rejects`.partN; merge_rejects joins them.
    """
    path = path.resolve()
    rejects = rejects.resolve()
    with transaction.atomic():
        job = ImportJob.objects.create(
            channel=channel,
            path=str(path),
            file_key=file_key(path),
            batch_size=batch_size,
            request_id=f"import-{uuid.uuid4().hex}",
        )
        ImportPart.objects.bulk_create(
            ImportPart(
                job=job,
                index=index,
                start=start,
                end=end,
                first_line=first_line,
                rejects_path=f"{rejects}.part{index}",
            )
            for index, (start, end, first_line) in enumerate(split_file(path, parts))
        )
    return job


def run_part(part_id: int, request_id: str, worker: str) -> None:
    """Import one part's lines (the task's body); record what it did on the part.

    A message whose part is not of the job it names (a database rebuilt
    since it was queued) is dropped.
    """
    part = ImportPart.objects.select_related("job__channel").filter(pk=part_id).first()
    if part is None or part.job.request_id != request_id:
        return
    ImportPart.objects.filter(pk=part.pk).update(
        state=ImportPart.State.RUNNING, attempts=part.attempts + 1, worker=worker, error=""
    )
    job = part.job
    context = AuditContext(source=Source.IMPORT, request_id=job.request_id)

    def report_progress(read_bytes: int, summary: ImportSummary) -> None:
        ImportPart.objects.filter(pk=part.pk).update(read_bytes=read_bytes)

    # The worker's task is the second process: it parses the lines itself.
    with open(job.path, "rb") as file, open(part.rejects_path, "w", encoding="utf-8") as rejects:
        importer = OrderFileImporter(
            job.channel,
            context,
            rejects,
            job.batch_size,
            on_progress=report_progress,
            file_key=job.file_key,
        )
        summary = importer.run(lines_between(file, part.start, part.end), part.first_line)
    ImportPart.objects.filter(pk=part.pk).update(
        state=ImportPart.State.DONE,
        read_bytes=part.end - part.start,
        lines=summary.lines,
        orders_created=summary.orders_created,
        orders_present=summary.orders_present,
        rejected=summary.rejected,
        customers={outcome.value: count for outcome, count in summary.customers.items()},
    )


def mark_part_failed(part_id: int, error: BaseException) -> None:
    ImportPart.objects.filter(pk=part_id).update(
        state=ImportPart.State.FAILED, error=f"{type(error).__name__}: {error}"
    )


def wait_for_parts(
    job: ImportJob, on_progress: Callable[[int], None] = lambda read_bytes: None
) -> list[ImportPart]:
    """The job's parts once each is done; raises ImportPartFailed for the first that failed.

    Waits as long as the parts wait for workers: a part is redone, not lost,
    when its worker dies.
    """
    while True:
        parts = list(job.parts.all())
        on_progress(sum(part.read_bytes for part in parts))
        finished = {ImportPart.State.DONE, ImportPart.State.FAILED}
        if all(part.state in finished for part in parts):
            for part in parts:
                if part.state == ImportPart.State.FAILED:
                    raise ImportPartFailed(part)
            return parts
        time.sleep(POLL_SECONDS)


def combined_summary(parts: list[ImportPart], seconds: float) -> ImportSummary:
    customers: Counter = Counter()
    for part in parts:
        customers.update(part.customers)
    return ImportSummary(
        lines=sum(part.lines for part in parts),
        orders_created=sum(part.orders_created for part in parts),
        orders_present=sum(part.orders_present for part in parts),
        rejected=sum(part.rejected for part in parts),
        customers=customers,
        seconds=seconds,
    )


def merge_rejects(parts: list[ImportPart], rejects: IO[str]) -> None:
    """The parts' rejects into `rejects`, by line number; the parts' files removed."""
    records = []
    for part in parts:
        path = Path(part.rejects_path)
        with path.open(encoding="utf-8") as file:
            records.extend((json.loads(text)["line"], text) for text in file)
        path.unlink()
    for _, text in sorted(records, key=lambda record: record[0]):
        rejects.write(text)
