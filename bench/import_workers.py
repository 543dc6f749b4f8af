"""The order import on Celery workers: one process against `--workers 1` and `--workers 2`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// \\
        .venv/bin/python bench/import_workers.py --orders 20000 --customers 6000

Generates a file (tests/order_files.py), then imports it into a fresh channel
of the database DATABASE_URL names (migrated first; use a scratch database)
three ways: `import_orders` in one process (parsing in a second process),
and `import_orders --workers N` with N `celery -A omnitron worker --pool
solo` processes this script starts (and stops) against the same database
and broker. Prints orders per second for each. Not part of the test suite.
"""

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from channels.models import Channel, ChannelType  # noqa: E402
from tests.order_files import OrderFileGenerator  # noqa: E402


def new_channel(name: str) -> Channel:
    return Channel.objects.create(
        name=f"bench {name} {time.time_ns()}", catalog=1, channel_type=ChannelType.WEB
    )


def start_workers(count: int, folder: Path) -> list[subprocess.Popen]:
    workers = []
    for index in range(count):
        log = folder / f"worker-{index}.log"
        workers.append(
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "omnitron", "worker"),
                    *("--pool", "solo", "--loglevel", "INFO", "--without-mingle"),
                    *("--without-gossip", "--hostname", f"bench-{os.getpid()}-{index}@%h"),
                ],
                cwd=PROJECT,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            if time.monotonic() > deadline or workers[-1].poll() is not None:
                stop_workers(workers)
                raise SystemExit(f"worker {index} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=30)


def import_file(path: Path, *extra: str) -> str:
    out = io.StringIO()
    channel = new_channel(" ".join(extra) or "one process")
    call_command(
        "import_orders",
        "--channel",
        str(channel.pk),
        str(path),
        "--rejects",
        str(path.with_suffix(".rejects")),
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def timed(label: str, lines: int, run) -> float:
    started = time.perf_counter()
    output = run()
    seconds = time.perf_counter() - started
    load = os.getloadavg()[0]
    counts = output.splitlines()[1]
    print(
        f"{label:<28} {lines:>7} lines {seconds:>7.1f} s {lines / seconds:>6.0f} orders/s"
        f"  (load {load:.1f}; {counts})",
        flush=True,
    )
    return lines / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=6_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_locations", stdout=io.StringIO())  # the places the orders ship to
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = folder / "orders.jsonl"
        lines = list(OrderFileGenerator(args.orders, args.customers, seed=1).lines())
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        print(f"{len(lines)} lines, {args.orders} orders over {args.customers} customers")
        for _ in range(args.rounds):
            timed("one process", len(lines), lambda: import_file(path))
            for count in (1, 2):
                workers = start_workers(count, folder)
                try:
                    timed(
                        f"--workers {count}",
                        len(lines),
                        lambda count=count: import_file(path, "--workers", str(count)),
                    )
                finally:
                    stop_workers(workers)


if __name__ == "__main__":
    main()
