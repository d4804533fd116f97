"""Search over every public object (issue 14): items found by their topic's and columns'
names; annual reports, decisions and guides indexed when they are published or changed
and taken out when withdrawn, through the same events as items; interpretations and
normative documents told apart; facets by kind; the search page."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.services import agencies as agency_services
from gongkai.core.tests.helpers import at
from gongkai.decisions import services as decision_services
from gongkai.decisions.models import DecisionStatus, PartyType
from gongkai.decisions.tests.conftest import DecisionFactory
from gongkai.portal import search
from gongkai.portal.search import SearchQuery, documents, sources, stats
from gongkai.publishing.services import normative as normative_services
from gongkai.reports.tests import test_services as report_tests

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached")]

PERSON_ID = "110101199003077777"


def found(text, **kwargs) -> tuple[int, list[tuple[str, str]]]:
    """(total, sorted (kind, title)) of every match, all pages."""
    hits, page = [], 1
    while True:
        results = search.search(SearchQuery(text=text, page=page, per_page=100, **kwargs))
        hits += [(h.kind, h.title) for h in results.hits]
        if page >= max(results.num_pages, 1):
            return results.total, sorted(hits)
        page += 1


def titles(text, **kwargs) -> set[str]:
    return {title for _, title in found(text, **kwargs)[1]}


# --- items: the topic's and the columns' names ------------------------------------------------


def test_a_topic_name_finds_every_item_filed_under_the_topic(site):
    food = site["food"]  # 市场监管、安全生产监管
    under = {p.title for p in (site["sampling"], site["recall"])}
    assert titles("安全生产监管") == under
    # "市场监管": the two items of the topic, and the item in the column 消费市场监管
    assert titles("市场监管") >= under | {site["news"].title}
    assert titles("市场监管") == {p.title for p in (site["sampling"], site["recall"], site["news"])}
    # and the topic filter agrees with the name
    assert titles("监管", topic_id=food.pk) == under


def test_a_column_name_finds_the_items_listed_in_it_and_in_its_sub_columns(site):
    assert site["recall"].title in titles("产品召回信息")
    assert titles("抽检计划及结果发布") == {site["sampling"].title}  # the withdrawn one is not


# --- annual reports ----------------------------------------------------------------------------


# The reports' own fixtures: a year of records and a started report.
records = report_tests.records
report = report_tests.report


def test_an_annual_report_is_found_by_its_agency_and_year_once_published(report, office, leader, bureau):
    from gongkai.reports.tests.test_public_views import publish

    title = f"{bureau.name}2025年政府信息公开工作年度报告"
    assert found(title) == (0, [])  # a draft is not public
    publish(report, office, leader)
    total, hits = found(title)
    assert (total, hits) == (1, [("report", title)])
    results = search.search(SearchQuery(text="2025年政府信息公开工作年度报告"))
    assert results.hits[0].url == reverse("portal:annual-report-detail", args=[bureau.code, 2025])
    assert results.hits[0].date == report.published_on
    assert search.verify_index().ok


# --- decisions ---------------------------------------------------------------------------------


@pytest.fixture
def decisions(bureau):
    at(dt.date(2025, 3, 6))
    company = DecisionFactory(agency=bureau, status=DecisionStatus.PENDING, published_on=None,
                              party_name="青岚市宏达食品贸易有限公司", matter="销售过期食品")
    person = DecisionFactory(agency=bureau, status=DecisionStatus.PENDING, published_on=None,
                             party_name="张三丰", party_type=PartyType.NATURAL_PERSON,
                             party_uscc="", party_id_number=PERSON_ID,
                             content="对张三丰罚款500元", fine_amount=500)
    return {"company": company, "person": person}


def test_a_decision_is_found_by_its_party_once_published_and_leaves_when_withdrawn(
    decisions, office
):
    company = decisions["company"]
    assert found("宏达食品") == (0, [])  # held back at import: not public
    decision_services.decision_publish(actor=office, decision=company)
    total, hits = found("宏达食品")
    assert total == 1 and hits[0][0] == "decision"
    assert found(company.number)[0] == 1
    assert found("过期食品", kind="decision")[0] == 1
    decision_services.decision_withdraw(actor=office, decision=company,
                                        changed_on=clock.today(), reason="决定已变更")
    assert found("宏达食品") == (0, [])
    assert search.verify_index().ok


def test_a_natural_persons_name_and_id_number_are_never_indexed(decisions, office):
    person = decisions["person"]
    decision_services.decision_publish(actor=office, decision=person)
    assert found("罚款500元")[0] == 1  # found by what the public page shows ...
    assert found("张三丰") == (0, [])  # ... never by the name the page masks
    assert found("三丰") == (0, [])
    assert found(PERSON_ID) == (0, [])
    tokens = search._backend().indexed_tokens(documents.doc_id(sources.DECISION, person.pk))
    assert "三丰" not in tokens and "7777" not in tokens
    hit = search.search(SearchQuery(text="罚款500元")).hits[0]
    assert "三丰" not in hit.title + hit.snippet_html


def test_a_decision_leaves_the_results_the_day_after_its_period_and_sync_takes_it_out(
    bureau, office
):
    at(dt.date(2025, 3, 6))
    decision = DecisionFactory(agency=bureau, status=DecisionStatus.PENDING, published_on=None,
                               party_name="青岚市短期公示有限公司",
                               publication_ends_on=dt.date(2025, 4, 30))
    decision_services.decision_publish(actor=office, decision=decision)
    at(dt.date(2025, 4, 30))
    assert found("短期公示")[0] == 1
    at(dt.date(2025, 5, 1))
    assert found("短期公示") == (0, [])  # no job has run: excluded by its last day
    assert found("短期公示", kind="decision") == (0, [])
    assert search.sync_decisions() == (0, 1)
    assert found("短期公示") == (0, [])
    assert stats.expired_docs(clock.today()) == []
    assert search.verify_index().ok


def test_decisions_of_an_import_are_indexed_with_the_import(bureau, office, decisions):
    batch_items = [decisions["company"], decisions["person"]]
    from gongkai.core import listeners

    # (the importer emits the event with the decisions it saved)
    for d in batch_items:
        d.status, d.published_on = DecisionStatus.PUBLISHED, clock.today()
        d.save()
    listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, batch_items, True)
    assert found("宏达食品")[0] == 1


# --- guides, interpretations, normative documents ---------------------------------------------


def test_the_guide_is_found_and_follows_the_agencys_edits(bureau, platform_admin):
    agency_services.agency_update(actor=platform_admin, agency=bureau, reason="更新联系方式",
                                  address="青岚市人民路88号")
    title = f"{bureau.name}政府信息公开指南"
    assert found("人民路88号") == (1, [("guide", title)])
    hit = search.search(SearchQuery(text="人民路88号")).hits[0]
    assert hit.url == reverse("portal:agency-guide", args=[bureau.code]) and hit.date is None
    agency_services.agency_update(actor=platform_admin, agency=bureau, reason="搬迁",
                                  address="青岚市新华路1号")
    assert found("人民路88号") == (0, [])
    assert found("新华路1号") == (1, [("guide", title)])
    agency_services.agency_update(actor=platform_admin, agency=bureau, reason="撤销",
                                  is_active=False)
    assert found("新华路1号") == (0, [])


def test_interpretations_and_normative_documents_are_their_own_kinds(site, publisher, office, bureau):
    at(dt.date(2026, 3, 10))
    notices = [site["columns"]["通知公告"]]
    regulation = publisher.publish("青岚市食品摊贩管理办法", body="<p>摊贩登记。</p>",
                                   columns=notices)
    explained = publisher.publish("《青岚市食品摊贩管理办法》政策解读", body="<p>摊贩登记解读。</p>",
                                  columns=notices)
    assert {k for k, _ in found("摊贩")[1]} == {"publication"}
    document = normative_services.normative_document_register(
        actor=office, agency=bureau, kind="normative_document", title=regulation.title,
        doc_number="青市监规〔2026〕1号", issued_on=dt.date(2026, 3, 10), publication=regulation)
    normative_services.interpretation_add(
        actor=office, document=document, form="text", title=explained.title,
        published_on=dt.date(2026, 3, 10), publication=explained)
    assert found("摊贩")[1] == sorted([("normative", regulation.title),
                                       ("interpretation", explained.title)])
    assert found("摊贩", kind="interpretation") == (1, [("interpretation", explained.title)])
    assert found("摊贩", kind="normative") == (1, [("normative", regulation.title)])
    assert found("摊贩", kind="publication") == (0, [])
    # both are items: the publications API's search finds them
    assert search.search_publications(SearchQuery(text="摊贩")).total == 2


# --- facets ------------------------------------------------------------------------------------


def test_facets_count_every_kind_and_the_kind_filter_agrees(site, decisions, office, platform_admin, bureau):
    decision_services.decision_publish(actor=office, decision=decisions["company"])
    agency_services.agency_update(actor=platform_admin, agency=bureau, reason="更新",
                                  office_hours="工作日食品安全咨询")
    results = search.search(SearchQuery(text="食品"))
    facets = results.facets
    assert list(facets) == list(documents.KINDS)
    assert facets["decision"] == 1 and facets["guide"] == 1
    assert facets["publication"] == 1  # the sampling notice (the withdrawn one is not)
    assert results.total == sum(facets.values()) == 3
    for kind, n in facets.items():
        narrowed = search.search(SearchQuery(text="食品", kind=kind))
        assert narrowed.total == n and narrowed.facets == facets
        assert {h.kind for h in narrowed.hits} <= {kind}
    # the agency filter narrows the facets too
    other = search.search(SearchQuery(text="食品", agency_id=bureau.parent_id))
    assert other.facets == facets  # the bureau is under its parent
    assert search.verify_index().ok
    search.rebuild_index()
    assert search.search(SearchQuery(text="食品")).facets == facets
    assert search.verify_index().ok


def test_the_search_page_shows_facets_kinds_and_links(client, site, decisions, office):
    decision_services.decision_publish(actor=office, decision=decisions["company"])
    page = client.get(reverse("portal:search"), {"q": "食品"}).content.decode()
    assert 'id="search-facets"' in page
    assert "许可和处罚决定（1）" in page and "政府信息（1）" in page
    assert reverse("portal:decision-list", args=[decisions["company"].agency.code]) in page
    narrowed = client.get(reverse("portal:search"), {"q": "食品", "kind": "decision"})
    html = narrowed.content.decode()
    assert "找到1条与“食品”相关的许可和处罚决定" in html
    assert site["sampling"].title not in html
    bad = client.get(reverse("portal:search"), {"q": "食品", "kind": "nope"}).content.decode()
    assert "没有该信息类别" in bad and "找到2条" in bad


def test_the_sync_command_takes_out_ended_decisions(bureau, office, capsys):
    from django.core.management import call_command

    at(dt.date(2025, 3, 6))
    decision = DecisionFactory(agency=bureau, status=DecisionStatus.PENDING, published_on=None,
                               party_name="青岚市命令测试有限公司",
                               publication_ends_on=dt.date(2025, 4, 30))
    decision_services.decision_publish(actor=office, decision=decision)
    at(dt.date(2025, 5, 2))
    call_command("search", "sync")
    assert "0 decisions added, 1 removed" in capsys.readouterr().out
    call_command("search", "verify")
    assert "search index OK" in capsys.readouterr().out
