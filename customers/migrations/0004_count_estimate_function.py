from django.db import migrations

from omnitron.counting import CREATE_ESTIMATE_FUNCTION, DROP_ESTIMATE_FUNCTION
from omnitron.db import postgresql_only


class Migration(migrations.Migration):
    """The planner-estimate function behind list counts (omnitron/counting.py), PostgreSQL only."""

    dependencies = [
        ("customers", "0003_json_object_field"),
    ]

    operations = [
        postgresql_only(CREATE_ESTIMATE_FUNCTION, DROP_ESTIMATE_FUNCTION),
    ]
