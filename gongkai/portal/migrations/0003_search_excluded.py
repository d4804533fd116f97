"""The agencies whose documents the inactive agencies' kept counts were made for
(``stats.EXCLUDED_FOR``; issue 20). The counts themselves live in the kept counts' table;
they are made here from the index as it is, then again by ``gongkai search rebuild``,
``gongkai search sync`` and a worker whenever an agency is switched off or on."""

from django.db import migrations


def create(apps, schema_editor):
    from gongkai.portal.search import refresh_excluded, stats

    for statement in stats.CREATE_EXCLUDED:
        schema_editor.execute(statement)
    refresh_excluded()


def drop(apps, schema_editor):
    from gongkai.portal.search import stats

    for statement in stats.DROP_EXCLUDED:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {stats.TABLE} WHERE gram LIKE %s", [stats.EXCLUDED + "%"])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_search_kinds")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
