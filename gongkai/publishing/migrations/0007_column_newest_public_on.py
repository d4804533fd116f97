"""Each column's newest public item, kept on the column (``publishing.column_dates``), and
counted once from the items for the columns that exist (one grouped query, then one
update per column that has public items)."""

from django.db import migrations, models
from django.db.models import Max


def count_from_items(apps, schema_editor):
    Column = apps.get_model("publishing", "Column")
    Publication = apps.get_model("publishing", "Publication")
    newest = (Publication.columns.through.objects.filter(publication__status="published")
              .values("column_id").annotate(newest=Max("publication__published_on"))
              .values_list("column_id", "newest").order_by())
    for column_id, on in newest:
        Column.objects.filter(pk=column_id).update(newest_public_on=on)


class Migration(migrations.Migration):

    dependencies = [
        ("publishing", "0006_public_items_by_day"),
    ]

    operations = [
        migrations.AddField(
            model_name="column",
            name="newest_public_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="最新公开信息日期"),
        ),
        migrations.RunPython(count_from_items, migrations.RunPython.noop),
    ]
