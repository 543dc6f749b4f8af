"""Instructions the service's process executes for one request, counted by valgrind.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/apibench \
        .venv/bin/python bench/request_instructions.py "/api/v1/customers/" \
        "/api/v1/customers/?channel=1&is_active=true"

On a machine whose speed drifts (a shared 2-core VM: the same loop of
requests took 30% more or less CPU time from one minute to the next), CPU
seconds cannot tell a 10% change apart. Instructions can: valgrind's
callgrind counts them, the same count for the same code and data whatever
else runs. Each path is served in-process through Django's WSGI handler with
the benchmark's production settings (bench/server.py's environment), warmed
up, then served --requests times inside one `functools.reduce` call, the
only span callgrind counts. The count covers the Python process (Django, DRF,
psycopg2's client side), not PostgreSQL's. Needs valgrind (Debian's package)
and a loaded database (bench/api.py --sizes 10000 leaves one). Not part of
the test suite.
"""

import argparse
import functools
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARMUP_REQUESTS = 30


def serve(path: str, requests: int) -> None:
    """Under valgrind: warm `path` up, then serve it `requests` times in the counted span."""
    sys.path.insert(0, str(ROOT))
    from bench.server import ServerConfig, server_environment

    os.environ.update(server_environment(ServerConfig()))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from bench.api import bench_token

    token = bench_token()
    application = WSGIHandler()
    route, _, query = path.partition("?")

    def request(*_):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Token {token}",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        status = []
        b"".join(application(environ, lambda line, headers, *_: status.append(line)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{path} answered {status[0]}")

    for _ in range(WARMUP_REQUESTS):
        request()
    functools.reduce(request, range(requests), None)


def count(path: str, requests: int) -> int:
    """Instructions of `requests` requests of `path`, as callgrind counts them."""
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--serve",
            path,
            "--requests",
            str(requests),
        ],
        capture_output=True,
        text=True,
        # The same hashes in every run: a dict's layout changes the count a little.
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        raise SystemExit(f"{path}: valgrind failed\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.paths[0], arguments.requests)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    for path in arguments.paths:
        instructions = count(path, arguments.requests) / arguments.requests
        print(f"{path}: {instructions / 1e6:.2f} M instructions a request", flush=True)


if __name__ == "__main__":
    main()
