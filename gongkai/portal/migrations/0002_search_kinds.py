"""Search over every public object (issue 14): the last day a decision is shown, so that
a search leaves it out from the next day without a job having to run. Items now carry
their topic's and columns' names and the other kinds are new: after migrating a database
with content, run ``gongkai search rebuild``."""

from django.db import migrations


def create(apps, schema_editor):
    from gongkai.portal.search import stats

    for statement in stats.CREATE_EXPIRY:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    from gongkai.portal.search import stats

    for statement in stats.DROP_EXPIRY:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_search_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
