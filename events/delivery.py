"""Delivering events to webhook subscriptions: batches, Standard Webhooks signatures, retries.

One worker at a time works on a subscription (a row lock taken with SKIP
LOCKED; others move on), and a new delivery, made from the next events after
its cursor, is opened only when none is open: batches go out in event order,
each after the one before it was answered (a failed delivery retried by hand
goes out before the next new one). A delivery is committed, with the cursor
moved past its events, before its first attempt, so a worker that dies while
sending leaves it open and the next worker sends the same message, with the
same `webhook-id`, again: the same events (the delivery keeps their ids),
written afresh at each attempt (delivery_body). A worker draining a backlog
makes the next delivery in the transaction that records the last one's
success, and each of its transactions reads the open deliveries once, with
the subscription locked.
"""

import http.client
import socket
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from events.batches import batch_body, event_rows, next_event_ids
from events.compiled import CompiledSelect, insert, save_fields
from events.models import (
    OPEN_STATES,
    DeliveryState,
    Event,
    WebhookDelivery,
    WebhookSubscription,
)
from events.subscriptions import resolve_target

USER_AGENT = "Omnitron-Webhooks/1"
# What an attempt changes on its delivery.
ANSWER_FIELDS = (
    "state",
    "attempts",
    "last_status",
    "last_error",
    "next_attempt_at",
    "delivered_at",
)
# A worker works on one subscription for about this long, then leaves the rest to a new task.
WORK_SECONDS = 30


def deliver_pending(subscription_id: int, work_seconds: float = WORK_SECONDS) -> bool:
    """Send the subscription's due deliveries in order; True if work is left for another run.

    A delivery that went through opens the next one in its own transaction, so
    a batch costs one commit, and the next delivery is committed before it is sent.
    """
    deadline = time.monotonic() + work_seconds
    while _send_oldest(subscription_id):
        if time.monotonic() >= deadline:
            return True
    return False


def _send_oldest(subscription_id: int) -> bool:
    """One transaction of deliver_pending; True if a delivery is open to be sent next.

    Sends the subscription's oldest open delivery if it is due and, once it went
    through, opens the next one; with none open, only opens the next one.
    """
    with transaction.atomic():
        subscription = _locked_subscription(subscription_id)
        if subscription is None:
            return False
        # The second tells, in the same query, whether another stays open (a
        # failed one retried by hand): then it goes next, before any new one is made.
        oldest = _two_oldest_open(subscription.pk)
        if not oldest:
            return _next_delivery(subscription) is not None
        if not _is_due(oldest[0]) or not _send_and_record(subscription, oldest[0]):
            return False
        return len(oldest) > 1 or _next_delivery(subscription) is not None


def _locked_subscription(subscription_id: int) -> WebhookSubscription | None:
    """The active subscription, locked; None if another worker holds it."""
    found = _lock_active_subscription(subscription_id)
    return found[0] if found else None


_lock_active_subscription = CompiledSelect(
    lambda pk: (
        WebhookSubscription.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, is_active=True)
        .order_by()
    )
)


def _open_deliveries(subscription_id: int) -> QuerySet[WebhookDelivery]:
    """The subscription's open deliveries, oldest first."""
    return WebhookDelivery.objects.filter(
        subscription_id=subscription_id, state__in=OPEN_STATES
    ).order_by("id")


_two_oldest_open = CompiledSelect(lambda subscription_id: _open_deliveries(subscription_id)[:2])


def open_delivery(subscription_id: int) -> int | None:
    """The id of the subscription's oldest open delivery, made from its next events if none."""
    with transaction.atomic():
        subscription = _locked_subscription(subscription_id)
        if subscription is None:
            return None
        open_id = _open_deliveries(subscription.pk).values_list("id", flat=True).first()
        if open_id is not None:
            return open_id
        delivery = _next_delivery(subscription)
        return delivery.pk if delivery else None


def _next_delivery(subscription: WebhookSubscription) -> WebhookDelivery | None:
    """A delivery of the next batch of matching events, the cursor moved past them."""
    ids, cursor = next_event_ids(subscription)
    delivery = None
    if ids:
        delivery = WebhookDelivery(
            subscription=subscription,
            first_event_id=ids[0],
            last_event_id=ids[-1],
            event_count=len(ids),
            event_ids=ids,
            next_attempt_at=timezone.now(),
        )
        insert(delivery)
    if cursor != subscription.last_event_id:
        subscription.last_event_id = cursor
        save_fields(subscription, ["last_event_id"])
    return delivery


def _is_due(delivery: WebhookDelivery) -> bool:
    return delivery.state in OPEN_STATES and not (
        delivery.next_attempt_at and delivery.next_attempt_at > timezone.now()
    )


def _send_and_record(subscription: WebhookSubscription, delivery: WebhookDelivery) -> bool:
    """Send the due delivery, read under its subscription's lock, and record the answer;
    True if the next delivery may go now (this one delivered, or failed for want of its events).

    A non-2xx answer, or none within OMNITRON_WEBHOOK_TIMEOUT_SECONDS, schedules
    the next attempt after the next of OMNITRON_WEBHOOK_RETRY_DELAYS; after the
    last, the delivery is failed and its subscription turned off, with the reason.
    """
    rows = event_rows(delivery.event_ids)
    if len(rows) < delivery.event_count:
        # Purged before the purge kept a delivery's events (a delivery made by an
        # earlier version): a part of the message is no message; nothing is sent.
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = (
            f"{delivery.event_count - len(rows)} of its {delivery.event_count} events "
            "were purged; not sent."
        )
        save_fields(delivery, ANSWER_FIELDS)
        return True
    status, error = send(subscription, delivery, batch_body(rows, delivery.created_date))
    delivery.attempts += 1
    delivery.last_status = status
    delivery.last_error = error[:255]
    if status is not None and 200 <= status < 300:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts > len(settings.OMNITRON_WEBHOOK_RETRY_DELAYS):
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = None
        subscription.is_active = False
        subscription.disabled_reason = (
            f"Delivery {delivery.webhook_id} failed {delivery.attempts} times; "
            f"last: {f'HTTP {status}' if status else error}"
        )[:255]
        subscription.save(update_fields=["is_active", "disabled_reason", "modified_date"])
    else:
        delay = settings.OMNITRON_WEBHOOK_RETRY_DELAYS[delivery.attempts - 1]
        delivery.state = DeliveryState.RETRYING
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    save_fields(delivery, ANSWER_FIELDS)
    return delivery.state == DeliveryState.DELIVERED


def retry_delivery(delivery: WebhookDelivery) -> WebhookDelivery:
    """Open a failed delivery again, with a fresh schedule of attempts.

    Its subscription, turned off by that failure, is turned on again.
    """
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.state = DeliveryState.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        if not subscription.is_active and subscription.disabled_reason:
            subscription.is_active = True
            subscription.disabled_reason = ""
            subscription.save(update_fields=["is_active", "disabled_reason", "modified_date"])
    return delivery


def subscriptions_with_work() -> list[int]:
    """Active subscriptions with events past their cursor or a delivery due."""
    newest = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
    due = Q(
        deliveries__state__in=OPEN_STATES,
        deliveries__next_attempt_at__lte=timezone.now(),
    )
    return list(
        WebhookSubscription.objects.filter(is_active=True)
        .filter(Q(last_event_id__lt=newest) | due)
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


def delivery_body(delivery: WebhookDelivery) -> str:
    """The delivery's JSON, written from its events as they are now, timed when it was made.

    Every attempt sends the same events; their changes are read afresh, so a
    customer anonymized meanwhile is sent scrubbed, as the feed shows it.
    """
    return batch_body(event_rows(delivery.event_ids), delivery.created_date)


def send(
    subscription: WebhookSubscription, delivery: WebhookDelivery, body: str
) -> tuple[int | None, str]:
    """POST the delivery's body, signed; (HTTP status or None, error text)."""
    parts = urlsplit(subscription.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        # Resolved again at each attempt: the name may point somewhere else by now.
        addresses = resolve_target(parts.hostname, port)
    except ValidationError as error:
        return None, error.messages[0]
    now = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(subscription.secret).sign(delivery.webhook_id, now, body),
    }
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # Connect to the address just checked, not to whatever the name resolves to next.
    target = (parts.scheme, parts.hostname, port, addresses[0])
    connection, reused = _connection_to(target)
    try:
        try:
            response = _post(connection, path, body.encode(), headers)
        except _STALE_CONNECTION_ERRORS:
            if not reused:
                raise
            # The receiver closed the kept connection meanwhile: once more on a new one.
            connection.close()
            connection, _ = _connection_to(target)
            response = _post(connection, path, body.encode(), headers)
        if not response.will_close and response.isclosed():  # its whole answer read
            _kept[target] = connection
        return response.status, "" if 200 <= response.status < 300 else response.reason
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    finally:
        if _kept.get(target) is not connection:
            connection.close()


# The connection of this process's last delivery, kept open while the receiver
# allows (HTTP/1.1 keep-alive): a worker draining a backlog sends batch after
# batch to one target, without a TCP (and TLS) handshake for each.
_kept: dict[tuple[str, str, int, str], http.client.HTTPConnection] = {}
# What a kept connection the receiver has closed raises at the next request.
_STALE_CONNECTION_ERRORS = (
    http.client.RemoteDisconnected,
    BrokenPipeError,
    ConnectionResetError,
    ConnectionAbortedError,
)


def _connection_to(target: tuple[str, str, int, str]) -> tuple[http.client.HTTPConnection, bool]:
    """A connection to the target (scheme, host, port, address); True if it is a kept one."""
    timeout = settings.OMNITRON_WEBHOOK_TIMEOUT_SECONDS
    kept = _kept.pop(target, None)
    for other in _kept.values():  # one kept connection a process
        other.close()
    _kept.clear()
    if kept is not None and kept.sock is not None:
        kept.sock.settimeout(timeout)
        return kept, True
    scheme, host, port, address = target
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return connection_class(host, port, address, timeout), False


def _post(connection: http.client.HTTPConnection, path: str, body: bytes, headers: dict):
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read(65536)
    return response


def _connected(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection without Nagle's delay, as http.client's own connect makes it:
    the body, written after the headers, goes out without waiting for their ACK."""
    sock = socket.create_connection((address, port), timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = _connected(self.address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = _connected(self.address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
