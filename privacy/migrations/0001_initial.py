
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('customers', '0009_drop_permission_names_function'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FormerAddress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address_id', models.BigIntegerField()),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer')),
            ],
        ),
        migrations.CreateModel(
            name='ConsentChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(choices=[('email_allowed', 'Email allowed'), ('sms_allowed', 'SMS allowed'), ('call_allowed', 'Call allowed')], max_length=16)),
                ('value', models.BooleanField()),
                ('previous', models.BooleanField(blank=True, null=True)),
                ('changed_at', models.DateTimeField()),
                ('source', models.CharField(choices=[('api', 'API'), ('admin', 'Admin'), ('import', 'Import'), ('command', 'Management command'), ('shell', 'Shell')], max_length=8)),
                ('actor_repr', models.CharField(blank=True, default='', max_length=150)),
                ('channel_id', models.BigIntegerField()),
                ('request_id', models.CharField(blank=True, default='', max_length=64)),
                ('actor', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='consent_changes', to='customers.customer')),
            ],
            options={
                'ordering': ['-changed_at', '-id'],
                'indexes': [models.Index(fields=['customer', '-changed_at', '-id'], name='consent_customer_time_idx'), models.Index(fields=['field', 'value', '-changed_at', '-id'], name='consent_field_value_time_idx')],
            },
        ),
    ]
