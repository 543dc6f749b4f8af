"""Production behind nginx, as scripts/serve_production.sh runs it.

nginx reads every request whole before the app sees it, so slow clients hold
no app thread, and its own refusals answer in JSON like the API. The script
runs on a SQLite database of its own, whatever DATABASE_URL says: what is
tested here is the proxy in front of the app. Skipped where Debian's nginx is
not installed (.ci/run installs it).
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
NGINX_PORT = 8560
APP_PORT = 8561
# Fewer app threads than the slow clients below: were their requests passed on
# unfinished, they would leave no thread for the normal request.
APP_THREADS = 2

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="needs Debian's nginx (apt-get install -y nginx; .ci/run installs it)"
)


def request(method, path, token=None, body=None, headers=(), source="127.0.0.1", timeout=10):
    connection = http.client.HTTPConnection(
        "127.0.0.1", NGINX_PORT, timeout=timeout, source_address=(source, 0)
    )
    all_headers = dict(headers)
    if token:
        all_headers["Authorization"] = f"Token {token}"
    if body is not None:
        body = json.dumps(body)
        all_headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def raw_exchange(data: bytes) -> http.client.HTTPResponse:
    """nginx's answer to `data`, sent as it is (a body it announces may never come)."""
    with socket.create_connection(("127.0.0.1", NGINX_PORT), timeout=10) as client:
        client.sendall(data)
        response = http.client.HTTPResponse(client)
        response.begin()
        response.body = response.read()
    return response


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_SECRET_KEY="a-test-secret-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(folder / "static"),
        NGINX_LISTEN=f"127.0.0.1:{NGINX_PORT}",
        APP_PORT=str(APP_PORT),
        GRANIAN_WORKERS="1",
        GRANIAN_BLOCKING_THREADS=str(APP_THREADS),
        RUN_DIR=str(folder / "run"),
    )
    log = folder / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            ["bash", "scripts/serve_production.sh"],
            cwd=PROJECT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_the_app_answers(server, log)
        created = subprocess.run(
            [sys.executable, "manage.py", "create_api_user", "alice", "--audit"],
            cwd=PROJECT,
            env={**env, "DJANGO_ENV": "production"},
            capture_output=True,
            text=True,
            check=True,
        )
        yield created.stdout.split()[-1]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_until_the_app_answers(server, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"serve_production.sh exited with {server.returncode}:\n{log.read_text()}")
        try:
            if request("GET", "/api/v1/channels/", timeout=2)[0] == 401:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"nothing answered through nginx within {timeout} s:\n{log.read_text()}")


def test_a_normal_get_passes_through_nginx(token):
    status, content_type, body = request("GET", "/api/v1/channels/", token)

    assert status == 200
    assert content_type == "application/json"
    assert json.loads(body)["results"] == []


def test_a_too_long_uri_is_a_json_414(token):
    status, content_type, body = request("GET", "/api/v1/channels/?name=" + "a" * 9000, token)

    assert status == 414
    assert content_type == "application/json"
    assert json.loads(body) == {"detail": "Request URI too long: at most 8 KiB."}


def test_a_too_large_header_is_a_json_431(token):
    status, content_type, body = request(
        "GET", "/api/v1/channels/", token, headers={"X-Padding": "a" * 9000}
    )

    assert status == 431
    assert content_type == "application/json"
    assert json.loads(body) == {"detail": "Request header too large: at most 8 KiB a line."}


def test_a_body_over_the_apps_limit_is_a_json_413_before_it_is_sent(token):
    response = raw_exchange(
        b"POST /api/v1/channels/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 3000000\r\n\r\n"
    )

    assert response.status == 413
    assert response.getheader("Content-Type") == "application/json"
    assert json.loads(response.body) == {"detail": "Request body too large: at most 2621440 bytes."}


def test_slow_clients_hold_no_app_thread(token):
    slow = []
    try:
        for _ in range(APP_THREADS):
            unfinished_headers = socket.create_connection(("127.0.0.1", NGINX_PORT))
            unfinished_headers.sendall(b"GET /api/v1/channels/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            short_body = socket.create_connection(("127.0.0.1", NGINX_PORT))
            short_body.sendall(
                b"POST /api/v1/channels/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":1}'
            )
            slow += [unfinished_headers, short_body]
        time.sleep(0.5)

        started = time.monotonic()
        status, _, _ = request("GET", "/api/v1/channels/", token, timeout=5)
        elapsed = time.monotonic() - started
    finally:
        for client in slow:
            client.close()

    assert status == 200
    assert elapsed < 2


def test_audit_records_the_clients_address_not_the_proxys(token):
    # From 127.0.0.2: nginx sees that address, the app sees nginx's 127.0.0.1.
    spoofed = {"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "203.0.113.9"}
    _, _, channel = request(
        "POST",
        "/api/v1/channels/",
        token,
        {"name": "Web shop", "catalog": 1, "channel_type": "web", "conf": {}},
    )
    status, _, customer = request(
        "POST",
        "/api/v1/customers/",
        token,
        {"email": "ayse@example.com", "channel": json.loads(channel)["id"], "channel_code": "C-1"},
        headers=spoofed,
        source="127.0.0.2",
    )
    assert status == 201, customer

    pk = json.loads(customer)["pk"]
    _, _, events = request("GET", f"/api/v1/customers/{pk}/audit_events/", token)

    assert [event["remote_addr"] for event in json.loads(events)["results"]] == ["127.0.0.2"]
