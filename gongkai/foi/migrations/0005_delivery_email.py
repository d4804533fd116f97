# Delivery by e-mail as an outbox (DeliveryEmail): recorded with the step, sent after the commit.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('foi', '0004_signoff'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DeliveryEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('queued', '待发送'), ('sent', '已发送'), ('failed', '发送失败')], default='queued', max_length=20, verbose_name='状态')),
                ('message_id', models.CharField(max_length=255, verbose_name='Message-ID')),
                ('attached', models.JSONField(blank=True, default=list, verbose_name='附件')),
                ('link_sent', models.BooleanField(default=False, verbose_name='附下载链接')),
                ('note', models.TextField(blank=True, verbose_name='送达说明')),
                ('queued_at', models.DateTimeField(verbose_name='提交发送时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='发送结果时间')),
                ('error', models.CharField(blank=True, max_length=200, verbose_name='失败原因')),
                ('queued_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='送达人')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='delivery_emails', to='foi.foirequest')),
            ],
            options={
                'verbose_name': '送达邮件',
                'verbose_name_plural': '送达邮件',
                'ordering': ['queued_at', 'id'],
            },
        ),
    ]
