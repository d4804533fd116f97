# Sign-off of replies and notices (LetterDraft) and extension requests (ExtensionRequest).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('foi', '0003_letters'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ExtensionRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('days', models.PositiveIntegerField(verbose_name='延长工作日数')),
                ('reason', models.TextField(verbose_name='延期理由')),
                ('requested_at', models.DateTimeField(verbose_name='申请时间')),
                ('state', models.CharField(choices=[('requested', '待审批'), ('approved', '已批准'), ('refused', '不同意')], default='requested', max_length=20, verbose_name='状态')),
                ('decided_on', models.DateField(blank=True, null=True, verbose_name='审批日期')),
                ('decision_note', models.TextField(blank=True, verbose_name='审批意见')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='extension_requests', to='foi.foirequest')),
                ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人')),
            ],
            options={
                'verbose_name': '延期申请',
                'verbose_name_plural': '延期申请',
                'ordering': ['requested_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='LetterDraft',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('correction', '补正申请告知书'), ('consultation', '第三方意见征询函'), ('extension', '延期答复告知书'), ('fee', '收费通知书'), ('reply', '答复告知书')], max_length=20, verbose_name='文书类型')),
                ('fields', models.JSONField(default=dict, verbose_name='拟稿内容')),
                ('state', models.CharField(choices=[('drafting', '拟稿中'), ('awaiting_check', '待办公室核稿'), ('awaiting_signoff', '待领导签发'), ('issued', '已出具'), ('returned', '退回修改'), ('cancelled', '已撤销')], default='drafting', max_length=20, verbose_name='状态')),
                ('drafted_at', models.DateTimeField(blank=True, null=True, verbose_name='拟稿时间')),
                ('checked_at', models.DateTimeField(blank=True, null=True, verbose_name='核稿时间')),
                ('signed_at', models.DateTimeField(blank=True, null=True, verbose_name='签发时间')),
                ('note', models.TextField(blank=True, verbose_name='退回理由/说明')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('checked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='核稿人')),
                ('drafted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='拟稿人')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='drafts', to='foi.foirequest')),
                ('signed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='签发人')),
            ],
            options={
                'verbose_name': '文书拟稿',
                'verbose_name_plural': '文书拟稿',
                'ordering': ['created_at', 'id'],
            },
        ),
    ]
