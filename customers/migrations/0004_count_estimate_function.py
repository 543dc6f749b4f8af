from django.db import migrations

from omnitron.migration_operations import PostgreSQLOnlySQL


class Migration(migrations.Migration):
    """The planner-estimate function behind list counts (omnitron/counting.py), PostgreSQL only.

    The SQL is the text this migration ran, frozen here: later changes to the
    function belong in a new migration.
    """

    dependencies = [
        ("customers", "0003_json_object_field"),
    ]

    operations = [
        PostgreSQLOnlySQL(
            sql=[
                """
CREATE OR REPLACE FUNCTION omnitron_row_estimate(query text) RETURNS bigint AS $$
DECLARE plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END;
$$ LANGUAGE plpgsql VOLATILE
"""
            ],
            reverse_sql=["DROP FUNCTION IF EXISTS omnitron_row_estimate(text)"],
        ),
    ]
