"""PublicationEvent becomes a core WorkflowEvent: the shared fields' labels and widths
(statuses up to 30 characters, as the requests' events)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import gongkai.core.clock


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_topics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="publicationevent",
            name="action",
            field=models.CharField(max_length=40, verbose_name="操作"),
        ),
        migrations.AlterField(
            model_name="publicationevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=30, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="publicationevent",
            name="to_status",
            field=models.CharField(max_length=30, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="publicationevent",
            name="at",
            field=models.DateTimeField(default=gongkai.core.clock.now, verbose_name="记录时间"),
        ),
        migrations.AlterField(
            model_name="publicationevent",
            name="actor",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="publicationevent",
            name="reason",
            field=models.TextField(blank=True, verbose_name="理由/说明"),
        ),
    ]
