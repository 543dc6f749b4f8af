"""Importing a file of marketplace orders, one JSON order a line, batch by batch.

Each batch is one transaction (OrderImportService.import_batch), so a run
that is stopped half-way has landed whole batches only; running the file
again skips the orders already there and finishes the job.
"""

import dataclasses
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import IO

from django.db import IntegrityError, OperationalError

from audit.context import AuditContext
from channels.models import Channel
from orders.order_lines import OrderLine, RejectedLine, parse_order_line
from orders.services import BatchReport, OrderImportService

DEFAULT_BATCH_SIZE = 1000
# A batch that meets a concurrent writer (a customer created over the API in
# between, a deadlock) is rolled back whole and tried again from a fresh read.
ATTEMPTS = 3


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
    """

    def __init__(
        self,
        channel: Channel,
        audit_context: AuditContext,
        rejects: IO[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_progress: Callable[[int, ImportSummary], None] | None = None,
    ):
        self.channel = channel
        self.identifier_field = channel.customer_identifier_field
        self.context = audit_context
        self.rejects = rejects
        self.batch_size = batch_size
        self.on_progress = on_progress or (lambda read_bytes, summary: None)
        self.summary = ImportSummary()

    def run(self, stream: Iterable[bytes]) -> ImportSummary:
        started = time.monotonic()
        batch: list[OrderLine] = []
        read_bytes = 0
        for line_number, raw in enumerate(stream, start=1):
            read_bytes += len(raw)
            if not raw.strip():
                continue
            self.summary.lines += 1
            try:
                batch.append(parse_order_line(raw, line_number, self.identifier_field))
            except RejectedLine as rejected:
                self._reject(line_number, rejected, raw)
            if len(batch) >= self.batch_size:
                self._import(batch)
                batch = []
                self.summary.seconds = time.monotonic() - started
                self.on_progress(read_bytes, self.summary)
        if batch:
            self._import(batch)
        self.summary.seconds = time.monotonic() - started
        self.on_progress(read_bytes, self.summary)
        return self.summary

    def _import(self, batch: list[OrderLine]) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                report = OrderImportService.import_batch(
                    self.channel, batch, self.context, self.identifier_field
                )
                break
            except (IntegrityError, OperationalError):
                if attempt == ATTEMPTS:
                    raise
                forget_rolled_back_keys(batch)
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


def forget_rolled_back_keys(batch: list[OrderLine]) -> None:
    """Clear the primary keys a rolled-back insert gave the batch's objects, to insert anew."""
    for line in batch:
        line.order.pk = None
        for item in line.items:
            item.pk = None
