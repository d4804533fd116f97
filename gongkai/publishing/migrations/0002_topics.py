import tomllib
from importlib import resources

from django.db import migrations


def load_topics(apps, schema_editor):
    Topic = apps.get_model("publishing", "Topic")
    text = resources.files("gongkai.publishing").joinpath("data/topics.toml").read_text("utf-8")
    for order, (code, name) in enumerate(tomllib.loads(text)["topics"]):
        Topic.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]

    operations = [migrations.RunPython(load_topics, migrations.RunPython.noop)]
