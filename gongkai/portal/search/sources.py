"""The public objects that are not items (issue 14): annual reports, licensing and
penalty decisions, agencies' guides. For each model: which of its objects the public may
see (the owning app's own rules: ``reports.selectors``, ``decisions.selectors``/``rules``,
``core.selectors``), the document the index holds for one, and how a hit shows it (title,
text for the snippet, public URL, date).

The text indexed is the text the public page shows: a decision's party and summary go
in as ``decisions.selectors.public_row`` gives them (a natural person's name masked, a
resident ID number blanked), never the stored values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse

from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.portal.search import documents
from gongkai.portal.search.documents import Document

REPORT, DECISION, GUIDE = "report", "decision", "guide"

# The guide's headings (templates/portal/agency_guide.html): the same for every agency.
GUIDE_HEADINGS = (
    "政府信息公开工作机构及联系方式", "主动公开", "依申请公开", "申请方式", "申请渠道",
    "办理和答复期限", "收费", "监督和救济",
)


@dataclass(frozen=True)
class Shown:
    """What a hit shows of an object (already as the public page shows it)."""

    kind: str
    title: str
    texts: tuple[str, ...]
    url: str
    agency: Agency
    date: dt.date | None
    doc_number: str = ""
    obj: object = None


# --- annual reports (published versions only) -------------------------------------------------


def _report_shown(report) -> Shown:
    from gongkai.reports.document import report_title

    version = report.published_version
    return Shown(
        kind=REPORT,
        title=report_title(version.agency_name, report.year),
        texts=(version.preamble, *(str(v) for v in (version.prose or {}).values())),
        url=reverse("portal:annual-report-detail", args=[report.agency.code, report.year]),
        agency=report.agency,
        date=report.published_on or version.published_on,
        obj=report,
    )


def public_reports(pks=None):
    from gongkai.reports.models import AnnualReport

    qs = AnnualReport.objects.filter(published_version__isnull=False).select_related(
        "agency", "published_version")
    return qs.filter(pk__in=pks) if pks is not None else qs


# --- decisions (published, within their publication period today) -------------------------------


def _decision_shown(decision) -> Shown:
    from gongkai.decisions import selectors as decision_selectors

    row = decision_selectors.public_row(decision)
    return Shown(
        kind=DECISION,
        title=f"{row.kind}决定：{row.party}",
        texts=(row.party, row.uscc, row.matter, row.content, row.basis, row.penalty_types,
               row.deciding_body),
        url=reverse("portal:decision-list", args=[decision.agency.code]) + f"?kind={decision.kind}",
        agency=decision.agency,
        date=decision.published_on,
        doc_number=row.number,
        obj=decision,
    )


def public_decisions(pks=None, *, today: dt.date | None = None) -> list[tuple[object, dt.date | None]]:
    """(decision, last day shown) of the decisions the public sees today, agency by agency
    (each agency has its own small-fine limits, hence its own periods)."""
    from gongkai.decisions import rules
    from gongkai.decisions import selectors as decision_selectors
    from gongkai.decisions.models import Decision, DecisionStatus

    today = today or clock.today()
    published = Decision.objects.filter(status=DecisionStatus.PUBLISHED)
    if pks is not None:
        published = published.filter(pk__in=pks)
    out = []
    agency_ids = sorted(set(published.values_list("agency_id", flat=True)))
    for agency in Agency.objects.filter(pk__in=agency_ids).order_by("pk"):
        limits = decision_selectors.fine_limits_for(agency)
        qs = decision_selectors.within_period(
            published.filter(agency=agency), today=today, limits=limits
        ).select_related("agency").order_by("pk")
        out += [(d, rules.last_day_shown(d, limits)) for d in qs]
    return out


# --- guides (active agencies: an inactive agency's pages are gone) ------------------------------


def _guide_shown(agency) -> Shown:
    fields = (agency.name, agency.address, agency.postal_code, agency.office_hours, agency.phone,
              agency.fax, agency.email)
    return Shown(
        kind=GUIDE,
        title=f"{agency.name}政府信息公开指南",
        texts=(*(f for f in fields if f), *GUIDE_HEADINGS),
        url=reverse("portal:agency-guide", args=[agency.code]),
        agency=agency,
        date=None,
        obj=agency,
    )


def public_guides(pks=None):
    qs = Agency.objects.filter(is_active=True)
    return qs.filter(pk__in=pks) if pks is not None else qs


# --- documents ------------------------------------------------------------------------------------


def expiry_token(document_id: int) -> str:
    """Carried by a decision whose publication ends: excluded at query time once the day
    has passed (until ``sync`` takes it out)."""
    return documents.filter_token("dc", document_id)


def _document(model: str, shown: Shown, *, last_day: dt.date | None = None) -> Document:
    document_id = documents.doc_id(model, shown.obj.pk)
    return documents.make(
        document_id,
        day=shown.date,
        agency_id=shown.agency.pk,
        agency_path=shown.agency.path,
        kind=shown.kind,
        title=shown.title,
        doc_number=shown.doc_number,
        texts=shown.texts,
        extra_filters=[expiry_token(document_id)] if last_day else [],
    )


def documents_of(model: str, pks=None) -> tuple[list[Document], dict[int, dt.date]]:
    """The documents of the model's public objects (all, or those of ``pks``), and the
    last day shown of those whose publication ends (decisions)."""
    if model == REPORT:
        return [_document(REPORT, _report_shown(r)) for r in public_reports(pks)], {}
    if model == GUIDE:
        return [_document(GUIDE, _guide_shown(a)) for a in public_guides(pks)], {}
    if model == DECISION:
        docs, last_days = [], {}
        for decision, last_day in public_decisions(pks):
            doc = _document(DECISION, _decision_shown(decision), last_day=last_day)
            docs.append(doc)
            if last_day:
                last_days[doc.publication_id] = last_day
        return docs, last_days
    raise ValueError(model)


def expected_keys() -> dict[int, int]:
    """document id → row key of every public object of these models (``verify``)."""
    out = {}
    for model in (REPORT, DECISION, GUIDE):
        for doc in documents_of(model)[0]:
            out[doc.publication_id] = doc.key
    return out


# --- showing hits --------------------------------------------------------------------------------


def shown_many(model: str, pks: list[int]) -> dict[int, Shown]:
    """pk → Shown for the public ones of ``pks`` (one query; a decision's period is the
    index's business: it is excluded once over, see ``expiry_token``)."""
    if model == REPORT:
        return {r.pk: _report_shown(r) for r in public_reports(pks).filter(agency__is_active=True)}
    if model == GUIDE:
        return {a.pk: _guide_shown(a) for a in public_guides(pks)}
    if model == DECISION:
        from gongkai.decisions.models import Decision, DecisionStatus

        qs = Decision.objects.filter(pk__in=pks, status=DecisionStatus.PUBLISHED,
                                     agency__is_active=True).select_related("agency")
        return {d.pk: _decision_shown(d) for d in qs}
    raise ValueError(model)


def group_ids(document_ids) -> dict[str, list[int]]:
    by_model: dict[str, list[int]] = defaultdict(list)
    for document_id in document_ids:
        model, pk = documents.split_doc_id(document_id)
        by_model[model].append(pk)
    return by_model
