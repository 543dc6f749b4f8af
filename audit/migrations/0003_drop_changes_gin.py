from django.db import migrations

from omnitron.db import postgresql_only


class Migration(migrations.Migration):
    """Drop the GIN index on `changes` (0002): it cost the order import a fifth of its speed.

    Measured on PostgreSQL, 100,000 orders into an empty database: 2,028
    orders/s with it, 2,482 without. The planner seldom used it: every create
    record lists every field, so `field=` matches most of the table, and the
    filter's real uses come with a customer or a date range, whose indexes
    serve them.
    """

    dependencies = [
        ("audit", "0002_api_indexes"),
    ]

    operations = [
        postgresql_only(
            "DROP INDEX IF EXISTS audit_changes_gin",
            "CREATE INDEX IF NOT EXISTS audit_changes_gin ON audit_auditevent USING gin (changes)",
        ),
    ]
