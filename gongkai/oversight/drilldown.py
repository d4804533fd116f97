"""The records behind a figure of the compliance table, for one agency or its subtree,
found by the same queries and rules as the figure (``oversight.compliance``), so the list
has exactly as many records as the figure counts.

Identifiers and titles only: tracking numbers, index numbers, document numbers, column
names, dates — never an applicant's or a writer's name or contact details."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from gongkai.core.models import Agency
from gongkai.core.selectors import get_working_day_calendar
from gongkai.decisions import rules as decision_rules
from gongkai.decisions.models import DecisionKind
from gongkai.foi.models import FoiRequest
from gongkai.interaction.models import Message
from gongkai.interaction.workflow import ANSWERED_STATUSES, MessageStatus
from gongkai.oversight import compliance, rules
from gongkai.publishing import rules as publishing_rules
from gongkai.publishing.selectors.freshness import freshness_report
from gongkai.publishing.selectors.normative import (
    InterpretationState,
    interpretation_limits,
    interpretation_status,
)
from gongkai.random_inspections.selectors.results import late_tasks

LIMIT = 500  # records listed at most; the count says how many there are


@dataclass
class Drilldown:
    key: str
    title: str
    basis: str
    headers: list[str]
    rows: list[list[tuple[str, str]]] = field(default_factory=list)  # (text, url) per cell
    total: int = 0

    def add(self, *cells) -> None:
        self.total += 1
        if len(self.rows) < LIMIT:
            self.rows.append([c if isinstance(c, tuple) else _c(c) for c in cells])


def _scope(path_or_agency: Agency, subtree: bool) -> tuple[str, set[int] | None]:
    """The path prefix to query, and the agency ids to keep (None: the whole subtree)."""
    return path_or_agency.path, (None if subtree else {path_or_agency.pk})


def _keep(ids, agency_id) -> bool:
    return ids is None or agency_id in ids


def _c(text, url: str = "") -> tuple[str, str]:
    return ("—" if text is None or text == "" else str(text), url)


def replies(agency: Agency, year: int, subtree: bool, as_of: dt.date, names: dict[int, str]) -> Drilldown:
    path, ids = _scope(agency, subtree)
    calendar = get_working_day_calendar()
    memo = compliance._DeadlineMemo(calendar)
    fee = compliance._fee_settings(path)
    finished = Q(agency__path__startswith=path, closed_on__year=year, received_on__isnull=False) & ~Q(outcome="")
    events = compliance._request_events(Q(request__in=FoiRequest.objects.filter(finished).values("pk")))
    d = Drilldown("replies", f"{year}年办结的申请（按时答复率、平均答复工作日）", rules.BY_KEY["on_time_rate"].basis,
                  ["申请编号", "机关", "收到日期", "办结日期", "用时（工作日）", "是否按时"])
    rows = []
    for pk, agency_id, number, received_on, closed_on in FoiRequest.objects.filter(finished).values_list(
            "pk", "agency_id", "tracking_number", "received_on", "closed_on"):
        if not _keep(ids, agency_id):
            continue
        result = compliance.request_clock(memo, events.get(pk, []), fee.get(agency_id, True), closed_on)
        if result is None:
            continue
        rows.append((not result[0], closed_on, pk, number, agency_id, received_on, result))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))  # late first
    for on_time, closed_on, pk, number, agency_id, received_on, (_overdue, days) in rows:
        d.add(_c(number, reverse("staff:foi-detail", args=[pk])), names.get(agency_id, ""), received_on, closed_on,
              days, "按时" if on_time else "逾期")
    return d


def publications_late(agency: Agency, year: int, subtree: bool, as_of: dt.date, names) -> Drilldown:
    path, ids = _scope(agency, subtree)
    calendar = get_working_day_calendar()
    d = Drilldown("publications_late", f"{year}年超期公开的政府信息", rules.BY_KEY["publications_late"].basis,
                  ["索引号", "标题", "机关", "成文日期", "应公开日期", "发布日期", "用时（工作日）"])
    rows = compliance.late_publication_rows(path, year).values_list(
        "pk", "agency_id", "index_number", "title", "written_on", "published_on").order_by("published_on", "pk")
    for pk, agency_id, index_number, title, written_on, published_on in rows:
        due = publishing_rules.publication_deadline(written_on, calendar=calendar)
        if published_on > due and _keep(ids, agency_id):
            d.add(_c(index_number, reverse("staff:publishing-detail", args=[pk])), title, names.get(agency_id, ""),
                  written_on, due, published_on, calendar.working_days_between(written_on, published_on))
    return d


def normative_uninterpreted(agency: Agency, year: int, subtree: bool, as_of: dt.date, names) -> Drilldown:
    path, ids = _scope(agency, subtree)
    calendar = get_working_day_calendar()
    d = Drilldown("normative_uninterpreted", "现行有效、逾期未解读的规章和规范性文件",
                  rules.BY_KEY["normative_uninterpreted"].basis,
                  ["文号", "名称", "机关", "发布日期", "解读期限"])
    docs = list(compliance.uninterpreted_rows(path, as_of).values_list(
        "pk", "agency_id", "doc_number", "title", "issued_on").order_by("issued_on", "pk"))
    limits = interpretation_limits({r[1] for r in docs})
    for _pk, agency_id, doc_number, title, issued_on in docs:
        status = interpretation_status(issued_on=issued_on, first_interpreted_on=None, limit_days=limits[agency_id],
                                       today=as_of, calendar=calendar)
        if status.state == InterpretationState.OVERDUE and _keep(ids, agency_id):
            d.add(doc_number, title, names.get(agency_id, ""), issued_on, status.due_on)
    return d


def decisions_late(agency: Agency, year: int, subtree: bool, as_of: dt.date, names) -> Drilldown:
    path, ids = _scope(agency, subtree)
    calendar = get_working_day_calendar()
    d = Drilldown("decisions_late", f"{year}年超期公示的行政许可、行政处罚等决定", rules.BY_KEY["decisions_late"].basis,
                  ["决定文书号", "类别", "机关", "决定日期", "应公示日期", "公示日期"])
    kinds = dict(DecisionKind.choices)
    rows = compliance.late_decision_rows(path, year).values_list(
        "pk", "agency_id", "number", "kind", "decision_date", "published_on").order_by("published_on", "pk")
    for pk, agency_id, number, kind, decision_date, published_on in rows:
        due = decision_rules.publication_due_on(kind, decision_date, calendar=calendar)
        if published_on > due and _keep(ids, agency_id):
            d.add(_c(number, reverse("staff:decision-detail", args=[pk])), kinds.get(kind, kind),
                  names.get(agency_id, ""), decision_date, due, published_on)
    return d


def _columns(agency: Agency, subtree: bool, as_of: dt.date, names, *, stale: bool) -> Drilldown:
    path, ids = _scope(agency, subtree)
    key = "columns_stale" if stale else "columns_blank"
    title = "未按期更新的栏目" if stale else "空白栏目（从未发布信息）"
    d = Drilldown(key, title, rules.BY_KEY[key].basis, ["机关", "栏目", "栏目类型", "最近发布", "距今天数", "更新周期（天）"])
    grouped = compliance.columns_of_subtree(path, agency_id=None if subtree else agency.pk)
    for agency_id, columns in sorted(grouped.items()):
        if not _keep(ids, agency_id):
            continue
        report = freshness_report(columns, today=as_of)
        for col in (report.stale if stale else report.blank):
            d.add(names.get(agency_id, ""), col.name, col.kind_label, col.last_published_on, col.days_since,
                  col.limit_days)
    return d


def columns_stale(agency, year, subtree, as_of, names) -> Drilldown:
    return _columns(agency, subtree, as_of, names, stale=True)


def columns_blank(agency, year, subtree, as_of, names) -> Drilldown:
    return _columns(agency, subtree, as_of, names, stale=False)


def report_missing(agency: Agency, year: int, subtree: bool, as_of: dt.date, names) -> Drilldown:
    c = compliance.Compliance(root=agency, year=year, report_year=year - 1, as_of=as_of,
                              agencies=compliance.subtree_agencies(agency) if subtree else [agency])
    c.figures = {a.pk: compliance.Figures() for a in c.agencies}
    c.status = {a.pk: compliance.AgencyStatus() for a in c.agencies}
    compliance.report_figures(c)
    d = Drilldown("report_missing", f"{year - 1}年度政府信息公开工作年度报告", rules.BY_KEY["report_missing"].basis,
                  ["机关", "报告状态", "发布期限", "发布日期", "结论"])
    for a in sorted(c.agencies, key=lambda a: (-c.figures[a.pk].report_missing, a.path)):
        s, fig = c.status[a.pk], c.figures[a.pk]
        if s.report_published_on:
            verdict = "逾期发布" if fig.report_missing else "按时发布"
        else:
            verdict = "逾期未发布" if fig.report_missing else "尚未到期"
        d.add(a.name, s.report_state_label, s.report_deadline, s.report_published_on, verdict)
    return d


def messages(agency: Agency, year: int, subtree: bool, as_of: dt.date, names) -> Drilldown:
    path, ids = _scope(agency, subtree)
    d = Drilldown("messages", f"{year}年收到的留言（办结率）", rules.BY_KEY["messages_finish_rate"].basis,
                  ["留言编号", "机关", "收到日期", "状态", "答复日期", "是否办结"])
    statuses = dict(MessageStatus.choices)
    done = {*ANSWERED_STATUSES, MessageStatus.DISMISSED}
    rows = Message.objects.filter(agency__path__startswith=path, received_on__year=year).values_list(
        "agency_id", "tracking_number", "received_on", "status", "replied_on").order_by("received_on", "pk")
    listed = [r for r in rows if _keep(ids, r[0])]
    listed.sort(key=lambda r: r[3] in done)  # unfinished first
    for agency_id, number, received_on, status, replied_on in listed:
        d.add(number, names.get(agency_id, ""), received_on, statuses.get(status, status), replied_on,
              "已办结" if status in done else "未办结")
    return d


def messages_unanswered(agency: Agency, year: int, subtree: bool, as_of: dt.date, names) -> Drilldown:
    path, ids = _scope(agency, subtree)
    d = Drilldown("messages_unanswered", "超过3个月未答复的留言", rules.BY_KEY["messages_unanswered"].basis,
                  ["留言编号", "机关", "提交日期", "本机关收到日期", "状态"])
    statuses = dict(MessageStatus.choices)
    rows = compliance.unanswered_rows(path, as_of).values_list(
        "agency_id", "tracking_number", "submitted_at", "received_on", "status").order_by("submitted_at")
    for agency_id, number, submitted_at, received_on, status in rows:
        if _keep(ids, agency_id) and compliance.is_unanswered_too_long(submitted_at, as_of):
            d.add(number, names.get(agency_id, ""), submitted_at.date(), received_on, statuses.get(status, status))
    return d


def ri_results_late(agency: Agency, year: int, subtree: bool, as_of: dt.date, names) -> Drilldown:
    path, ids = _scope(agency, subtree)
    d = Drilldown("ri_results_late", f"{year}年抽查结果未按期公示的双随机抽查任务", rules.BY_KEY["ri_results_late"].basis,
                  ["任务编号", "任务名称", "机关", "结束日期", "公示期限", "抽取户数", "已公示户数", "最后公示日期"])
    for task in late_tasks(path=path, year=year, as_of=as_of):
        if _keep(ids, task.agency_id):
            d.add(_c(task.number, reverse("staff:ri-task-results", kwargs={"pk": task.pk})), task.title,
                  names.get(task.agency_id, ""), task.ends_on, task.due_on, task.targets, task.published,
                  task.last_published_on)
    return d


DRILLDOWNS = {
    "on_time_rate": replies,
    "avg_reply_days": replies,
    "publications_late": publications_late,
    "normative_uninterpreted": normative_uninterpreted,
    "decisions_late": decisions_late,
    "columns_stale": columns_stale,
    "columns_blank": columns_blank,
    "report_missing": report_missing,
    "messages_finish_rate": messages,
    "messages_unanswered": messages_unanswered,
    "ri_results_late": ri_results_late,
}


def drilldown(*, agency: Agency, key: str, year: int, subtree: bool, as_of: dt.date) -> Drilldown:
    """The records behind figure ``key`` of ``agency`` (with its subtree when asked); the
    caller checked the agency is overseeable."""
    func = DRILLDOWNS.get(key)
    if func is None:
        raise Http404("没有这个指标")
    if subtree:
        names = {a.pk: a.name for a in compliance.subtree_agencies(agency)}
    else:
        names = {agency.pk: agency.name}
    return func(agency, year, subtree, as_of, names)
