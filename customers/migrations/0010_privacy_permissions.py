
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0009_drop_permission_names_function'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='customer',
            options={'ordering': ['-id'], 'permissions': [('anonymize_customer', 'Can anonymize customer'), ('export_customer', 'Can export everything held about a customer')]},
        ),
    ]
