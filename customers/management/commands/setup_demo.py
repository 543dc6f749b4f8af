from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from channels.models import Channel, ChannelType
from customers.management.commands.create_api_user import grant_api_access

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"


class Command(BaseCommand):
    help = (
        "Create a demo channel and a demo user with API access, load the Turkish locations; "
        "print the user's token."
    )

    @transaction.atomic
    def handle(self, **options):
        channel, _ = Channel.objects.get_or_create(
            name="Demo web shop", defaults={"catalog": 1, "channel_type": ChannelType.WEB}
        )
        user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        if created:
            # Printed for anyone to read, but held to the same rules as any password.
            validate_password(DEMO_PASSWORD, user)
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        key = grant_api_access(user)
        # The Turkish locations shipped with the service (loading them again writes nothing).
        call_command("load_locations", stdout=self.stdout)
        self.stdout.write(f"Demo channel id: {channel.pk}")
        self.stdout.write(f"Demo user: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        self.stdout.write(f"API token: {key}")
        self.stdout.write(
            f'Try: curl -H "Authorization: Token {key}" http://127.0.0.1:8000/api/v1/customers/'
        )
