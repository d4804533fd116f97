"""A synthetic province for benchmarks: agencies in a tree and ten years of records of every
area the oversight table reads, loaded in bulk (``bulk_create`` in batches; never one ORM
call per row), on PostgreSQL or SQLite.

Tree (default 3,000 agencies): the province's people's government → 15 cities'
governments → 10 counties' governments each; every government has its departments, as
many as make up the total (about 17 per government), the first of each its 市场监督管理局.
Records, with a fixed seed, over ``--years`` years up to today. Agencies are not alike: each
has a weight (a government above its departments, the province above a county, times a
log-normal spread), and its share of requests, publications, decisions and messages
follows it, as a provincial government's caseload dwarfs a county bureau's:

- requests (default 3 per agency-year on average) with full histories: registered, some
  asked to correct (most correct, some never do and are closed), some consulting a third
  party, some extended by 20 working days, replied with an outcome of the annual report's
  table 三 in the shares agencies report (予以公开 the most, then 本机关不掌握…), delivered;
  applicants mostly natural persons; those received in the last ~two months are still
  open, and about one in five of the open ones is past its 20 working days; a share of
  replies are late; about 2 % of refusals are appealed (行政复议 or 行政诉讼), most decided;
- publications (``--publications``, default 1,000,000 in all; the oversight benchmark
  uses 150,000), titled and written from the benchmarks' vocabulary (``bench/corpus.py``,
  Zipf-distributed), each in one of its agency's 8 columns (动态/通知/规划/静态 kinds),
  about 3 % published late (Art. 26); one agency in ten leaves some columns stale or blank;
- normative documents (1 per agency-year), 90 % interpreted in time;
- 双公示 decisions (2 per agency-year), 5 % published late;
- annual reports for every past year (the last one missing, draft or late for some);
- messages (3 per agency-year), a few unanswered for over three months;
- complaints (``--complaints``, default 200,000 over the last year) for the market
  regulators, through the 12315 import's own bulk path (rows checked, stored, and counted
  into the hot-spot aggregates).

Use as a module (``generate(...)`` after ``django.setup()`` on a migrated database) or
run it: ``.venv/bin/python bench/province.py [--postgres | --sqlite PATH] [--agencies N]
[--years N] [--publications N] [--complaints N] [--keep]`` creates the database (PostgreSQL:
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
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
SEED = 20260
BATCH = 5000
# Shares of the outcomes of replied requests, as agencies' annual reports print them
# (table 三: 予以公开 the largest row, then 本机关不掌握, 部分公开, refusals and 不予处理).
OUTCOME_SHARES = {
    "disclosed": 40, "partially_disclosed": 10, "unavailable_not_held": 18, "unavailable_needs_compilation": 4,
    "unavailable_still_unclear": 2, "withheld_state_secret": 0.5, "withheld_prohibited_by_law": 1,
    "withheld_security_stability": 0.5, "withheld_third_party": 2, "withheld_internal_affairs": 1,
    "withheld_process_information": 2, "withheld_enforcement_file": 0.5, "withheld_administrative_query": 0.5,
    "not_processed_petition": 5, "not_processed_repeat": 4, "not_processed_publication": 1,
    "not_processed_excessive": 1, "not_processed_confirmation": 1, "other": 6,
}
APPLICANT_SHARES = {"natural_person": 86, "commercial_enterprise": 8, "research_institution": 0.5,
                    "social_welfare_organization": 0.5, "legal_service_institution": 2, "other_organization": 3}
APPEAL_SHARES = {"administrative_review": 70, "litigation_direct": 22, "litigation_after_review": 8}
APPEAL_OUTCOME_SHARES = {"upheld": 75, "corrected": 12, "other": 13}


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


def add_database_options(parser: argparse.ArgumentParser, default_db: str) -> None:
    """The options of a benchmark that measures on a generated province: its database,
    and whether to keep it for another run or reuse the one a run kept."""
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--db", default=default_db, help=f"PostgreSQL database name (default {default_db})")
    parser.add_argument("--reuse", action="store_true",
                        help="measure on the database a previous --keep run left (no load)")


@contextmanager
def bench_database(args, *, sqlite: str | None = None):
    """Django set up on a benchmark's database for the ``with`` block: a SQLite file made
    afresh, or the PostgreSQL database ``args.db`` made afresh (``--reuse``: as a ``--keep``
    run left it) and dropped afterwards unless kept or reused."""
    reuse = getattr(args, "reuse", False)
    if sqlite:
        Path(sqlite).unlink(missing_ok=True)
        url = f"sqlite:///{Path(sqlite).resolve()}"
    else:
        if not reuse:
            pg_admin(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {args.db}")
        url = f"{PG_SERVER}/{args.db}"
    setup_django(url)
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if not sqlite and not args.keep and not reuse:
            pg_admin(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")


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
        place = gov.name[:-4]
        name = f"{place}市场监督管理局" if i < len(governments) else f"{place[:-1]}第{i // len(governments)}局"
        departments.append(new(name, gov.level, AgencyKind.DEPARTMENT, gov))
    departments = save_level(departments)
    return province, governments + departments


def _weights(tree, rnd: random.Random) -> dict[int, float]:
    """Each agency's share of the province's work, mean 1: a government above its
    departments, a higher level above a lower, times a log-normal spread (σ 0.6)."""
    base = {("government", "province"): 30.0, ("government", "city"): 8.0, ("government", "county"): 3.0,
            ("department", "province"): 5.0, ("department", "city"): 1.6, ("department", "county"): 0.6}
    raw = {}
    for a in tree:
        kind = "government" if a.kind == "government" else "department"
        raw[a.pk] = base.get((kind, a.level), 1.0) * rnd.lognormvariate(0, 0.6)
    mean = sum(raw.values()) / len(raw)
    return {pk: w / mean for pk, w in raw.items()}


def _count(rnd: random.Random, mean: float) -> int:
    """A whole number whose expected value is ``mean``."""
    whole = int(mean)
    return whole + (rnd.random() < mean - whole)


def _share(rnd: random.Random, shares: dict[str, float]) -> str:
    return rnd.choices(list(shares), weights=list(shares.values()))[0]


def _history(rnd: random.Random, req, n: int, today: dt.date):
    """A request's events after its registration, and its final fields: a correction
    (and perhaps no answer to it), a consultation, an extension, the reply and delivery."""
    from gongkai.foi.models import FoiEvent
    from gongkai.foi.outcomes import Outcome
    from gongkai.foi.workflow import Action, RequestStatus
    from gongkai.oversight.tests.records import noon

    events, day, status = [], req.received_on, RequestStatus.IN_PROGRESS

    def step(action, to_status, on, **data):
        nonlocal status
        events.append(FoiEvent(request=req, action=action, from_status=status, to_status=to_status or status,
                               at=noon(on), on=on, data=data))
        status = to_status or status

    closing = req.closed_on  # None: still open today
    if rnd.random() < 0.08:
        asked = day + dt.timedelta(days=rnd.randrange(2, 6))
        if asked < today and (closing is None or asked < closing):
            step(Action.REQUEST_CORRECTION, RequestStatus.AWAITING_CORRECTION, asked)
            if rnd.random() < 0.15 and asked + dt.timedelta(days=30) < today:  # never corrected
                step(Action.CLOSE_NO_CORRECTION, RequestStatus.CLOSED, asked + dt.timedelta(days=30))
                req.status, req.outcome = RequestStatus.CLOSED, Outcome.OTHER_NO_CORRECTION
                req.closed_on = asked + dt.timedelta(days=30)
                return events
            day = asked + dt.timedelta(days=rnd.randrange(3, 11))
            if closing is not None:
                closing = max(closing, day + dt.timedelta(days=rnd.randrange(1, 20)))
            if day < today:
                step(Action.CORRECTION_RECEIVED, RequestStatus.IN_PROGRESS, day)
    sent = day + dt.timedelta(days=rnd.randrange(1, 4))
    if rnd.random() < 0.03 and sent < today and (closing is None or sent < closing):
        ended = sent + dt.timedelta(days=rnd.randrange(5, 21))
        party = {"party_kind": "third_party", "consultation_id": n, "party": "第三方企业"}
        step(Action.START_CONSULTATION, RequestStatus.CONSULTING, sent, **party)
        if ended < today:
            step(Action.END_CONSULTATION, RequestStatus.IN_PROGRESS, ended, **party)
            if closing is not None:
                closing = max(closing, ended + dt.timedelta(days=rnd.randrange(1, 10)))
    extended = day + dt.timedelta(days=rnd.randrange(15, 26))
    if rnd.random() < 0.06 and extended < min(closing or today, today):
        step(Action.EXTEND, None, extended, days=20)
    if closing is None or closing > today or status != RequestStatus.IN_PROGRESS:
        req.status, req.closed_on, req.outcome = status, None, ""
        return events
    req.closed_on = closing
    req.outcome = _share(rnd, OUTCOME_SHARES)
    step(Action.REPLY, RequestStatus.REPLIED, closing)
    delivered = closing + dt.timedelta(days=rnd.randrange(0, 3))
    if delivered < today:
        step(Action.DELIVER, RequestStatus.DELIVERED, delivered)
    req.status = status
    return events


def _appeal(rnd: random.Random, req, today: dt.date):
    """An administrative review or lawsuit against a refusal, decided when its time has come."""
    from gongkai.foi.models import Appeal

    filed = req.closed_on + dt.timedelta(days=rnd.randrange(10, 60))
    if filed >= today:
        return None
    kind = _share(rnd, APPEAL_SHARES)
    decided = filed + dt.timedelta(days=rnd.randrange(40, 150))
    done = decided < today
    return Appeal(request=req, kind=kind, filed_on=filed, body="云泽省人民政府" if kind == "administrative_review"
                  else "云泽市中级人民法院", outcome=_share(rnd, APPEAL_OUTCOME_SHARES) if done else "pending",
                  decided_on=decided if done else None)


def _publication_text(words, rnd: random.Random) -> tuple[str, str]:
    """A title and a short body from the vocabulary (a notice, a plan, an interpretation…)."""
    kind = rnd.choice(("关于{}的通知", "关于印发{}的通知", "{}工作方案", "关于{}的公告", "{}情况", "{}政策解读"))
    title = kind.format(words.clause(rnd, 2, 4))
    body = "，".join(words.clauses(rnd, rnd.randint(3, 8))) + "。"
    return title[:300], body


def _complaints(markets, weights, rnd: random.Random, total: int, today: dt.date, say) -> int:
    """``total`` complaints of the last year over the market regulators (by weight),
    through the import's own bulk path: rows checked, stored, added to the aggregates."""
    import corpus
    from django.db import transaction

    from gongkai.core import clock
    from gongkai.core.models import User
    from gongkai.hotspots import demo, importer
    from gongkai.hotspots.models import ComplaintImport

    if not markets or total <= 0:
        return 0
    words = corpus.Words(rnd, exponent=1.1, offset=20)
    categories = list(demo.CATEGORIES.items())
    category_weights = [spec[0] for _, spec in categories]
    mapping = {name: i for i, name in enumerate(
        ["source_id", "received_on", "kind", "category", "subject", "region", "department", "summary"])}
    user = User.objects.get_or_create(username="bench-market")[0]
    scale = sum(weights[a.pk] for a in markets)
    stored, n = 0, 0
    for agency in markets:
        count = _count(rnd, total * weights[agency.pk] / scale)
        if not count:
            continue
        batch = ComplaintImport.objects.create(agency=agency, file_name="province.csv", file_sha256=f"{agency.pk:064d}",
                                               file_format="CSV", imported_by=user, imported_at=clock.now())
        for first in range(0, count, BATCH):
            checked, rows = importer.Checked(), []
            for i in range(first, min(first + BATCH, count)):
                n += 1
                category, spec = rnd.choices(categories, weights=category_weights)[0]
                summary = demo._fill(rnd, rnd.choice(spec[3])) + "，".join(words.clauses(rnd, rnd.randint(0, 3)))
                cells = [f"P{n:010d}", (today - dt.timedelta(days=rnd.randrange(365))).isoformat(),
                         demo._pick(rnd, demo.KINDS), category, rnd.choice(spec[1]), demo._pick(rnd, demo.REGIONS),
                         spec[2], summary]
                row = importer.check_row(i + 2, cells, mapping, today=today, checked=checked)
                if row is not None:
                    rows.append(row)
            with transaction.atomic():
                stored += importer.store(agency_id=agency.pk, batch_id=batch.pk, rows=rows)
            say(f"complaints {stored:,}/{total:,}")
        ComplaintImport.objects.filter(pk=batch.pk).update(rows=count, imported=count)
    return stored


def generate(*, agencies: int = 3000, years: int = 10, publications: int = 1_000_000, cities: int = 15,
             counties: int = 10, requests_per_year: int = 3, messages_per_year: int = 3,
             decisions_per_year: int = 2, complaints: int = 200_000, seed: int = SEED,
             today: dt.date | None = None, progress=None) -> dict:
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

    weights = _weights(tree, rnd)

    # Requests with their histories (register, correction, consultation, extension, reply,
    # delivery) and the appeals against some refusals.
    from gongkai.foi.models import Appeal

    reqs, histories, n = [], [], 0
    for a in tree:
        for _ in range(_count(rnd, requests_per_year * years * weights[a.pk])):
            n += 1
            received = day_back(span)
            if (today - received).days < 60:
                if rnd.random() < 0.2:
                    received = today - dt.timedelta(days=60 + rnd.randrange(30))  # overdue
                req = r.request(a, n, received_on=received)
            else:
                late = rnd.random() < 0.05
                closed = received + dt.timedelta(days=rnd.randrange(40, 70) if late else rnd.randrange(1, 25))
                req = r.request(a, n, received_on=received, closed_on=min(closed, today))
            req.applicant_type = _share(rnd, APPLICANT_SHARES)
            register = r.request_events(req)[0]  # the registration, before the history changes req
            histories.append((register, _history(rnd, req, n, today)))
            reqs.append(req)
    reqs = _bulk(FoiRequest, reqs, say)
    events, appeals = [], []
    for req, (register, rest) in zip(reqs, histories, strict=True):
        for event in (register, *rest):
            event.request = req
            events.append(event)
        if req.outcome and not req.outcome.startswith(("disclosed", "other")) and rnd.random() < 0.02:
            appeal = _appeal(rnd, req, today)
            if appeal is not None:
                appeals.append(appeal)
    counts["request_events"] = len(_bulk(FoiEvent, events, say))
    counts["requests"] = len(reqs)
    counts["appeals"] = len(_bulk(Appeal, appeals, say))

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
    import corpus

    words = corpus.Words(random.Random(seed + 1), exponent=1.1, offset=20)
    through = Publication.columns.through
    n, made = 0, 0
    pubs, links = [], []

    def flush():
        nonlocal made
        chunk = Publication.objects.bulk_create(pubs, batch_size=BATCH)
        through.objects.bulk_create([through(publication_id=p.pk, column_id=links[k].pk)
                                     for k, p in enumerate(chunk)], batch_size=BATCH)
        made += len(chunk)
        pubs.clear()
        links.clear()
        say(f"publications {made:,}/{publications:,}")

    for a in tree:
        cols = by_agency[a.pk]
        usable = cols[:5] if a.pk not in neglectful else cols[2:5]  # neglectful: no dynamic items
        for j in range(max(1, _count(rnd, publications * weights[a.pk] / len(tree)))):
            n += 1
            published = day_back(span) if j else today - dt.timedelta(days=rnd.randrange(10))
            late = rnd.random() < 0.03
            written = published - dt.timedelta(days=rnd.randrange(35, 90) if late else rnd.randrange(0, 10))
            title, body = _publication_text(words, rnd)
            pub = r.publication(a, n, written_on=written, published_on=published, user=user, title=title)
            pub.body = body
            pubs.append(pub)
            links.append(usable[0] if j == 0 and a.pk not in neglectful else rnd.choice(usable))
            if len(pubs) >= BATCH:
                flush()
    if pubs:
        flush()
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
    counts["publications"] = made + len(recent)
    # Each column's newest public item, which the bulk writes above did not keep.
    from gongkai.publishing import column_dates

    column_dates.repair()

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
        for _ in range(_count(rnd, decisions_per_year * years * weights[a.pk])):
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
        for _ in range(_count(rnd, messages_per_year * years * weights[a.pk])):
            n += 1
            received = day_back(span)
            if (today - received).days < 20 or rnd.random() < 0.01:
                msgs.append(r.message(a, n, received_on=received))
            else:
                msgs.append(r.message(a, n, received_on=received,
                                      replied_on=received + dt.timedelta(days=rnd.randrange(1, 10))))
    counts["messages"] = len(_bulk(Message, msgs, say))
    markets = [a for a in tree if a.name.endswith("市场监督管理局")]
    counts["complaints"] = _complaints(markets, weights, rnd, complaints, today, say)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    del timezone
    return {**counts, "root": root, "supervisor": supervisor}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", action="store_true", help="a database on local PostgreSQL (--db)")
    where.add_argument("--sqlite", metavar="PATH", help="a SQLite file (created)")
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--publications", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--db", default="gongkai_province", help="the PostgreSQL database (created afresh)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args()
    with bench_database(args, sqlite=args.sqlite):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        counts = generate(agencies=args.agencies, years=args.years, publications=args.publications,
                          complaints=args.complaints,
                          progress=lambda t: print(f"\r{t:<60}", end="", flush=True) if sys.stdout.isatty() else None)
        print(f"\rloaded in {time.perf_counter() - started:.0f} s: "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items() if isinstance(v, int)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
