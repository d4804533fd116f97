from django.db import migrations, models

import gongkai.core.clock
import gongkai.core.crypto


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_sequencecounter'),
    ]

    operations = [
        migrations.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(max_length=20)),
                ('key_hash', models.CharField(max_length=64)),
                ('body_hash', models.CharField(max_length=64)),
                ('status_code', models.PositiveSmallIntegerField()),
                ('response', gongkai.core.crypto.EncryptedTextField()),
                ('reference', models.CharField(blank=True, max_length=100)),
                ('created_at', models.DateTimeField(db_index=True, default=gongkai.core.clock.now)),
            ],
            options={
                'verbose_name': '幂等记录',
                'verbose_name_plural': '幂等记录',
                'constraints': [models.UniqueConstraint(fields=('scope', 'key_hash'), name='idempotency_unique_key')],
            },
        ),
    ]
