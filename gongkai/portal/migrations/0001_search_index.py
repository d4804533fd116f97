"""The search index tables: an FTS5 virtual table (SQLite) or a tsvector table with GIN
indexes (PostgreSQL). Raw SQL, because neither is a Django model; see
``gongkai.portal.search``. After migrating a database that already has published items,
run ``gongkai search rebuild``."""

from django.db import migrations


def _backend(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from gongkai.portal.search import sqlite

        return sqlite
    if vendor == "postgresql":
        from gongkai.portal.search import postgres

        return postgres
    raise NotImplementedError(f"search has no backend for {vendor}")


def create(apps, schema_editor):
    from gongkai.portal.search import stats

    for statement in [*_backend(schema_editor).CREATE, *stats.CREATE]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    from gongkai.portal.search import stats

    for statement in [*_backend(schema_editor).DROP, *stats.DROP]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("publishing", "0002_topics")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
