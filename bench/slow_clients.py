"""Slow clients against the production recipe: nginx in front of the app, and the app alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/slowbench \\
        .venv/bin/python bench/slow_clients.py --markdown

Starts scripts/serve_production.sh (nginx on --nginx-port, the app (granian)
with its production settings on --app-port; the database is migrated, nothing else
is written but one API user). Then, for each side, through nginx and straight
to the app's port: --slow-clients connections that are slow in three ways
(headers a byte at a time, a body shorter than its Content-Length, a large
response read a little at a time), reconnecting whenever the server drops
them, while one client sends a normal authenticated GET after another for
--duration seconds. Prints the GETs' p50 and p99 (a GET that times out after
--timeout seconds counts as that long) beside the same GETs with no slow
client. Goal: p99 under 100 ms behind nginx. --markdown writes the table as
its section of bench/results.md.
"""

import argparse
import contextlib
import dataclasses
import http.client
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

SECTION = "Slow clients, with and without nginx (bench/slow_clients.py)"
NORMAL_GET = "/api/v1/channels/"
# Large enough (about 1.4 MB) to fill the socket buffers of a client that reads slowly.
LARGE_RESPONSE = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
GOAL_P99_MS = 100


@dataclasses.dataclass(frozen=True)
class Latencies:
    side: str
    slow_clients: int
    samples: list[float]
    timeouts: int

    def percentile(self, share: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def row(self) -> str:
        return (
            f"| {self.side} | {self.slow_clients} | {len(self.samples)} "
            f"| {statistics.median(self.samples) * 1000:.1f} | {self.percentile(0.99):.1f} "
            f"| {max(self.samples) * 1000:.1f} | {self.timeouts} |"
        )


def slow_client(kind: str, port: int, stop: threading.Event) -> None:
    """One connection slow in its `kind` of way, made again whenever the server drops it."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
                if kind == "headers":
                    for byte in f"GET {NORMAL_GET} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ".encode():
                        conn.sendall(bytes([byte]))
                        if stop.wait(0.5):
                            return
                    while not stop.wait(0.5):
                        conn.sendall(b"a")
                elif kind == "body":
                    conn.sendall(
                        f"POST {NORMAL_GET} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                        '{"a": 1}'.encode()
                    )
                    while not stop.wait(0.5):
                        conn.settimeout(0.01)
                        with contextlib.suppress(TimeoutError):
                            if not conn.recv(1):
                                break
                else:  # reads a large response a little at a time
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                    conn.sendall(
                        f"GET {LARGE_RESPONSE} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
                    )
                    while not stop.wait(0.5):
                        if not conn.recv(512):
                            break
        except OSError:
            stop.wait(0.2)


def normal_gets(port: int, token: str, duration: float, timeout: float) -> tuple[list[float], int]:
    samples, timeouts = [], 0
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("GET", NORMAL_GET, headers={"Authorization": f"Token {token}"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{NORMAL_GET} answered {response.status}")
        except (TimeoutError, ConnectionError, http.client.HTTPException):
            timeouts += 1
            samples.append(timeout)
            continue
        finally:
            connection.close()
        samples.append(time.monotonic() - started)
        time.sleep(0.05)
    return samples, timeouts


def measure(side: str, port: int, token: str, slow: int, args) -> Latencies:
    stop = threading.Event()
    kinds = ["headers", "body", "read"]
    threads = [
        threading.Thread(target=slow_client, args=(kinds[i % 3], port, stop), daemon=True)
        for i in range(slow)
    ]
    for thread in threads:
        thread.start()
    try:
        if slow:
            time.sleep(2)  # every slow client connected and started
        samples, timeouts = normal_gets(port, token, args.duration, args.timeout)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
    result = Latencies(side, slow, samples, timeouts)
    print(result.row(), flush=True)
    return result


@contextlib.contextmanager
def production(args, run_dir: Path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="ERROR",
        DJANGO_STATIC_ROOT=str(run_dir / "static"),
        NGINX_LISTEN=f"127.0.0.1:{args.nginx_port}",
        APP_PORT=str(args.app_port),
        RUN_DIR=str(run_dir / "run"),
    )
    log = run_dir / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            ["bash", "scripts/serve_production.sh"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(args.nginx_port, server, log)
        created = subprocess.run(
            [sys.executable, "manage.py", "create_api_user", "slowbench", "--read-only"],
            cwd=ROOT,
            env={**env, "DJANGO_ENV": "production"},
            capture_output=True,
            text=True,
            check=True,
        )
        yield created.stdout.split()[-1]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def wait_for(port: int, server, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"serve_production.sh exited; see {log}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", NORMAL_GET)
            if connection.getresponse().status == 401:
                return
        time.sleep(0.3)
    raise RuntimeError(f"nothing answered on {port} within {timeout} s; see {log}")


def report(results: list[Latencies], args) -> str:
    behind = [r for r in results if r.side.startswith("nginx") and r.slow_clients]
    verdict = (
        "met" if behind and all(r.percentile(0.99) < GOAL_P99_MS for r in behind) else "not met"
    )
    return "\n".join(
        [
            f"{args.slow_clients} slow clients (a third each: headers a byte every 0.5 s, a body "
            f"of 8 bytes promised as 100, {LARGE_RESPONSE.rsplit('/', 1)[1]} read 512 bytes "
            f"every 0.5 s), reconnecting when dropped, while one client sends `GET {NORMAL_GET}` "
            f"with a token, one after another, for {args.duration:g} s a side. A GET that gets "
            f"no answer in {args.timeout:g} s counts as {args.timeout:g} s.",
            "",
            "| side | slow clients | GETs | p50 ms | p99 ms | max ms | timed out |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(r.row() for r in results),
            "",
            f"Goal: p99 under {GOAL_P99_MS} ms behind nginx with the slow clients: {verdict}.",
            "",
            "Server: scripts/serve_production.sh (deploy/nginx.conf.template, "
            "deploy/app_server.sh: granian, 3 workers x 2 threads); "
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
            f"Load average {os.getloadavg()[0]:.2f} at the end. Database: "
            f"{os.environ['DATABASE_URL'].split(':', 1)[0]}, on the same machine. "
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nginx-port", type=int, default=8550)
    parser.add_argument("--app-port", type=int, default=8551)
    parser.add_argument("--slow-clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20, help="Seconds of GETs a side.")
    parser.add_argument("--timeout", type=float, default=10, help="Seconds a GET may take.")
    parser.add_argument("--markdown", action="store_true", help="Write bench/results.md.")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        parser.error("set DATABASE_URL (a scratch database: it is migrated)")

    results = []
    with (
        tempfile.TemporaryDirectory(prefix="slowbench-") as folder,
        production(args, Path(folder)) as token,
    ):
        print("| side | slow clients | GETs | p50 ms | p99 ms | max ms | timed out |")
        for side, port in [
            ("nginx -> granian", args.nginx_port),
            ("granian alone", args.app_port),
        ]:
            results.append(measure(side, port, token, 0, args))
            results.append(measure(side, port, token, args.slow_clients, args))
    text = report(results, args)
    print("\n" + text)
    if args.markdown:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
