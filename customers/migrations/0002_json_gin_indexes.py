from django.db import migrations

from omnitron.db import postgresql_only


class Migration(migrations.Migration):
    """GIN indexes behind `attributes__<key>` and `extra_field__<key>` (PostgreSQL @>)."""

    dependencies = [("customers", "0001_initial")]

    operations = [
        postgresql_only(
            "CREATE INDEX IF NOT EXISTS customer_attributes_gin "
            "ON customers_customer USING gin (attributes jsonb_path_ops)",
            "DROP INDEX IF EXISTS customer_attributes_gin",
        ),
        postgresql_only(
            "CREATE INDEX IF NOT EXISTS customer_extra_field_gin "
            "ON customers_customer USING gin (extra_field jsonb_path_ops)",
            "DROP INDEX IF EXISTS customer_extra_field_gin",
        ),
    ]
