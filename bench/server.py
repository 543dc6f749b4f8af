"""The service under gunicorn, as production runs it, on a free loopback port.

Production settings (DJANGO_ENV=production: DEBUG off, a secret key, allowed
hosts) with two exceptions for plain HTTP on loopback: no redirect to HTTPS
(DJANGO_SECURE_SSL_REDIRECT=0) and the baseline of bench/baseline/ mounted
(bench.settings).
Database connections persist (DJANGO_CONN_MAX_AGE), and gthread workers keep
the client's connections alive between requests.
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
    threads: int = 4
    conn_max_age: int = 600

    def describe(self) -> str:
        return (
            f"gunicorn, {self.workers} gthread workers x {self.threads} threads "
            "(one gunicorn each, sharing the port with SO_REUSEPORT), "
            f"DJANGO_ENV=production, CONN_MAX_AGE={self.conn_max_age}s"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(config: ServerConfig) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_CONN_MAX_AGE": str(config.conn_max_age),
        "DJANGO_LOG_LEVEL": "ERROR",
    }


@contextlib.contextmanager
def running_server(config: ServerConfig, ready_path: str, headers: dict[str, str], log: Path):
    """Start the server, wait until `ready_path` answers 200, yield its base URL, stop it.

    One gunicorn per worker, all bound to one port with SO_REUSEPORT, so the
    kernel spreads the load generator's connections over the workers. Under
    one gunicorn with two workers, whichever worker woke first could accept
    all eight kept-alive connections: the run then used one core, and the
    same scenario measured 85 or 170 requests/s from one run to the next.
    Each also listens on a port of its own, to tell when every one is ready.
    """
    port = free_port()
    own_ports = [free_port() for _ in range(config.workers)]
    processes = []
    try:
        for own_port in own_ports:
            command = [
                str(Path(sys.executable).with_name("gunicorn")),
                "omnitron.wsgi:application",
                "--reuse-port",
                f"--bind=127.0.0.1:{port}",
                f"--bind=127.0.0.1:{own_port}",
                "--workers=1",
                f"--threads={config.threads}",
                "--worker-class=gthread",
                "--keep-alive=75",
                "--timeout=120",
                f"--error-logfile={log}",
            ]
            with log.open("ab") as output:
                processes.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env=server_environment(config),
                        stdout=output,
                        stderr=output,
                    )
                )
        for process, own_port in zip(processes, own_ports, strict=True):
            wait_until_ready(process, f"http://127.0.0.1:{own_port}{ready_path}", headers, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(process, url: str, headers: dict[str, str], log: Path, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
        if status_of(url, headers) == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s; see {log}")


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
