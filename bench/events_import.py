"""Order import throughput with change events and a webhook subscription draining them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// python bench/events_import.py

Generates one file (bench/generate_orders.py) and imports it into a fresh
channel of the database DATABASE_URL names (use a scratch database), each run
as `manage.py import_orders` would, in its own process, in rounds of:

- audit only: the audit listener that writes events taken out (what the
  import cost before events);
- events: the outbox writes one event per audit record, no subscription;
- events + webhook: a subscription to `customer.*` and `order.*` (batch_size
  100) to a local receiver, with `celery -A omnitron worker -B --concurrency 1`
  running: the import and the deliveries share the machine, as they would in
  production. The receiver (a thread here) stands for an integrator's server
  on its own machine: it keeps connections open (HTTP/1.1), and during the
  import it only stores each request (headers and body); every signature is
  verified and every body read after the import ended, so its work is not
  taken from the import's 2 cores.

Prints orders/s for each, and for the webhook run the time from the import's
end until the receiver had every event (the backlog's drain, from the arrival
times of the requests) and the CPU time of the worker's processes, of its
PostgreSQL backend (a local server) and of the receiver during the import.
Not part of the test suite. The defaults are the issue's run: 100,000
orders, one round of the three side by side.
"""

import argparse
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402

from bench.generate_orders import OrderFileGenerator  # noqa: E402
from bench.proc import cpu_seconds, process_ids, stat_fields  # noqa: E402
from channels.models import Channel, ChannelType  # noqa: E402
from events.models import Event, WebhookSubscription  # noqa: E402
from events.subscriptions import events_matching, new_secret  # noqa: E402
from omnitron.celery import app  # noqa: E402
from tests.webhook_receiver import running_receiver  # noqa: E402

THROUGHPUT = re.compile(r"in ([0-9.]+) s\.")
# The worker's PostgreSQL connections carry this name (libpq's PGAPPNAME).
WORKER_APPLICATION_NAME = "bench-webhook-worker"


def import_in_this_process(channel_id: int, path: str, without_events: bool) -> None:
    """The child's side: one import, as the command runs it; prints the command's summary."""
    if without_events:
        from audit import services
        from events.outbox import record_events_for_audit

        services._listeners.remove(record_events_for_audit)
    call_command("import_orders", "--channel", str(channel_id), path, "--rejects", os.devnull)


def run_import(path: Path, lines: int, label: str, without_events: bool = False) -> float:
    channel = Channel.objects.create(
        name=f"bench events {label} {time.time_ns()}", catalog=1, channel_type=ChannelType.WEB
    )
    command = [sys.executable, __file__, "--child", str(channel.pk), str(path)]
    if without_events:
        command.append("--without-events")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    seconds = float(THROUGHPUT.search(output).group(1))
    # The run added its orders, customers, audit records and events: fresh
    # statistics, as autovacuum would keep them, so that the next run is not
    # planned from the emptier tables. (Not before the first: statistics of
    # empty tables would plan every later lookup as a scan of nothing.)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rate = lines / seconds
    print(f"{label:<28} {lines:>8} lines {seconds:>7.1f} s {rate:>7.0f} orders/s", flush=True)
    return seconds


def start_worker(log: Path) -> subprocess.Popen:
    # Dispatch requests left in the broker's queue by other runs (the runs without
    # a worker here, another benchmark's writes) are not this run's work: without
    # this, the worker spent up to 25 s of CPU on them during the import.
    stale = app.control.purge()
    if stale:
        print(f"{'':<28} {stale} stale dispatch requests purged from the broker", flush=True)
    # The sweep at the service's default period (OMNITRON_WEBHOOK_SWEEP_SECONDS):
    # commits ask for their deliveries; the sweep is the safety net for lost asks.
    env = {
        **os.environ,
        "OMNITRON_WEBHOOK_ALLOW_PRIVATE": "1",
        "PGAPPNAME": WORKER_APPLICATION_NAME,
    }
    env.pop("OMNITRON_WEBHOOK_SWEEP_SECONDS", None)
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "omnitron", "worker", "-B"),
            # One pool process: one subscription is delivered by one worker at a time.
            *("--concurrency", "1", "--loglevel", "WARNING"),
            *("--schedule", str(log.with_suffix(".beat"))),
        ],
        cwd=PROJECT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def group_cpu_seconds(group: int) -> float:
    """CPU time (user and system) of the live processes of a process group (Linux /proc)."""
    total = 0.0
    for pid in process_ids():
        fields = stat_fields(pid)
        if fields is not None and int(fields[2]) == group:  # pgrp
            total += cpu_seconds(fields)
    return total


def backends_cpu_seconds(application_name: str) -> dict[int, float]:
    """CPU time of each PostgreSQL backend of these connections, by pid (a local server, /proc)."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name]
        )
        pids = [pid for (pid,) in cursor.fetchall()]
    seconds = {}
    for pid in pids:
        fields = stat_fields(pid)
        if fields is not None:
            seconds[pid] = cpu_seconds(fields)
    return seconds


class BackendsWatch:
    """The CPU the backends of these connections use meanwhile, read every half second.

    The worker opens a new connection when its last is older than
    DJANGO_CONN_MAX_AGE: a backend that comes later counts from its start,
    one that ends counts up to its last reading.
    """

    def __init__(self, application_name: str):
        self.application_name = application_name
        self.first = backends_cpu_seconds(application_name)
        self.last = dict(self.first)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        try:
            while not self.stopped.wait(0.5):
                self.last.update(backends_cpu_seconds(self.application_name))
        except Exception as error:  # told by stop(), not lost with the thread
            self.error = error
        finally:
            connection.close()  # this thread's own
            self.own_cpu = time.thread_time()

    def stop(self) -> float:
        """The backends' CPU meanwhile; this watcher's own is in `own_cpu` (seconds)."""
        self.stopped.set()
        self.thread.join()
        if getattr(self, "error", None) is not None:
            raise self.error
        self.last.update(backends_cpu_seconds(self.application_name))
        return sum(now - self.first.get(pid, 0.0) for pid, now in self.last.items())


def webhook_round(path: Path, lines: int, workdir: Path, round_: int) -> tuple[float, float]:
    with running_receiver(verify_later=True, keep_alive=True) as receiver:
        subscription = WebhookSubscription.objects.create(
            url=receiver.url,
            event_types=["customer.*", "order.*"],
            batch_size=100,
            secret=new_secret(),
            last_event_id=Event.objects.aggregate(newest=Max("id"))["newest"] or 0,
        )
        receiver.secret = subscription.secret
        worker = start_worker(workdir / f"worker-{round_}.log")
        try:
            time.sleep(3)  # the worker connects first: its start-up is not the import's cost
            cpu = group_cpu_seconds(worker.pid)
            backends = BackendsWatch(WORKER_APPLICATION_NAME)
            receiver_cpu = time.process_time()  # this process: the receiver's threads
            seconds = run_import(path, lines, "events + webhook")
            ended = time.monotonic()
            receiver_cpu = time.process_time() - receiver_cpu
            expected = (
                Event.objects.filter(id__gt=subscription.last_event_id)
                .filter(events_matching(subscription))
                .count()
            )
            while True:
                receiver.verify_stored()
                if len(receiver.events()) >= expected:
                    break
                time.sleep(0.1)
            drain = max(receiver.last_arrival - ended, 0.0)
            cpu = group_cpu_seconds(worker.pid) - cpu
            backend_cpu = backends.stop()
            # This process's CPU is the receiver's threads' and the watcher's.
            receiver_cpu -= backends.own_cpu
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
            WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
        assert all(r.verified for r in receiver.received)
        deliveries = len(receiver.unique_deliveries())
        print(
            f"{'':<28} {expected} events in {deliveries} deliveries, all verified; "
            f"drained {drain:.1f} s after the import ended ({drain / seconds:.2f}x its time); "
            f"the worker's CPU: {cpu:.1f} s ({cpu / expected * 1000:.3f} ms an event), "
            f"its PostgreSQL backend's: {backend_cpu:.1f} s "
            f"({backend_cpu / expected * 1000:.3f} ms an event); "
            f"the receiver's during the import: {receiver_cpu:.2f} s"
        )
        return seconds, drain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--without-events", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import_in_this_process(int(args.child[0]), args.child[1], args.without_events)
        return
    call_command("migrate", verbosity=0)
    call_command("load_locations", stdout=io.StringIO())  # the places the orders ship to
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        path = workdir / "orders.jsonl"
        lines = list(OrderFileGenerator(args.orders, args.customers, seed=1).lines())
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        print(f"{args.orders} orders over {args.customers} customers; {args.rounds} rounds")
        totals: dict[str, list[float]] = {"audit": [], "events": [], "webhook": [], "drain": []}
        for round_ in range(1, args.rounds + 1):
            # Every other round runs the other way round: no run always comes last.
            order = ["audit", "events", "webhook"]
            for kind in order if round_ % 2 else reversed(order):
                if kind == "audit":
                    totals["audit"].append(run_import(path, len(lines), "audit only", True))
                elif kind == "events":
                    totals["events"].append(run_import(path, len(lines), "events"))
                else:
                    seconds, drain = webhook_round(path, len(lines), workdir, round_)
                    totals["webhook"].append(seconds)
                    totals["drain"].append(drain)
        rate = {k: len(lines) * len(v) / sum(v) for k, v in totals.items() if k != "drain"}
        print(
            f"orders/s over all rounds: audit only {rate['audit']:.0f}, events "
            f"{rate['events']:.0f} ({rate['events'] / rate['audit'] - 1:+.1%}), events + webhook "
            f"{rate['webhook']:.0f} ({rate['webhook'] / rate['events'] - 1:+.1%} against events); "
            f"drain after the import: {sum(totals['drain']) / sum(totals['webhook']):.2f}x its time"
        )


if __name__ == "__main__":
    main()
