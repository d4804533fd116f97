"""Attachments get the name readers see (``display_name``): the uploaded file's name
without its extension, for the files already stored too."""

from django.db import migrations, models


def fill_display_names(apps, schema_editor):
    # The rule of models.default_display_name, frozen here: a migration must not change
    # when the model's code does.
    Attachment = apps.get_model("publishing", "PublicationAttachment")
    for attachment in Attachment.objects.filter(display_name="").only("pk", "original_name"):
        name = (attachment.original_name or "").strip()
        stem, dot, extension = name.rpartition(".")
        if dot and stem.strip() and 1 <= len(extension) <= 5 and extension.isalnum():
            name = stem.strip()
        attachment.display_name = (name or "附件")[:200]
        attachment.save(update_fields=["display_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("publishing", "0003_workflow_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="publicationattachment",
            name="display_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="附件名称"),
        ),
        migrations.RunPython(fill_display_names, migrations.RunPython.noop),
    ]
