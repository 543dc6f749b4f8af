"""Delivering events to webhook subscriptions: batches, Standard Webhooks signatures, retries.

One worker at a time works on a subscription (a row lock taken with SKIP
LOCKED; others move on), and a subscription has at most one open delivery,
made from the next events after its cursor: batches go out in event order,
each after the one before it was answered. A delivery is committed, with the
cursor moved past its events, before its first attempt, so a worker that dies
while sending leaves it open and the next worker sends the same message, with
the same `webhook-id`, again.
"""

import http.client
import json
import socket
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from events.models import (
    OPEN_STATES,
    DeliveryState,
    Event,
    WebhookDelivery,
    WebhookSubscription,
)
from events.serializers import EventSerializer
from events.subscriptions import events_matching, resolve_target

# The body's `type` (Standard Webhooks' payload shape: type, timestamp, data).
BATCH_TYPE = "events.batch"
USER_AGENT = "Omnitron-Webhooks/1"
# A worker works on one subscription for about this long, then leaves the rest to a new task.
WORK_SECONDS = 30


def deliver_pending(subscription_id: int, work_seconds: float = WORK_SECONDS) -> bool:
    """Send the subscription's due deliveries in order; True if work is left for another run."""
    deadline = time.monotonic() + work_seconds
    while time.monotonic() < deadline:
        delivery_id = open_delivery(subscription_id)
        if delivery_id is None or not attempt_delivery(delivery_id):
            return False
    return True


def _locked_subscription(subscription_id: int) -> WebhookSubscription | None:
    """The active subscription, locked; None if another worker holds it."""
    return (
        WebhookSubscription.objects.select_for_update(skip_locked=True)
        .filter(pk=subscription_id, is_active=True)
        .first()
    )


def open_delivery(subscription_id: int) -> int | None:
    """The id of the subscription's oldest open delivery, made from its next events if none."""
    with transaction.atomic():
        subscription = _locked_subscription(subscription_id)
        if subscription is None:
            return None
        open_id = (
            subscription.deliveries.filter(state__in=OPEN_STATES)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if open_id is not None:
            return open_id
        delivery = _next_delivery(subscription)
        return delivery.pk if delivery else None


def _next_delivery(subscription: WebhookSubscription) -> WebhookDelivery | None:
    """A delivery of the next batch of matching events, the cursor moved past them.

    Events are committed in id order (events/outbox.py), so no event at or
    below the newest id seen here can appear later: the cursor moves to it
    when fewer events than a batch matched.
    """
    newest = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
    if newest <= subscription.last_event_id:
        return None
    events = list(
        Event.objects.select_related("audit_event")
        .filter(
            events_matching(subscription),
            id__gt=subscription.last_event_id,
            id__lte=newest,
        )
        .order_by("id")[: subscription.batch_size]
    )
    delivery = None
    if events:
        now = timezone.now()
        body = {
            "type": BATCH_TYPE,
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "data": {"events": EventSerializer(events, many=True).data},
        }
        delivery = WebhookDelivery.objects.create(
            subscription=subscription,
            first_event_id=events[0].id,
            last_event_id=events[-1].id,
            event_count=len(events),
            payload=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            next_attempt_at=now,
        )
    subscription.last_event_id = events[-1].id if len(events) == subscription.batch_size else newest
    subscription.save(update_fields=["last_event_id"])
    return delivery


def attempt_delivery(delivery_id: int) -> bool:
    """Send the delivery if it is open and due; True if it was delivered now.

    A non-2xx answer, or none within OMNITRON_WEBHOOK_TIMEOUT_SECONDS, schedules
    the next attempt after the next of OMNITRON_WEBHOOK_RETRY_DELAYS; after the
    last, the delivery is failed and its subscription turned off, with the reason.
    """
    subscription_id = WebhookDelivery.objects.values_list("subscription_id", flat=True).get(
        pk=delivery_id
    )
    with transaction.atomic():
        subscription = _locked_subscription(subscription_id)
        if subscription is None:
            return False
        # Read under the subscription's lock: another worker may have sent it meanwhile.
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        now = timezone.now()
        if delivery.state not in OPEN_STATES or (
            delivery.next_attempt_at and delivery.next_attempt_at > now
        ):
            return False
        status, error = send(subscription, delivery)
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
        delivery.save()
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


def send(subscription: WebhookSubscription, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the delivery's body, signed; (HTTP status or None, error text)."""
    parts = urlsplit(subscription.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        # Resolved again at each attempt: the name may point somewhere else by now.
        addresses = resolve_target(parts.hostname, port)
    except ValidationError as error:
        return None, error.messages[0]
    now = timezone.now()
    body = delivery.payload
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(subscription.secret).sign(delivery.webhook_id, now, body),
    }
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = settings.OMNITRON_WEBHOOK_TIMEOUT_SECONDS
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    # Connect to the address just checked, not to whatever the name resolves to next.
    connection = connection_class(parts.hostname, port, addresses[0], timeout)
    try:
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status, "" if 200 <= response.status < 300 else response.reason
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    finally:
        connection.close()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
