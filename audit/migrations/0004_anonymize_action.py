
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_drop_changes_gin'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('create', 'Create'), ('update', 'Update'), ('delete', 'Delete'), ('anonymize', 'Anonymize')], max_length=16),
        ),
    ]
