"""Importing a file of marketplace orders, one JSON order a line, batch by batch.

Each batch is one transaction (OrderImportService.import_batch), so a run
that is stopped half-way has landed whole batches only; running the file
again skips the orders already there and finishes the job.
"""

import contextlib
import dataclasses
import gc
import hashlib
import json
import multiprocessing
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection

from audit.context import AuditContext
from channels.models import Channel
from orders.order_lines import OrderLine, RejectedLine, parse_order_line
from orders.places import PlaceResolver
from orders.services import BatchReport, OrderImportService

DEFAULT_BATCH_SIZE = 1000
# A batch that meets a concurrent writer (a customer created over the API in
# between, a deadlock) is rolled back whole and tried again from a fresh read.
ATTEMPTS = 3
# A short first chunk: the writes start while the next chunk is parsed, not after.
FIRST_CHUNK_SIZE = 100
# Allocations between two collections of the youngest objects during a run (Python's
# default: 700). A batch holds a few hundred thousand objects alive while it is
# written, and each collection of the oldest walks them all: with the default, the
# collector took a sixth of the writer's time. The rows are freed by their reference
# counts as ever; only reference cycles wait a little longer.
RUN_GC_THRESHOLD = 50_000
READ_SIZE = 1 << 20


@dataclasses.dataclass
class ImportSummary:
    lines: int = 0
    orders_created: int = 0
    orders_present: int = 0
    rejected: int = 0
    customers: Counter = dataclasses.field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0

    def add(self, report: BatchReport) -> None:
        self.orders_created += report.orders_created
        self.orders_present += report.orders_present
        self.customers.update(report.customers)


class OrderFileImporter:
    """Reads lines, rejects the bad ones to `rejects`, imports the rest in batches.

    `rejects` receives one JSON object a line: {"line": n, "reason": ..., "errors":
    {field: [messages]}, "text": the line as read}, so a fixed copy can be
    imported again.

    `file_key`: file_key of the file the lines come from (none for a stream
    that is not a file): its customers' data remembers its line, so that of
    two orders of one date the later line's data stays whichever lands last.
    """

    def __init__(
        self,
        channel: Channel,
        audit_context: AuditContext,
        rejects: IO[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_progress: Callable[[int, ImportSummary], None] | None = None,
        parse_in_worker: bool = False,
        file_key: int | None = None,
    ):
        self.channel = channel
        self.file_key = file_key
        self.identifier_field = channel.customer_identifier_field
        # A line is what one API request would send: no more than its body may hold.
        self.max_line_bytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        self.context = audit_context
        self.rejects = rejects
        self.batch_size = batch_size
        self.on_progress = on_progress or (lambda read_bytes, summary: None)
        self.read_bytes = 0
        self.parse_in_worker = parse_in_worker
        self.summary = ImportSummary()
        # Read once a run: most orders ship to places the run has seen already.
        self.places = PlaceResolver(channel.pk)

    def run(self, stream: Iterable[bytes], first_line: int = 1) -> ImportSummary:
        """Import every line of `stream`; chunks are parsed one ahead of the writes.

        `first_line`: the number of the stream's first line in its file (a part
        of a file read by a worker), so its rejects name the file's lines.

        With `parse_in_worker`, a second process reads the next chunk while this
        one writes the last: the two costs overlap instead of adding up.
        """
        started = time.monotonic()
        with _fewer_collections(), self._parser() as parse:
            pending: deque = deque()
            first_size = min(self.batch_size, FIRST_CHUNK_SIZE)
            chunks = read_chunks(stream, self.batch_size, first_size, first_line)
            for chunk, chunk_bytes in chunks:
                self.summary.lines += len(chunk)
                parsed = parse(chunk, self.identifier_field, self.max_line_bytes)
                pending.append((parsed, chunk_bytes))
                if len(pending) > 1:
                    self._write(*pending.popleft(), started)
            while pending:
                self._write(*pending.popleft(), started)
        return self.summary

    def _parser(self):
        # On SQLite (the embedded development database) the worker has been seen
        # to hang under the test runner; it parses in this process there.
        if not self.parse_in_worker or connection.vendor != "postgresql":
            return contextlib.nullcontext(_parsed_now)
        return _worker_parser()

    def _write(self, parsed, chunk_bytes: int, started: float) -> None:
        lines, rejected = parsed()
        for line_number, errors, raw in rejected:
            self._reject(line_number, RejectedLine(errors), raw)
        if lines:
            self._import(lines)
        self.summary.seconds = time.monotonic() - started
        self.read_bytes += chunk_bytes
        self.on_progress(self.read_bytes, self.summary)

    def _import(self, batch: list[OrderLine]) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                report = OrderImportService.import_batch(
                    self.channel,
                    batch,
                    self.context,
                    self.identifier_field,
                    self.places,
                    file_key=self.file_key,
                )
                break
            except (IntegrityError, OperationalError):
                if attempt == ATTEMPTS:
                    raise
        self.summary.add(report)
        for line, rejected in report.rejected:
            self._reject(line.line_number, rejected, line.text)

    def _reject(self, line_number: int, rejected: RejectedLine, raw: bytes) -> None:
        self.summary.rejected += 1
        record = {
            "line": line_number,
            "reason": rejected.reason,
            "errors": rejected.errors,
            "text": raw.decode("utf-8", errors="replace").rstrip("\r\n"),
        }
        self.rejects.write(json.dumps(record, ensure_ascii=False) + "\n")


def file_key(path: Path) -> int:
    """A key of the file's content, as a signed 64-bit integer (a bigint column).

    Runs of one file (its parts on workers, a rerun after a stop) share it, so
    their lines can be compared by number; another file's lines cannot.
    """
    digest = hashlib.blake2b(digest_size=8)
    with path.open("rb") as file:
        while block := file.read(READ_SIZE):
            digest.update(block)
    return int.from_bytes(digest.digest(), "big", signed=True)


@contextlib.contextmanager
def _fewer_collections():
    """Collect cycles less often while the run lasts (see RUN_GC_THRESHOLD)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(RUN_GC_THRESHOLD, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def read_chunks(
    stream: Iterable[bytes], size: int, first_size: int | None = None, first_line: int = 1
):
    """(chunk, bytes read) pairs; a chunk is up to `size` (line number, text) non-blank lines.

    The first chunk holds up to `first_size`: writing starts as soon as it is parsed.
    """
    chunk: list[tuple[int, bytes]] = []
    read = 0
    limit = first_size or size
    for line_number, raw in enumerate(stream, start=first_line):
        read += len(raw)
        if raw.strip():
            chunk.append((line_number, raw))
        if len(chunk) >= limit:
            yield chunk, read
            chunk, read, limit = [], 0, size
    if chunk or read:
        yield chunk, read


def parse_chunk(
    chunk: list[tuple[int, bytes]], identifier_field: str, max_line_bytes: int | None = None
):
    """The chunk's orders, and (line number, errors, text) of the lines rejected."""
    lines, rejected = [], []
    for line_number, raw in chunk:
        try:
            lines.append(parse_order_line(raw, line_number, identifier_field, max_line_bytes))
        except RejectedLine as error:
            rejected.append((line_number, error.errors, raw))
    return lines, rejected


def _parsed_now(chunk, identifier_field, max_line_bytes):
    result = parse_chunk(chunk, identifier_field, max_line_bytes)
    return lambda: result


@contextlib.contextmanager
def _worker_parser():
    """Parse in one other process; results come back in the order asked for."""
    with multiprocessing.Pool(processes=1, initializer=_setup_worker) as pool:

        def parse(chunk, identifier_field, max_line_bytes):
            return pool.apply_async(parse_chunk, (chunk, identifier_field, max_line_bytes)).get

        yield parse


def _setup_worker() -> None:
    import django

    django.setup()
