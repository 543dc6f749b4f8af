"""The service under granian, as production runs it, on a free loopback port.

Production settings (DJANGO_ENV=production: DEBUG off, a secret key, allowed
hosts) with two exceptions for plain HTTP on loopback: no redirect to HTTPS
(DJANGO_SECURE_SSL_REDIRECT=0) and the baseline of bench/baseline/ mounted
(bench.settings).
Database connections persist (DJANGO_CONN_MAX_AGE), and granian keeps the
client's connections alive between requests.
"""

import contextlib
import dataclasses
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class ServerConfig:
    workers: int = 2
    threads: int = 2
    conn_max_age: int = 600

    def describe(self) -> str:
        return (
            f"granian (deploy/app_server.sh), {self.workers} workers x {self.threads} "
            f"blocking threads, DJANGO_ENV=production, CONN_MAX_AGE={self.conn_max_age}s"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(config: ServerConfig) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_CONN_MAX_AGE": str(config.conn_max_age),
        "DJANGO_LOG_LEVEL": "ERROR",
        "GRANIAN_WORKERS": str(config.workers),
        "GRANIAN_BLOCKING_THREADS": str(config.threads),
        # No line per request: the benchmark's own reports count them.
        "GRANIAN_LOG_ACCESS_ENABLED": "false",
    }


@contextlib.contextmanager
def running_server(config: ServerConfig, ready_path: str, headers: dict[str, str], log: Path):
    """Start the server, wait until `ready_path` answers 200, yield its base URL, stop it."""
    port = free_port()
    environment = {**server_environment(config), "GRANIAN_PORT": str(port)}
    with log.open("ab") as output:
        process = subprocess.Popen(
            ["sh", "deploy/app_server.sh"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=output,
        )
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}{ready_path}", headers, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_ready(process, url: str, headers: dict[str, str], log: Path, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        if status_of(url, headers) == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {timeout} s; see {log}")


def status_of(url: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None):
    """The HTTP status `url` answers, or None when nothing answers."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError):
        return None
