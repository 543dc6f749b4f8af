from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from audit.context import AuditContext
from audit.models import Source
from channels.models import Channel, ChannelType
from channels.services import ChannelService
from customers.management.commands.create_api_user import grant_api_access

DEMO_CHANNEL_NAME = "Demo web shop"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
DEFAULT_BIND = "127.0.0.1:8000"
# Addresses a server listens on but a client cannot call: the hint calls loopback instead.
ANY_ADDRESS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "0": "127.0.0.1", "[::]": "[::1]"}


def api_url(bind: str) -> str:
    """The API's base URL for a server started with `runserver <bind>` (`port` or `host:port`)."""
    host, _, port = bind.rpartition(":")
    return f"http://{ANY_ADDRESS.get(host, host)}:{port}/api/v1"


class Command(BaseCommand):
    help = (
        "Create a demo channel and a demo user with API access and the audit trail, "
        "load the Turkish locations; print the user's token."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=DEFAULT_BIND,
            help=f"runserver's address:port (or port), for the hint; default {DEFAULT_BIND}.",
        )

    @transaction.atomic
    def handle(self, bind=DEFAULT_BIND, **options):
        channel = Channel.objects.filter(name=DEMO_CHANNEL_NAME).order_by("id").first()
        if channel is None:
            channel = ChannelService.create_channel(
                name=DEMO_CHANNEL_NAME,
                catalog=1,
                channel_type=ChannelType.WEB,
                audit_context=AuditContext(source=Source.COMMAND),
            )
        user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        if created:
            # Printed for anyone to read, but held to the same rules as any password.
            validate_password(DEMO_PASSWORD, user)
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        key = grant_api_access(user, audit=True)
        # The Turkish locations shipped with the service (loading them again writes nothing).
        call_command("load_locations", stdout=self.stdout)
        self.stdout.write(f"Demo channel id: {channel.pk}")
        self.stdout.write(f"Demo user: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        self.stdout.write(f"API token: {key}")
        self.stdout.write(f'Try: curl -H "Authorization: Token {key}" {api_url(bind)}/customers/')
