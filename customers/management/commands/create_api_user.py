from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

API_MODELS = (("channels", "channel"), ("customers", "customer"))
READ_ACTIONS = ("view",)
ALL_ACTIONS = ("view", "add", "change", "delete")


def grant_api_access(user, read_only: bool = False) -> str:
    """Give `user` the model permissions of the API and return its token key."""
    actions = READ_ACTIONS if read_only else ALL_ACTIONS
    codenames = [f"{action}_{model}" for _, model in API_MODELS for action in actions]
    permissions = Permission.objects.filter(
        content_type__app_label__in=[app for app, _ in API_MODELS], codename__in=codenames
    )
    user.user_permissions.add(*permissions)
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


class Command(BaseCommand):
    help = "Create (or reuse) a user, grant it the API's model permissions, and print its token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="Set this password (for POST /api/v1/auth/login/).")
        parser.add_argument("--read-only", action="store_true", help="Grant view permissions only.")

    @transaction.atomic
    def handle(self, username, password=None, read_only=False, **options):
        user, created = get_user_model().objects.get_or_create(username=username)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        key = grant_api_access(user, read_only=read_only)
        self.stdout.write(key)
