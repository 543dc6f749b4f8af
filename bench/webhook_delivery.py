"""What delivering one event to a webhook costs the worker, measured in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/webhook_delivery.py

Imports a generated order file once (its events are the backlog), then makes a
subscription to `customer.*` and `order.*` (batch_size 100) to a receiver in
another process (it reads each body and answers 200, so its work is not
counted here) and runs the worker's task body (events.delivery.deliver_pending)
until the backlog is sent. Prints the wall time per event, and the CPU time
of this process and of its PostgreSQL backend (a local server);
`--profile` prints where the time went. Not part of the test suite.
"""

import argparse
import cProfile
import io
import multiprocessing
import os
import pstats
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")
os.environ.setdefault("OMNITRON_WEBHOOK_ALLOW_PRIVATE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402

from bench.generate_orders import OrderFileGenerator  # noqa: E402
from bench.proc import cpu_seconds, stat_fields  # noqa: E402
from channels.models import Channel, ChannelType  # noqa: E402
from events.delivery import deliver_pending  # noqa: E402
from events.models import Event, WebhookDelivery, WebhookSubscription  # noqa: E402
from events.subscriptions import new_secret  # noqa: E402


class _Answer200(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


def _serve(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), _Answer200).serve_forever()


def backend_cpu_seconds() -> float:
    """CPU time of this connection's PostgreSQL backend (a local server, Linux /proc)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return cpu_seconds(stat_fields(pid))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=8_000)
    parser.add_argument("--customers", type=int, default=2_400)
    parser.add_argument("--port", type=int, default=18590)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (pstats)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_locations", stdout=io.StringIO())  # the places the orders ship to
    channel = Channel.objects.create(
        name=f"bench delivery {time.time_ns()}", catalog=1, channel_type=ChannelType.WEB
    )
    first = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.jsonl"
        lines = OrderFileGenerator(args.orders, args.customers, seed=1).lines()
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        call_command(
            "import_orders", "--channel", str(channel.pk), str(path), "--rejects", os.devnull
        )
    events = Event.objects.filter(id__gt=first, type__regex=r"^(customer|order)\.").count()
    receiver = multiprocessing.Process(target=_serve, args=(args.port,), daemon=True)
    receiver.start()
    time.sleep(0.5)
    subscription = WebhookSubscription.objects.create(
        url=f"http://127.0.0.1:{args.port}/hook",
        event_types=["customer.*", "order.*"],
        batch_size=100,
        secret=new_secret(),
        last_event_id=first,
    )
    profile = cProfile.Profile() if args.profile else None
    try:
        on_postgresql = connection.vendor == "postgresql"
        backend = backend_cpu_seconds() if on_postgresql else 0.0
        wall, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        while deliver_pending(subscription.pk):
            pass
        if profile:
            profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        backend = backend_cpu_seconds() - backend if on_postgresql else 0.0
    finally:
        receiver.terminate()
        WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    sent = sum(deliveries.filter(state="delivered").values_list("event_count", flat=True))
    assert sent == events, (sent, events)
    print(
        f"{events} events in {deliveries.count()} deliveries: {wall:.2f} s "
        f"({wall / events * 1000:.3f} ms an event), CPU of this process {cpu:.2f} s "
        f"({cpu / events * 1000:.3f} ms an event), of its PostgreSQL backend {backend:.2f} s "
        f"({backend / events * 1000:.3f} ms an event)"
    )
    if profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(40)


if __name__ == "__main__":
    main()
