import datetime
import hashlib

from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"


def digests_of_authtoken_keys(apps, schema_editor):
    """Keep the keys DRF's authtoken handed out working, stored as digests from now on.

    The old table is read by name (its app is no longer installed), when it
    exists, and emptied: the keys in it were stored as they are.
    """
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    Token = apps.get_model("apitokens", "Token")
    q = connection.ops.quote_name
    table = q(LEGACY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q('key')}, {q('user_id')}, {q('created')} FROM {table}")
        rows = cursor.fetchall()
    Token.objects.bulk_create(
        Token(
            digest=hashlib.sha256(key.encode()).hexdigest(),
            user_id=user_id,
            # SQLite hands back the stored UTC time without its zone.
            created=timezone.make_aware(created, datetime.UTC)
            if timezone.is_naive(created)
            else created,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    """Existing authtoken keys become digests. A squash may leave this out (elidable):
    a database made after it holds no authtoken rows."""

    dependencies = [
        ("apitokens", "0001_initial"),
    ]

    operations = [
        # Backwards: nothing to undo that could be undone; the keys are not kept.
        migrations.RunPython(digests_of_authtoken_keys, migrations.RunPython.noop, elidable=True),
    ]
