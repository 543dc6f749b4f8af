from django.db import migrations

from omnitron.migration_operations import PostgreSQLOnlySQL


class Migration(migrations.Migration):
    """Drop the function of 0006: the token app keeps its own (apitokens_permission_names).

    Backwards, it comes back as 0006 made it.
    """

    dependencies = [
        ("customers", "0008_customer_version"),
        ("apitokens", "0001_initial"),
    ]

    operations = [
        PostgreSQLOnlySQL(
            sql=["DROP FUNCTION IF EXISTS omnitron_permission_names(bigint)"],
            reverse_sql=[
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
        ),
    ]
