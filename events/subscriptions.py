"""Webhook subscriptions: their secrets, their targets, the events they want."""

import base64
import ipaddress
import re
import secrets
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from events.models import WebhookSubscription

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
EVENT_TYPE_PATTERN = re.compile(r"^(\*|[a-z_]+\.(\*|[a-z_]+))$")


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def validate_event_type_pattern(value: str) -> None:
    if not EVENT_TYPE_PATTERN.match(value):
        raise ValidationError(
            "Enter an event type (`customer.updated`), a resource's types (`customer.*`) or `*`."
        )


def events_matching(subscription: WebhookSubscription) -> Q:
    """The events a subscription wants, as a filter of Event."""
    return events_of(subscription.event_types, subscription.channels)


def events_of(event_types: Sequence[str], channels: Sequence[int] | None) -> Q:
    """Events of these types (patterns, as a subscription names them) and channels (any if none)."""
    types = Q()
    for pattern in event_types:
        if pattern == "*":
            types = Q()
            break
        if pattern.endswith(".*"):
            types |= Q(type__startswith=pattern[:-1])
        else:
            types |= Q(type=pattern)
    if channels:
        types &= Q(channel_id__in=channels)
    return types


def validate_target_url(url: str) -> None:
    """An http(s) URL whose host is not private, loopback or link-local (unless allowed).

    A name is resolved now, and again before each delivery (resolve_target).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Enter an http or https URL.")
    resolve_target(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


def resolve_target(host: str, port: int) -> list[str]:
    """The addresses a delivery may connect to; refuses private ones unless the setting allows."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(f"The host {host!r} cannot be resolved.") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.OMNITRON_WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise ValidationError(
                    f"The host {host!r} resolves to {address}, a private or reserved address."
                )
    return addresses
