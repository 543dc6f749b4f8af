from django.db import migrations

from omnitron.authentication import (
    DROP_PERMISSION_NAMES_FUNCTION,
    create_permission_names_function_sql,
)
from omnitron.db import postgresql_only


class Migration(migrations.Migration):
    """The function the token authentication reads permissions with (omnitron/authentication.py).

    PostgreSQL only; the tables it reads are auth's and contenttypes'.
    """

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0005_keyset_indexes"),
    ]

    operations = [
        postgresql_only(create_permission_names_function_sql(), DROP_PERMISSION_NAMES_FUNCTION),
    ]
