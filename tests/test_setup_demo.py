"""`setup_demo` (run by scripts/serve.sh): a demo channel, a demo user, and a hint that works."""

import io
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from audit.models import Action, AuditEvent, Source
from channels.models import Channel

pytestmark = pytest.mark.django_db


def setup_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("setup_demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_channel_is_created_through_the_service_once():
    setup_demo()
    setup_demo()

    [channel] = Channel.objects.all()
    [event] = AuditEvent.objects.filter(content_type__model="channel", object_id=channel.pk)
    assert (event.action, event.source, event.actor) == (Action.CREATE, Source.COMMAND, None)


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        (None, "http://127.0.0.1:8000/api/v1/customers/"),
        ("127.0.0.1:8541", "http://127.0.0.1:8541/api/v1/customers/"),
        ("0.0.0.0:8542", "http://127.0.0.1:8542/api/v1/customers/"),
        ("8543", "http://127.0.0.1:8543/api/v1/customers/"),
        ("[::1]:8544", "http://[::1]:8544/api/v1/customers/"),
        ("localhost:8545", "http://localhost:8545/api/v1/customers/"),
    ],
)
def test_the_hint_calls_the_address_the_server_listens_on(bind, url):
    output = setup_demo(*(["--bind", bind] if bind else []))

    [hint] = [line for line in output.splitlines() if line.startswith("Try: ")]
    assert hint.endswith(f" {url}")


def test_the_demo_user_reads_the_api_and_the_audit_trail_it_made():
    output = setup_demo()
    key = re.search(r"^API token: (\S+)$", output, re.MULTILINE).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert client.get("/api/v1/customers/").status_code == 200
    response = client.get("/api/v1/audit_events/", {"object_type": "channels.channel"})

    assert response.status_code == 200, response.content
    [event] = response.json()["results"]
    assert (event["action"], event["object_repr"]) == ("create", "Demo web shop")
