
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0010_customer_order_data_date'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='customer',
            options={'ordering': ['-id'], 'permissions': [('anonymize_customer', 'Can anonymize customer'), ('export_customer', 'Can export everything held about a customer')]},
        ),
    ]
