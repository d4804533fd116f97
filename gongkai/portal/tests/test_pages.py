"""The public pages over HTTP: what an anonymous visitor sees of the catalogue, and what
they never see (withdrawn items, drafts, inactive agencies, columns and attachments)."""

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.publishing.models import Column, Publication, PublicationAttachment
from gongkai.publishing.services import normative

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached")]


def text_of(response) -> str:
    return response.content.decode()


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


def assert_no_inline_style_or_script(html: str) -> None:
    """The CSP forbids inline scripts and style attributes: a page must not need them."""
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script>"
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert "<style" not in html


# --- shell -------------------------------------------------------------------------------


def test_every_public_page_has_the_skip_link_main_landmark_and_navigation(site, client):
    bureau = site["news"].agency
    pages = [url("home"), url("agency-home", bureau.code), url("agency-guide", bureau.code),
             url("agency-normative", bureau.code), url("column-detail", site["columns"]["新闻动态"].pk),
             url("publication-detail", site["news"].pk), url("apply"), url("status")]
    for page in pages:
        html = text_of(client.get(page))
        assert '<html lang="zh-CN"' in html, page
        skip = html.index('class="skip-link" href="#main"')
        assert skip < html.index("<nav"), f"{page}: the skip link is not the first link"
        assert '<main id="main"' in html, page
        nav = html[html.index('aria-label="站点导航"'):]
        for label in ("首页", "信息检索", "申请公开", "申请进度查询", "许可处罚公示"):
            assert f">{label}</a>" in nav, f"{page}: navigation lacks {label}"
        assert_no_inline_style_or_script(html)


def test_inner_pages_have_breadcrumbs_back_to_the_agency(site, client):
    bureau = site["news"].agency
    html = text_of(client.get(url("publication-detail", site["news"].pk)))
    crumbs = html[html.index('aria-label="当前位置"'):html.index("</nav>", html.index('aria-label="当前位置"'))]
    assert f'href="{url("home")}"' in crumbs
    assert f'href="{url("agency-home", bureau.code)}"' in crumbs
    assert 'aria-current="page"' in crumbs


def test_an_unknown_address_gets_the_chinese_not_found_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在（404）" in text_of(response)
    assert_no_inline_style_or_script(text_of(response))


# --- home --------------------------------------------------------------------------------


def test_home_lists_the_newest_public_items_and_never_withdrawn_ones_or_drafts(site, client):
    html = text_of(client.get(url("home")))
    titles = [site[k].title for k in ("news", "recall", "sampling")]
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions), "newest first"
    assert site["withdrawn"].title not in html
    assert site["draft"].title not in html
    assert f'href="{url("publication-detail", site["news"].pk)}"' in html


def test_home_offers_search_key_areas_quick_links_and_every_agency(site, client, tree):
    html = text_of(client.get(url("home")))
    assert f'action="{url("search")}"' in html and 'name="q"' in html
    # Key areas: topics with their number of public items (the withdrawn one not counted).
    assert re.search(rf'\?topic={site["food"].pk}&amp;order=date">{site["food"].name}</a> '
                     r'<span class="muted">（2条）</span>', html)
    assert f'href="{url("apply")}"' in html
    for agency in tree.values():
        assert f'href="{url("agency-home", agency.code)}">{agency.name}</a>' in html
        assert f'href="{url("agency-guide", agency.code)}"' in html


def test_home_leaves_out_inactive_agencies(site, client, tree):
    Agency.objects.filter(pk=tree["other"].pk).update(is_active=False)
    html = text_of(client.get(url("home")))
    assert tree["other"].name not in html
    assert tree["bureau"].name in html


# --- agency home, guide, normative documents ----------------------------------------------


def test_agency_home_shows_the_catalogue_with_counts_of_public_items(site, client, bureau):
    html = text_of(client.get(url("agency-home", bureau.code)))
    cols = site["columns"]

    def count(name):
        match = re.search(rf'href="{url("column-detail", cols[name].pk)}">{name}</a> '
                          r'<span class="muted">（(\d+)条）</span>', html)
        assert match, name
        return int(match.group(1))

    # The news item is in two key-area columns... and counted once in the parent.
    assert count("重点领域信息") == 3
    assert count("抽检计划及结果发布") == 1  # the withdrawn item is not counted
    assert count("新闻动态") == 1
    assert count("通知公告") == 0  # the draft is not counted
    assert count("政策文件") == 0
    assert html.index(">重点领域信息<") < html.index(">抽检计划及结果发布<")


def test_agency_home_links_the_guide_reports_normative_documents_and_the_form(site, client, bureau):
    html = text_of(client.get(url("agency-home", bureau.code)))
    for target in (url("agency-guide", bureau.code), url("agency-normative", bureau.code),
                   url("annual-report-list", bureau.code), f'{url("apply")}?agency={bureau.code}'):
        assert f'href="{target}"' in html, target
    assert site["news"].title in html and site["withdrawn"].title not in html


def test_agency_pages_of_an_unknown_or_inactive_agency_are_not_found(site, client, bureau):
    for name in ("agency-home", "agency-guide", "agency-normative"):
        assert client.get(url(name, "NOSUCHCODE")).status_code == 404
    Agency.objects.filter(pk=bureau.pk).update(is_active=False)
    for name in ("agency-home", "agency-guide", "agency-normative"):
        response = client.get(url(name, bureau.code))
        assert response.status_code == 404
        assert "页面不存在" in text_of(response)


def _row(html: str, label: str) -> str:
    match = re.search(rf'<th scope="row">{label}</th><td>(.*?)</td>', html)
    assert match, label
    return match.group(1)


def test_guide_shows_the_offices_contacts_and_says_when_one_is_missing(client, bureau):
    Agency.objects.filter(pk=bureau.pk).update(
        address="青岚市滨河区政务路1号", postal_code="350100", phone="0591-12345678",
        fax="", email="", office_hours="工作日 8:30-12:00，14:30-17:30")
    html = text_of(client.get(url("agency-guide", bureau.code)))
    contact = html[html.index('id="contact"'):html.index("</table>", html.index('id="contact"'))]
    assert _row(contact, "办公地址") == "青岚市滨河区政务路1号"
    assert _row(contact, "邮政编码") == "350100"
    assert _row(contact, "咨询电话") == "0591-12345678"
    assert _row(contact, "办公时间") == "工作日 8:30-12:00，14:30-17:30"
    assert _row(contact, "传真") == "暂未提供"
    assert _row(contact, "电子邮箱") == "暂未提供"
    channels = html[html.index('id="channels"'):]
    assert "传真号码：暂未提供" in channels
    assert "邮政编码：350100" in channels


def test_guide_explains_channels_deadlines_fees_and_remedies(client, bureau):
    html = text_of(client.get(url("agency-guide", bureau.code)))
    for channel in ("网上申请", "当面提交", "信函邮寄", "传真"):
        assert f'<th scope="row">{channel}</th>' in html
    assert f'href="{url("apply")}?agency={bureau.code}"' in html
    deadlines = html[html.index('id="deadlines"'):]
    assert "自收到申请之日起20个工作日内予以答复" in deadlines
    assert "最长不超过20个工作日" in deadlines
    assert "7个工作日内一次性告知" in deadlines
    assert "不收取费用" in html and "国办函〔2020〕109号" in html
    assert "第11—30件，每件100元" in html  # from the fee scales' data file
    assert "行政复议" in html and "行政诉讼" in html and "第五十一条" in html


def test_normative_documents_show_validity_and_link_public_interpretations(
        site, client, bureau, office, publisher):
    today = clock.today()
    policy = [site["columns"]["规范性文件"]]
    doc_item = publisher.publish("青岚市食品生产加工小作坊监督管理办法", columns=policy)
    reading = publisher.publish("一图读懂小作坊监督管理办法", columns=[site["columns"]["本级政策解读"]])
    in_force = normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document",
        title="青岚市食品生产加工小作坊监督管理办法", doc_number="青市监规〔2026〕2号",
        issued_on=today - dt.timedelta(days=30), publication=doc_item)
    normative.interpretation_add(actor=office, document=in_force, form="graphic",
                                 title="一图读懂小作坊监督管理办法",
                                 published_on=today - dt.timedelta(days=29), publication=reading)
    repealed = normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document", title="旧的抽查实施细则",
        doc_number="青市监规〔2020〕1号", issued_on=today - dt.timedelta(days=2000))
    normative.normative_document_repeal(actor=office, document=repealed,
                                        repealed_on=today - dt.timedelta(days=10),
                                        reason="被新细则替代")
    html = text_of(client.get(url("agency-normative", bureau.code)))
    assert "共2件，其中现行有效1件" in html
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr>\s*<td[^>]*>.*?(青市监规〔\d+〕\d号).*?</tr>",
                                                        html, re.S)}
    assert "有效" in rows["青市监规〔2026〕2号"]
    assert f'href="{url("publication-detail", doc_item.pk)}"' in rows["青市监规〔2026〕2号"]
    assert (f'href="{url("publication-detail", reading.pk)}">一图读懂小作坊监督管理办法</a>'
            in rows["青市监规〔2026〕2号"])
    assert "已废止/失效" in rows["青市监规〔2020〕1号"] and "被新细则替代" in rows["青市监规〔2020〕1号"]
    assert "暂无解读" in rows["青市监规〔2020〕1号"]

    # Once the interpretation is withdrawn, its title stays but the link goes.
    publisher.withdraw(reading)
    html = text_of(client.get(url("agency-normative", bureau.code)))
    assert "一图读懂小作坊监督管理办法" in html
    assert f'href="{url("publication-detail", reading.pk)}"' not in html


# --- column listing -----------------------------------------------------------------------


def test_column_lists_its_items_and_its_sub_columns_items(site, client):
    key = site["columns"]["重点领域信息"]
    response = client.get(url("column-detail", key.pk))
    html = text_of(response)
    assert '<p id="total">共3条信息</p>' in html
    for k in ("sampling", "recall", "news"):
        assert f'href="{url("publication-detail", site[k].pk)}"' in html
    assert site["withdrawn"].title not in html
    children = html[html.index('aria-label="下级栏目"'):]
    assert f'href="{url("column-detail", site["columns"]["产品召回信息"].pk)}">产品召回信息</a>' in children


def test_an_empty_column_says_so(site, client):
    html = text_of(client.get(url("column-detail", site["columns"]["通知公告"].pk)))
    assert "共0条信息" in html and "本栏目暂无信息。" in html
    assert site["draft"].title not in html


@pytest.mark.parametrize(("query", "expected"), [
    ("year=2025", {"sampling"}),
    ("year=2026", {"recall", "news"}),
    ("validity=expired", {"recall"}),
    ("validity=valid", {"sampling", "news"}),
    ("year=2026&validity=valid", {"news"}),
])
def test_column_filters_by_year_and_validity(site, client, query, expected):
    html = text_of(client.get(f'{url("column-detail", site["columns"]["重点领域信息"].pk)}?{query}'))
    shown = {k for k in ("sampling", "recall", "news")
             if f'href="{url("publication-detail", site[k].pk)}"' in html}
    assert shown == expected
    assert f"共{len(expected)}条符合条件的信息" in html


def test_column_filters_by_topic(site, client):
    key = site["columns"]["重点领域信息"]
    html = text_of(client.get(f'{url("column-detail", key.pk)}?topic={site["other_topic"].pk}'))
    assert site["news"].title in html and site["sampling"].title not in html
    assert f'<option value="{site["other_topic"].pk}" selected>' in html


def test_a_filter_that_does_not_parse_is_explained_and_ignored(site, client):
    key = site["columns"]["重点领域信息"]
    response = client.get(f'{url("column-detail", key.pk)}?year=abc&validity=bogus&page=-1')
    html = text_of(response)
    assert response.status_code == 200
    assert "年份应为1990至2100之间的四位数字。" in html
    assert "有效性只能是有效、失效或废止。" in html
    assert "页码应为正整数。" in html
    assert "共3条信息" in html


def test_a_filter_with_no_match_says_so(site, client):
    key = site["columns"]["重点领域信息"]
    html = text_of(client.get(f'{url("column-detail", key.pk)}?year=2019'))
    assert "没有符合筛选条件的信息" in html and "共0条符合条件的信息" in html


def test_column_pages_keep_the_filters_and_show_the_total(site, client, monkeypatch):
    monkeypatch.setattr("gongkai.portal.views._common.PER_PAGE", 2)
    key = site["columns"]["重点领域信息"]
    first = text_of(client.get(f'{url("column-detail", key.pk)}?validity='))
    assert "共3条信息" in first and "第1页，共2页" in first
    assert first.count('href="/publications/') == 2
    assert 'href="?validity=&amp;page=2" rel="next"' in first
    second = text_of(client.get(f'{url("column-detail", key.pk)}?page=2'))
    assert "第2页，共2页" in second and second.count('href="/publications/') == 1
    assert site["sampling"].title in second  # the oldest is last
    beyond = text_of(client.get(f'{url("column-detail", key.pk)}?page=9'))
    assert "没有第9页，以下为最后一页（第2页）。" in beyond


def test_inactive_columns_and_columns_of_inactive_agencies_are_not_found(site, client, bureau):
    news = site["columns"]["新闻动态"]
    Column.objects.filter(pk=news.pk).update(is_active=False)
    assert client.get(url("column-detail", news.pk)).status_code == 404
    key = site["columns"]["重点领域信息"]
    assert client.get(url("column-detail", key.pk)).status_code == 200
    Agency.objects.filter(pk=bureau.pk).update(is_active=False)
    assert client.get(url("column-detail", key.pk)).status_code == 404


def test_column_page_runs_a_fixed_number_of_queries(site, client, publisher,
                                                    django_assert_num_queries):
    key = site["columns"]["重点领域信息"]
    client.get(url("column-detail", key.pk))  # warm the session/content-type caches
    # column, 2 levels of sub-columns, ancestors (none), sub-columns, topics, years,
    # count, page, the catalogue tree beside it
    with django_assert_num_queries(9):
        client.get(url("column-detail", key.pk))
    for n in range(3):
        publisher.publish(f"更多的召回信息{n}", columns=[site["columns"]["产品召回信息"]])
    with django_assert_num_queries(9):
        client.get(url("column-detail", key.pk))


# --- publication page and attachments ---------------------------------------------------


def test_publication_page_shows_the_metadata_table(site, client, bureau):
    item = site["sampling"]
    html = text_of(client.get(url("publication-detail", item.pk)))
    meta = html[html.index('id="metadata"'):html.index("</table>", html.index('id="metadata"'))]
    assert f'<th scope="row">索引号</th><td>{item.index_number}</td>' in meta
    assert f'<th scope="row">发布机构</th><td>{bureau.name}</td>' in meta
    assert '<th scope="row">文号</th><td>青市监通〔2025〕9号</td>' in meta
    assert '<th scope="row">成文日期</th><td>2025年12月10日</td>' in meta
    assert '<th scope="row">发布日期</th><td>2025年12月10日</td>' in meta
    assert f'<th scope="row">主题分类</th><td>{site["food"].name}</td>' in meta
    assert '<th scope="row">公开属性</th><td>主动公开</td>' in meta
    assert '<th scope="row">有效性</th><td>有效</td>' in meta
    column = site["columns"]["抽检计划及结果发布"]
    assert f'<a href="{url("column-detail", column.pk)}">抽检计划及结果发布</a>' in meta
    assert "共抽检食品样品1,268批次" in html


def test_publication_body_is_rendered_as_html_and_cleaned_again_on_the_way_out(site, client):
    item = site["news"]
    html = text_of(client.get(url("publication-detail", item.pk)))
    assert "<p>近日开展专项行动。</p>" in html  # markup kept, not escaped
    # A body written around the services (an old import, a manual fix) is cleaned too.
    Publication.objects.filter(pk=item.pk).update(
        body='<p onclick="x()">正文</p><script>alert(1)</script><img src=x onerror=alert(2)>')
    html = text_of(client.get(url("publication-detail", item.pk)))
    body = html[html.index('id="body"'):html.index("</div>", html.index('id="body"'))]
    assert "<p>正文</p>" in body
    assert "script" not in body and "onerror" not in body and "onclick" not in body


@pytest.mark.parametrize("which", ["withdrawn", "draft"])
def test_withdrawn_and_unpublished_items_are_not_found(site, client, which):
    response = client.get(url("publication-detail", site[which].pk))
    assert response.status_code == 404
    assert "页面不存在" in text_of(response) and site[which].title not in text_of(response)


def test_items_of_an_inactive_agency_are_not_found(site, client, bureau):
    Agency.objects.filter(pk=bureau.pk).update(is_active=False)
    assert client.get(url("publication-detail", site["news"].pk)).status_code == 404


def test_attachment_downloads_under_its_original_name_and_is_never_sniffed(site, client):
    item = site["recall"]
    attachment = item.attachments.get()
    html = text_of(client.get(url("publication-detail", item.pk)))
    link = url("publication-attachment", item.pk, attachment.pk)
    assert f'href="{link}" download>召回 公告 图片</a>' in html  # shown by its display name
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('召回 公告 图片.png')}" in disposition
    with attachment.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_attachment_downloads_under_its_display_name_not_the_internal_file_name(site, client):
    item = site["recall"]
    attachment = item.attachments.get()
    attachment.display_name = "产品召回公告（附图）"
    attachment.save(update_fields=["display_name"])
    response = client.get(url("publication-attachment", item.pk, attachment.pk))
    disposition = response["Content-Disposition"]
    assert f"filename*=utf-8''{quote('产品召回公告（附图）.png')}" in disposition
    assert quote("召回 公告 图片") not in disposition


def test_removed_attachments_and_attachments_of_withdrawn_items_are_not_served(
        site, client, publisher):
    item = site["recall"]
    attachment = item.attachments.get()
    link = url("publication-attachment", item.pk, attachment.pk)
    # Under another item's address: not found.
    assert client.get(url("publication-attachment", site["news"].pk, attachment.pk)).status_code == 404
    PublicationAttachment.objects.filter(pk=attachment.pk).update(is_active=False)
    assert client.get(link).status_code == 404
    assert "召回 公告 图片" not in text_of(client.get(url("publication-detail", item.pk)))
    PublicationAttachment.objects.filter(pk=attachment.pk).update(is_active=True)
    assert client.get(link).status_code == 200
    publisher.withdraw(item)
    assert client.get(link).status_code == 404


def test_a_normative_documents_page_links_its_interpretations_and_back(
        site, client, bureau, office, publisher):
    document_item = publisher.publish("青岚市网络订餐食品安全管理办法",
                                      columns=[site["columns"]["规范性文件"]])
    reading = publisher.publish("《青岚市网络订餐食品安全管理办法》政策解读",
                                columns=[site["columns"]["本级政策解读"]])
    document = normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document", title=document_item.title,
        doc_number="青市监规〔2026〕5号", issued_on=clock.today(), publication=document_item)
    normative.interpretation_add(actor=office, document=document, form="text",
                                 title=reading.title, published_on=clock.today(),
                                 publication=reading)
    html = text_of(client.get(url("publication-detail", document_item.pk)))
    section = html[html.index('id="interpretations"'):]
    assert f'href="{url("publication-detail", reading.pk)}"' in section
    assert "文字解读" in section
    back = text_of(client.get(url("publication-detail", reading.pk)))
    assert f'href="{url("publication-detail", document_item.pk)}"' in back[back.index('id="interpreted"'):]


def test_publication_page_runs_a_fixed_number_of_queries(site, client, django_assert_num_queries):
    # item (agency, topic), attachments, columns, interpretations, interpreted documents,
    # the catalogue tree beside it
    for key in ("recall", "news"):
        client.get(url("publication-detail", site[key].pk))
        with django_assert_num_queries(6):
            assert client.get(url("publication-detail", site[key].pk)).status_code == 200


def test_home_and_agency_home_run_a_fixed_number_of_queries(site, client, bureau, publisher,
                                                            django_assert_num_queries):
    # home: agencies, latest items, topic counts, topics
    # agency home: agency, its columns, their counts, latest items, sub-agencies, and what
    # the register of normative documents and the annual reports count (their columns), and
    # its consultations column (one query, however many consultations)
    pages = [(url("home"), 4), (url("agency-home", bureau.code), 8)]
    for page, queries in pages:
        client.get(page)
        with django_assert_num_queries(queries):
            client.get(page)
    publisher.publish("又一条新闻", columns=[site["columns"]["新闻动态"]])
    for page, queries in pages:
        with django_assert_num_queries(queries):
            client.get(page)
