"""The failed-login limit holds across processes: two app servers, one Redis, one count."""

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from http.client import HTTPMessage
from pathlib import Path

import pytest
from django.db import connection

from tests.live_server import wait_until_ready

PROJECT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("OMNITRON_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
# Ports for the two servers, tried in order (8510-8519 on the shared development machine).
PORTS = range(int(os.environ.get("OMNITRON_TEST_PORT_BASE", "8510")), 8520)
LIMIT = 4

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


def redis_answers() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


def free_ports(count: int) -> list[int]:
    found = []
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    pytest.skip(f"no {count} free ports in {PORTS}")


def post_login(port: int, username: str) -> tuple[int, HTTPMessage, dict]:
    body = json.dumps({"username": username, "password": "wrong-password"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login/",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


@pytest.fixture
def two_servers(tmp_path):
    """Two app servers (granian) on the test database, sharing the Redis at REDIS_URL."""
    if not redis_answers():
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    database = connection.settings_dict
    environment = {
        # The replicas' URLs name the database outside tests, not the test database.
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "OMNITRON_")) and k != "DATABASE_REPLICA_URLS"
        },
        "DJANGO_SETTINGS_MODULE": "omnitron.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": REDIS_URL,
        "OMNITRON_LOGIN_FAILURES_PER_USERNAME": str(LIMIT),
        "OMNITRON_LOGIN_FAILURES_PER_ADDRESS": "10000",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = database["PASSWORD"]
    ports = free_ports(2)
    log = tmp_path / "granian.log"
    processes = []
    try:
        for port in ports:
            with log.open("ab") as output:
                processes.append(
                    subprocess.Popen(
                        [
                            str(Path(sys.executable).with_name("granian")),
                            "--interface=wsgi",
                            f"--port={port}",
                            "--workers=1",
                            "omnitron.wsgi:application",
                        ],
                        cwd=PROJECT,
                        env=environment,
                        stdout=output,
                        stderr=output,
                    )
                )
        for process, port in zip(processes, ports, strict=True):
            wait_until_ready(process, f"http://127.0.0.1:{port}/api/v1/docs/", {}, log)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_failed_logins_alternating_between_two_servers_meet_one_limit(two_servers):
    first, second = two_servers
    # A name of its own, so no count left in Redis by an earlier run adds to this one.
    username = f"target-{uuid.uuid4().hex}"

    answers = [post_login(port, username)[0] for port in [first, second] * (LIMIT // 2)]
    # Each server saw LIMIT / 2 failures: only a shared count is at the limit now.
    refused = [post_login(port, username) for port in (first, second)]

    assert answers == [400] * LIMIT
    for status, headers, body in refused:
        assert status == 429
        assert 0 < int(headers["Retry-After"]) <= 900
        assert set(body) == {"detail"}
