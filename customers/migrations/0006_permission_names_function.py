from django.db import migrations

from omnitron.migration_operations import PostgreSQLOnlySQL


class Migration(migrations.Migration):
    """The function the token authentication read permissions with, PostgreSQL only.

    The SQL is the text this migration ran, frozen here. The token app now
    keeps its own function (apitokens/migrations/0001_initial.py) and
    0009_drop_permission_names_function drops this one.
    """

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0005_keyset_indexes"),
    ]

    operations = [
        PostgreSQLOnlySQL(
            sql=[
                """
CREATE OR REPLACE FUNCTION omnitron_permission_names(for_user bigint) RETURNS jsonb AS $$
BEGIN
    RETURN (
        SELECT jsonb_agg(ct."app_label" || '.' || p."codename")
        FROM "auth_permission" p
        JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
        WHERE p."id" IN (
            SELECT up."permission_id" FROM "auth_user_user_permissions" up
            WHERE up."user_id" = for_user
            UNION
            SELECT gp."permission_id" FROM "auth_group_permissions" gp
            JOIN "auth_user_groups" ug ON ug."group_id" = gp."group_id"
            WHERE ug."user_id" = for_user
        )
    );
END;
$$ LANGUAGE plpgsql STABLE
"""
            ],
            reverse_sql=["DROP FUNCTION IF EXISTS omnitron_permission_names(bigint)"],
        ),
    ]
