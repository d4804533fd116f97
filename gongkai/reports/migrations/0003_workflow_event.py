"""ReportEvent becomes a core WorkflowEvent: from_state/to_state are renamed (the data
stays) to the vocabulary of the other events, from_status/to_status."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import gongkai.core.clock


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_version_files_and_figure_reverts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="reportevent", old_name="from_state", new_name="from_status"),
        migrations.RenameField(model_name="reportevent", old_name="to_state", new_name="to_status"),
        migrations.AlterField(
            model_name="reportevent",
            name="action",
            field=models.CharField(max_length=40, verbose_name="操作"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=30, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="to_status",
            field=models.CharField(max_length=30, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="at",
            field=models.DateTimeField(default=gongkai.core.clock.now, verbose_name="记录时间"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="actor",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="reason",
            field=models.TextField(blank=True, verbose_name="理由/说明"),
        ),
    ]
