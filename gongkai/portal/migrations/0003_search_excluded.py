"""The agencies whose documents the inactive agencies' kept counts were made for (issue
20; ``stats.EXCLUDED_FOR``). Created empty, which is a correct state: searches count those
matches within the index until the counts are made — by ``gongkai search rebuild``, by
the nightly ``gongkai search sync`` (it finds them out of step) or by a worker when an
agency is switched off or on. The SQL is written here, not read from the search package,
so that later changes there do not change this migration."""

from django.db import migrations

CREATE = "CREATE TABLE IF NOT EXISTS portal_search_excluded (agency_id bigint PRIMARY KEY)"
DROP = "DROP TABLE IF EXISTS portal_search_excluded"
DROP_COUNTS = "DELETE FROM portal_search_df WHERE gram LIKE '§ex%%'"


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_search_kinds")]

    operations = [migrations.RunSQL(CREATE, [DROP_COUNTS, DROP], elidable=False)]
