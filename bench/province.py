"""A synthetic province for benchmarks: agencies in a tree and ten years of records of every
area the oversight table reads, loaded in bulk (``bulk_create`` in batches; never one ORM
call per row), on PostgreSQL or SQLite.

Tree (default 3,000 agencies): the province's people's government → 15 cities'
governments → 10 counties' governments each; every government has its departments, as
many as make up the total (about 17 per government). Records, with a fixed seed, over
``--years`` years up to today:

- requests (default 3 per agency-year) with their register and reply events; those
  received in the last ~two months are still open, and about one in five of the open
  ones is past its 20 working days; a share of replies are late;
- publications (``--publications``, default 150,000 in all; issue 20 reuses this with
  1,000,000), each in one of its agency's 8 columns (动态/通知/规划/静态 kinds), about 3 %
  published late (Art. 26); one agency in ten leaves some columns stale or blank;
- normative documents (1 per agency-year), 90 % interpreted in time;
- 双公示 decisions (2 per agency-year), 5 % published late;
- annual reports for every past year (the last one missing, draft or late for some);
- messages (3 per agency-year), a few unanswered for over three months.

Use as a module (``generate(...)`` after ``django.setup()`` on a migrated database) or
run it: ``.venv/bin/python bench/province.py [--postgres | --sqlite PATH] [--agencies N]
[--years N] [--publications N] [--keep]`` creates the database (PostgreSQL:
``gongkai_province`` at postgres://postgres@127.0.0.1:5432), migrates, loads and prints
the counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
SEED = 20260
BATCH = 5000


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongkai.settings_test"
    os.environ.setdefault("GONGKAI_ENV", "local")
    os.environ["DEBUG"] = "0"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]


def _bulk(model, objs, progress=None) -> list:
    created = []
    for i in range(0, len(objs), BATCH):
        created.extend(model.objects.bulk_create(objs[i:i + BATCH], batch_size=BATCH))
        if progress:
            progress(f"{model._meta.label} {min(i + BATCH, len(objs)):,}/{len(objs):,}")
    return created


def _agencies(n: int, cities: int, counties: int):
    """The tree: the province's government, its cities' and counties' governments, and
    departments spread over the governments; saved level by level, paths set after."""
    from gongkai.core.models import Agency, AgencyKind, AgencyLevel

    step = Agency.PATH_STEP
    serial = iter(range(1, 10**9))

    def new(name, level, kind, parent):
        i = next(serial)
        return Agency(name=name, level=level, kind=kind, parent=parent, code=f"9{i:011d}",
                      path=f"tmp{i}", depth=(parent.depth + 1) if parent else 0)

    def save_level(objs):
        objs = _bulk(Agency, objs)
        for a in objs:
            a.path = (a.parent.path if a.parent else "") + str(a.pk).zfill(step) + "."
        Agency.objects.bulk_update(objs, ["path"], batch_size=BATCH)
        return objs

    G = AgencyKind.PEOPLES_GOVERNMENT
    province = save_level([new("云泽省人民政府", AgencyLevel.PROVINCE, G, None)])[0]
    city_govs = save_level([new(f"第{c + 1}市人民政府", AgencyLevel.CITY, G, province) for c in range(cities)])
    county_govs = save_level([new(f"{city.name[:-5]}第{k + 1}县人民政府", AgencyLevel.COUNTY, G, city)
                              for city in city_govs for k in range(counties)])
    governments = [province, *city_govs, *county_govs]
    left = max(0, n - len(governments))
    departments = []
    for i in range(left):
        gov = governments[i % len(governments)]
        departments.append(new(f"{gov.name[:-5]}第{i // len(governments) + 1}局", gov.level,
                               AgencyKind.DEPARTMENT, gov))
    departments = save_level(departments)
    return province, governments + departments


def generate(*, agencies: int = 3000, years: int = 10, publications: int = 150_000, cities: int = 15,
             counties: int = 10, requests_per_year: int = 3, messages_per_year: int = 3,
             decisions_per_year: int = 2, seed: int = SEED, today: dt.date | None = None,
             progress=None) -> dict:
    """Load a province into the (migrated, empty) database; returns the counts and the
    root agency and a supervisor of it (``root``, ``supervisor``)."""
    from django.db import connection
    from django.utils import timezone

    from gongkai.core import clock
    from gongkai.core.models import Membership, Role, User
    from gongkai.foi.models import FoiEvent, FoiRequest
    from gongkai.oversight.tests import records as r
    from gongkai.publishing.models import Column, ColumnKind, NormativeDocument, Publication
    from gongkai.reports.models import AnnualReport, ReportState

    say = progress or (lambda text: None)
    rnd = random.Random(seed)
    today = today or clock.today()
    first_year = today.year - years + 1
    span = (today - dt.date(first_year, 1, 1)).days
    user = User.objects.create_user(username="bench-writer")
    supervisor = User.objects.create_user(username="bench-supervisor")
    root, tree = _agencies(agencies, cities, counties)
    Membership.objects.create(user=supervisor, agency=root, role=Role.SUPERVISOR)
    counts = {"agencies": len(tree)}

    def day_back(max_days: int) -> dt.date:
        return today - dt.timedelta(days=rnd.randrange(max_days))

    # Requests and their events.
    reqs, n = [], 0
    for a in tree:
        for _ in range(requests_per_year * years):
            n += 1
            received = day_back(span)
            if (today - received).days < 60:
                if rnd.random() < 0.2:
                    received = today - dt.timedelta(days=60 + rnd.randrange(30))  # overdue
                reqs.append(r.request(a, n, received_on=received))
            else:
                late = rnd.random() < 0.05
                closed = received + dt.timedelta(days=rnd.randrange(40, 70) if late else rnd.randrange(1, 25))
                reqs.append(r.request(a, n, received_on=received, closed_on=min(closed, today)))
    reqs = _bulk(FoiRequest, reqs, say)
    _bulk(FoiEvent, [e for q in reqs for e in r.request_events(q)], say)
    counts["requests"] = len(reqs)

    # Columns: 8 per agency; one agency in ten neglects two of them (stale) and one (blank).
    kinds = [ColumnKind.DYNAMIC, ColumnKind.DYNAMIC, ColumnKind.NOTICE, ColumnKind.NOTICE,
             ColumnKind.PLAN, ColumnKind.STATIC, ColumnKind.STATIC, ColumnKind.NOTICE]
    columns = _bulk(Column, [r.column(a, f"栏目{i + 1}", kinds[i], sort_order=i) for a in tree for i in range(8)], say)
    by_agency: dict[int, list] = {}
    for c in columns:
        by_agency.setdefault(c.agency_id, []).append(c)
    neglectful = {a.pk for a in tree if rnd.random() < 0.1}
    counts["columns"] = len(columns)

    # Publications: spread evenly over agencies, dated over the years, most recent in the
    # dynamic columns so that diligent agencies have none stale.
    pubs, links = [], []
    through = Publication.columns.through
    per_agency = max(1, publications // len(tree))
    n = 0
    for a in tree:
        cols = by_agency[a.pk]
        usable = cols[:5] if a.pk not in neglectful else cols[2:5]  # neglectful: no dynamic items
        for j in range(per_agency):
            n += 1
            published = day_back(span) if j else today - dt.timedelta(days=rnd.randrange(10))
            late = rnd.random() < 0.03
            written = published - dt.timedelta(days=rnd.randrange(35, 90) if late else rnd.randrange(0, 10))
            pubs.append(r.publication(a, n, written_on=written, published_on=published, user=user))
            links.append(usable[0] if j == 0 and a.pk not in neglectful else rnd.choice(usable))
    for i in range(0, len(pubs), BATCH):
        chunk = Publication.objects.bulk_create(pubs[i:i + BATCH], batch_size=BATCH)
        through.objects.bulk_create([through(publication_id=p.pk, column_id=links[i + k].pk)
                                     for k, p in enumerate(chunk)], batch_size=BATCH)
        say(f"publications {min(i + BATCH, len(pubs)):,}/{len(pubs):,}")
    # Every diligent agency updates each of its first five columns within the last week.
    recent = []
    for a in tree:
        if a.pk in neglectful:
            continue
        for c in by_agency[a.pk][:5]:
            n += 1
            recent.append((r.publication(a, n, written_on=today - dt.timedelta(days=7),
                                         published_on=today - dt.timedelta(days=rnd.randrange(7)), user=user), c))
    for i in range(0, len(recent), BATCH):
        chunk = recent[i:i + BATCH]
        saved = Publication.objects.bulk_create([p for p, _ in chunk], batch_size=BATCH)
        through.objects.bulk_create([through(publication_id=p.pk, column_id=c.pk)
                                     for p, (_, c) in zip(saved, chunk, strict=True)], batch_size=BATCH)
    counts["publications"] = len(pubs) + len(recent)

    # Normative documents (1 per agency-year), 90 % interpreted within 3 days.
    docs, n = [], 0
    for a in tree:
        for y in range(years):
            n += 1
            issued = dt.date(first_year + y, 1, 1) + dt.timedelta(days=rnd.randrange(330))
            if issued >= today:
                issued = today - dt.timedelta(days=rnd.randrange(1, 30))
            docs.append(r.normative(a, n, issued_on=issued, user=user))
    docs = _bulk(NormativeDocument, docs, say)
    from gongkai.publishing.models import Interpretation
    _bulk(Interpretation, [r.interpretation(d, published_on=d.issued_on + dt.timedelta(days=rnd.randrange(4)),
                                            user=user) for d in docs if rnd.random() < 0.9], say)
    counts["normative"] = len(docs)

    # Decisions (2 per agency-year), 5 % published late.
    from gongkai.decisions.models import Decision
    decs, n = [], 0
    for a in tree:
        for _ in range(decisions_per_year * years):
            n += 1
            decided = day_back(span)
            late = rnd.random() < 0.05
            published = decided + dt.timedelta(days=rnd.randrange(15, 40) if late else rnd.randrange(0, 5))
            decs.append(r.decision(a, n, decision_date=decided, published_on=min(published, today)))
    counts["decisions"] = len(_bulk(Decision, decs, say))

    # Annual reports: every past year; the last one missing, in draft or late for some.
    reps = []
    for a in tree:
        for y in range(first_year - 1, today.year):
            deadline = dt.date(y + 1, 3 if a.kind == "government" and a.level != "township" else 1, 31)
            if y == today.year - 1:
                roll = rnd.random()
                if roll < 0.05:
                    continue  # none
                if roll < 0.1:
                    reps.append(r.report(a, y, state=ReportState.DRAFT))
                    continue
                if roll < 0.15:
                    reps.append(r.report(a, y, published_on=deadline + dt.timedelta(days=20)))
                    continue
            reps.append(r.report(a, y, published_on=deadline - dt.timedelta(days=rnd.randrange(20))))
    counts["reports"] = len(_bulk(AnnualReport, reps, say))

    # Messages (3 per agency-year); recent ones open, a few old ones never answered.
    from gongkai.interaction.models import Message
    msgs, n = [], 0
    for a in tree:
        for _ in range(messages_per_year * years):
            n += 1
            received = day_back(span)
            if (today - received).days < 20 or rnd.random() < 0.01:
                msgs.append(r.message(a, n, received_on=received))
            else:
                msgs.append(r.message(a, n, received_on=received,
                                      replied_on=received + dt.timedelta(days=rnd.randrange(1, 10))))
    counts["messages"] = len(_bulk(Message, msgs, say))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    del timezone
    return {**counts, "root": root, "supervisor": supervisor}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", action="store_true", help="database gongkai_province on local PostgreSQL")
    where.add_argument("--sqlite", metavar="PATH", help="a SQLite file (created)")
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--publications", type=int, default=150_000)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args()
    if args.sqlite:
        Path(args.sqlite).unlink(missing_ok=True)
        url = f"sqlite:///{Path(args.sqlite).resolve()}"
    else:
        pg_admin("DROP DATABASE IF EXISTS gongkai_province WITH (FORCE)")
        pg_admin("CREATE DATABASE gongkai_province")
        url = f"{PG_SERVER}/gongkai_province"
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = generate(agencies=args.agencies, years=args.years, publications=args.publications,
                      progress=lambda t: print(f"\r{t:<60}", end="", flush=True) if sys.stdout.isatty() else None)
    print(f"\rloaded in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items() if isinstance(v, int)))
    if not args.sqlite and not args.keep:
        from django.db import connections

        connections.close_all()
        pg_admin("DROP DATABASE IF EXISTS gongkai_province WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
