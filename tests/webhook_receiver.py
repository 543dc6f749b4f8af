"""A tiny webhook receiver for the tests: verifies each delivery as an integrator would.

Runs in a thread on one of the ports the tests may use; records every request
(a resend included) and answers `status`, after `delay` seconds, over HTTP/1.0
(a connection per request), or HTTP/1.1 with `keep_alive`. With
`verify_later`, a request is only stored as it came (headers, body, arrival
time) and verified and read when `verify_stored()` is called: a benchmark's
receiver then costs the machine it shares next to nothing while it measures,
as a receiver on its own machine would.
"""

import contextlib
import dataclasses
import json
import os
import threading
import time
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# This project's ports for webhook tests: the receivers take the first seven,
# test_webhook_workers.py the next two. Another base keeps parallel runs apart.
PORT_BASE = int(os.environ.get("OMNITRON_TEST_WEBHOOK_PORT_BASE", "8590"))
PORTS = range(PORT_BASE, PORT_BASE + 7)
# Standard Webhooks refuses a timestamp older than 5 minutes: stored requests are
# verified before they are that old, even if nobody has asked yet.
VERIFY_WITHIN_SECONDS = 240


@dataclasses.dataclass
class Received:
    webhook_id: str
    events: list[dict]
    verified: bool
    body: bytes


class Receiver:
    def __init__(self, verify_later: bool = False):
        self.verify_later = verify_later
        # The client address of each request: one per connection it came on.
        self.peers: list[tuple[str, int]] = []
        # With keep_alive: close each connection after the answer without saying so,
        # as a server whose idle timeout ended does.
        self.close_after_answer = False
        # (headers, body, time.monotonic() at arrival) of requests not read yet.
        self.stored: list[tuple[Message, bytes, float]] = []
        self.last_arrival = 0.0
        self.secret: str | None = None
        self.status = 200
        self.delay = 0.0
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.request_started = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks/omnitron?source=test"

    def handle(self, headers, body: bytes) -> int:
        self.request_started.set()
        if self.verify_later:
            with self.lock:
                self.stored.append((headers, body, time.monotonic()))
                due = time.monotonic() - self.stored[0][2] > VERIFY_WITHIN_SECONDS
            if due:
                self.verify_stored()
            return self.status
        self._verify(headers, body)
        return self.status

    def verify_stored(self) -> None:
        """Verify and read the requests stored so far (`verify_later`), in arrival order."""
        with self.lock:
            stored, self.stored = self.stored, []
        for headers, body, arrival in stored:
            self._verify(headers, body)
            self.last_arrival = arrival

    def _verify(self, headers, body: bytes) -> None:
        try:
            Webhook(self.secret).verify(body, dict(headers))
            verified = True
        except (WebhookVerificationError, TypeError, ValueError):
            verified = False
        payload = json.loads(body)
        with self.lock:
            self.received.append(
                Received(headers["webhook-id"], payload["data"]["events"], verified, body)
            )

    def unique_deliveries(self) -> dict[str, Received]:
        """Deliveries by webhook-id, as a receiver that deduplicates keeps them."""
        with self.lock:
            return {r.webhook_id: r for r in self.received}

    def events(self) -> list[dict]:
        """The events of the unique deliveries, in the order they first arrived."""
        seen, events = set(), []
        with self.lock:
            for delivery in self.received:
                if delivery.webhook_id not in seen:
                    seen.add(delivery.webhook_id)
                    events.extend(delivery.events)
        return events


@contextlib.contextmanager
def running_receiver(verify_later: bool = False, keep_alive: bool = False):
    receiver = Receiver(verify_later)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

        def do_POST(self):
            receiver.peers.append(self.client_address)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = receiver.handle(self.headers, body)
            if receiver.delay:
                threading.Event().wait(receiver.delay)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if receiver.close_after_answer:
                self.close_connection = True

        def log_message(self, format, *args):
            pass

    for port in PORTS:
        try:
            receiver.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
            break
        except OSError:
            continue
    else:
        raise RuntimeError(f"No free port in {PORTS}")
    receiver.server.daemon_threads = True
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
