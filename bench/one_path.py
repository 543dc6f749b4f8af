"""One path under load, with the CPU a request costs each process: the server, PostgreSQL, wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:6432/apibench10m \
        .venv/bin/python bench/one_path.py "/api/v1/customers/?email__startswith=zeynep.demir"

Serves the service as bench/api.py does (bench/server.py: granian, production
settings, the environment passed on, so a setting such as
OMNITRON_OVER_LIMIT_COUNT_SECONDS can be set for one run), warms each path
up for 3 s, then loads it with wrk for --duration seconds and prints its
req/s, p50, and the CPU time a request cost the server's processes, the
PostgreSQL backends of DATABASE_URL's database and wrk (from /proc, so only
on Linux and with PostgreSQL on this machine). For a question about one
scenario (one filter at two table sizes, a setting on and off) without
bench/api.py's whole run. Not part of the test suite.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from bench.api import bench_token  # noqa: E402
from bench.load import parse_wrk, wrk_path  # noqa: E402
from bench.proc import cpu_seconds, process_ids, stat_fields  # noqa: E402
from bench.server import ServerConfig, running_server  # noqa: E402


def cpu_seconds_by_kind(database: str) -> dict[tuple[str, int], float]:
    """CPU seconds so far of every server, wrk and `database` backend process, by (kind, pid)."""
    seconds = {}
    for pid in process_ids():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "granian" in command:
            kind = "granian"
        elif command.startswith("postgres:") and f" {database} " in command:
            kind = "postgres"
        elif Path(command.split(" ")[0]).name == "wrk":
            kind = "wrk"
        else:
            continue
        fields = stat_fields(pid)
        if fields is not None:
            seconds[kind, pid] = cpu_seconds(fields)
    return seconds


def wrk(url: str, token: str, seconds: float) -> list[str]:
    return [
        wrk_path(),
        "--threads=2",
        "--connections=8",
        f"--duration={round(seconds)}s",
        "--latency",
        "--header",
        f"Authorization: Token {token}",
        url,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--duration", type=float, default=10)
    args = parser.parse_args()
    token = bench_token()
    database = connection.settings_dict["NAME"]
    log = Path(tempfile.gettempdir()) / "one-path-server.log"
    with running_server(
        ServerConfig(), args.paths[0], {"Authorization": f"Token {token}"}, log
    ) as base:
        for path in args.paths:
            subprocess.run(wrk(base + path, token, 3), capture_output=True, check=True)
            before, started = cpu_seconds_by_kind(database), time.monotonic()
            load = subprocess.Popen(
                wrk(base + path, token, args.duration), stdout=subprocess.PIPE, text=True
            )
            # Read just before wrk ends, while its process (and its CPU) is still there.
            time.sleep(max(0.5, args.duration - 0.5))
            during, elapsed = cpu_seconds_by_kind(database), time.monotonic() - started
            result = parse_wrk(load.communicate()[0])
            requests = result.requests_per_second * elapsed
            spent: dict[str, float] = {}
            for (kind, pid), value in during.items():
                spent[kind] = spent.get(kind, 0.0) + value - before.get((kind, pid), 0.0)
            per_request = ", ".join(
                f"{kind} {1000 * spent[kind] / requests:.2f}" for kind in sorted(spent)
            )
            print(
                f"{path}: {result.requests_per_second:.0f} req/s, p50 {result.p50_ms:.1f} ms; "
                f"CPU a request (ms): {per_request}"
            )


if __name__ == "__main__":
    main()
