from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from apitokens.services import issue_token

READ_ACTIONS = ("view",)
ALL_ACTIONS = ("view", "add", "change", "delete")
# (app, model, whether the API writes it)
API_MODELS = (
    ("channels", "channel", True),
    ("customers", "customer", True),
    ("addresses", "address", True),
    # Integrations post orders (create_orders); the import writes them too.
    ("orders", "order", True),
    # Integrations read the location lists; staff write them (admin, load_locations).
    ("locations", "country", False),
    ("locations", "city", False),
    ("locations", "township", False),
    ("locations", "district", False),
)


# Reading the audit trail is a permission of its own, granted on request only.
AUDIT_PERMISSION = Q(content_type__app_label="audit", codename="view_auditevent")
# So are the privacy permissions: reading the consent history, anonymizing and exporting.
PRIVACY_PERMISSIONS = Q(content_type__app_label="privacy", codename="view_consentchange") | Q(
    content_type__app_label="customers", codename__in=["anonymize_customer", "export_customer"]
)


def grant_api_access(
    user, read_only: bool = False, audit: bool = False, privacy: bool = False
) -> str:
    """Give `user` the model permissions of the API and return a new token's key.

    `audit` adds `audit.view_auditevent`, to read the audit trail; `privacy`
    the consent history, anonymization and export.
    """
    wanted = Q(pk__in=[])
    for app, model, writable in API_MODELS:
        actions = ALL_ACTIONS if writable and not read_only else READ_ACTIONS
        codenames = [f"{action}_{model}" for action in actions]
        wanted |= Q(content_type__app_label=app, codename__in=codenames)
    if audit:
        wanted |= AUDIT_PERMISSION
    if privacy:
        wanted |= PRIVACY_PERMISSIONS
    permissions = Permission.objects.filter(wanted)
    user.user_permissions.add(*permissions)
    return issue_token(user)


class Command(BaseCommand):
    help = (
        "Create (or reuse) a user, grant it the API's model permissions, and print a new "
        "token (earlier tokens of the user keep working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="Set this password (for POST /api/v1/auth/login/).")
        parser.add_argument("--read-only", action="store_true", help="Grant view permissions only.")
        parser.add_argument(
            "--audit", action="store_true", help="Also let it read the audit trail."
        )
        parser.add_argument(
            "--privacy",
            action="store_true",
            help="Also let it read consent histories, anonymize and export customers.",
        )

    @transaction.atomic
    def handle(
        self, username, password=None, read_only=False, audit=False, privacy=False, **options
    ):
        user, created = get_user_model().objects.get_or_create(username=username)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(f"--password refused: {' '.join(error.messages)}") from None
            user.set_password(password)
            user.save(update_fields=["password"])
        elif created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        key = grant_api_access(user, read_only=read_only, audit=audit, privacy=privacy)
        self.stdout.write(key)
