"""The report's year and agency from its title block (issue 19, part 5): the heading in its
many printed forms, the issuing line and the 落款; never a name cut out of prose; and the
key that matches one agency's reports across years whatever higher-level place names they
print before it."""

from __future__ import annotations

import pytest

from gongkai.reports.checker.readers import read_document
from gongkai.reports.checker.titleblock import (
    agency_identity,
    is_agency_name,
    same_agency,
    year_and_agency,
)

BODY = "一、总体情况\n2023年，本机关坚持以公开为常态、不公开为例外。\n二、主动公开政府信息情况\n"


def read(text: str, year_header: int | None = None) -> tuple[int | None, str, list[str]]:
    return year_and_agency(read_document(text.encode("utf-8"), filename="report.txt"), year_header)


def html(body: str) -> tuple[int | None, str, list[str]]:
    page = f"<!DOCTYPE html><html><head><title>年报</title></head><body>{body}</body></html>"
    return year_and_agency(read_document(page.encode("utf-8"), filename="report.html"), None)


# --- the title ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "year", "agency"), [
    ("淮安市洪泽区人民政府2023年政府信息公开工作年度报告", 2023, "淮安市洪泽区人民政府"),
    ("淮安市洪泽区人民政府2023年度政府信息公开工作年度报告", 2023, "淮安市洪泽区人民政府"),
    ("洪泽区人民政府2023年政府信息公开年度报告", 2023, "洪泽区人民政府"),  # without 工作
    ("沭阳县发展和改革局2022年度政府信息公开年报", 2022, "沭阳县发展和改革局"),
    ("2023年度淮安市洪泽区人民政府政府信息公开工作年度报告", 2023, "淮安市洪泽区人民政府"),  # year first
    ("淮安市洪泽区人民政府政府信息公开工作2023年度报告", 2023, "淮安市洪泽区人民政府"),  # year last
    ("淮安市洪泽区人民政府 2023 年政府信息公开工作年度报告", 2023, "淮安市洪泽区人民政府"),  # spaced
    ("宿迁市湖滨新区2023年政府信息公开工作年度报告_政府信息公开年报_宿迁市湖滨新区", 2023, "宿迁市湖滨新区"),
    ("淮安市洪泽区人民政府2023年政府信息公开工作年度报告（全文）", 2023, "淮安市洪泽区人民政府"),
    ("关于淮安市洪泽区人民政府2023年政府信息公开工作年度报告", 2023, "淮安市洪泽区人民政府"),
    ("二〇二三年度盱眙县交通运输局政府信息公开工作年度报告", 2023, "盱眙县交通运输局"),  # Chinese numerals
    ("泰州市人民政府办公室2023年政府信息公开工作年度报告", 2023, "泰州市人民政府办公室"),  # the office's own
    ("江苏省人民政府办公厅2021年政府信息公开工作年度报告", 2021, "江苏省人民政府办公厅"),
    ("江苏省统计局办公室2023年政府信息公开工作年度报告", 2023, "江苏省统计局办公室"),
    ("上海市浦东新区人民政府2022年政府信息公开工作年度报告", 2022, "上海市浦东新区人民政府"),
    ("宿迁市湖滨新区管理委员会2023年政府信息公开工作年度报告", 2023, "宿迁市湖滨新区管理委员会"),
    ("國家稅務總局淮安市洪澤區稅務局2023年政府信息公開工作年度報告", 2023, "国家税务总局淮安市洪泽区税务局"),
    ("水利部2023年政府信息公开工作年度报告", 2023, "水利部"),
    ("天津市和平区人民政府2023年政府信息公开工作年度报告", 2023, "天津市和平区人民政府"),
    ("淮安市洪泽区人民政府政府信息公开工作年度报告（2023年度）", 2023, "淮安市洪泽区人民政府"),
    ("【年度报告】淮安市洪泽区人民政府2023年政府信息公开工作年度报告", 2023, "淮安市洪泽区人民政府"),
    ("《淮安市洪泽区人民政府2023年政府信息公开工作年度报告》", 2023, "淮安市洪泽区人民政府"),
    ("洪泽区人民政府2023年政府信息公开工作年度报告_淮安市洪泽区人民政府门户网站", 2023, "洪泽区人民政府"),
    ("洪泽区人民政府2023年政府信息公开工作年度报告 - 政府信息公开", 2023, "洪泽区人民政府"),
    ("北京市西城区人民政府2023年政府信息公开工作年度报告", 2023, "北京市西城区人民政府"),
    ("洪泽区高良涧镇人民政府2023年政府信息公开工作年度报告", 2023, "洪泽区高良涧镇人民政府"),
    ("沭阳县沭城街道办事处2023年政府信息公开工作年度报告", 2023, "沭阳县沭城街道办事处"),
    # reports some agencies title after 政务公开
    ("淮安市洪泽区人民政府2023年政务公开工作年度报告", 2023, "淮安市洪泽区人民政府"),
    ("淮安市洪泽区人民政府2023年度政府信息公开和政务公开工作年度报告", 2023, "淮安市洪泽区人民政府"),
    ("淮安市洪泽区人民政府政务公开工作2023年度报告", 2023, "淮安市洪泽区人民政府"),
])
def test_title_on_one_line(title, year, agency):
    assert read(f"{title}\n{BODY}") == (year, agency, [])


@pytest.mark.parametrize("lines", [
    ["淮安市洪泽区人民政府", "2023年政府信息公开工作年度报告"],
    ["淮安市洪泽区人民政府2023年", "政府信息公开工作年度报告"],
    ["淮安市洪泽区人民政府", "2023年政府信息公开", "工作年度报告"],
    ["2023年度", "淮安市洪泽区人民政府政府信息公开工作年度报告"],
])
def test_title_split_over_lines(lines):
    assert read("\n".join(lines) + "\n" + BODY) == (2023, "淮安市洪泽区人民政府", [])


def test_title_after_web_page_chrome_and_a_title_without_agency_waits_for_one_with():
    page = ("返回首页 | 政府信息公开\n当前位置：首页 > 政府信息公开 > 年度报告\n"
            "2023年政府信息公开工作年度报告\n"  # the column's heading, no author
            "灌南县人民政府2023年政府信息公开工作年度报告\n发布日期：2024-01-20\n" + BODY)
    assert read(page) == (2023, "灌南县人民政府", [])


def test_title_in_html_heading_broken_by_br():
    body = ("<div class=crumb>首页 &gt; 年度报告</div><h1>淮安市淮阴区人民政府<br>2023年政府信息公开工作年度报告</h1>"
            "<p>来源：淮安市淮阴区人民政府办公室</p><p>一、总体情况</p><p>2023年，全区……</p>")
    assert html(body) == (2023, "淮安市淮阴区人民政府", [])


def test_title_in_a_cell_of_a_layout_table():
    body = ("<table><tr><td>首页</td><td>盱眙县交通运输局2023年政府信息公开工作年度报告</td></tr>"
            "<tr><td>索引号</td><td>0001</td></tr></table><p>一、总体情况</p><p>2023年，我局……</p>")
    assert html(body) == (2023, "盱眙县交通运输局", [])


def test_government_title_stays_the_government_even_when_its_office_issues_it():
    text = "湖州市人民政府2023年政府信息公开工作年度报告\n发布机构：湖州市人民政府办公室\n" + BODY
    assert read(text)[1] == "湖州市人民政府"


def test_a_place_alone_in_the_title_is_kept_as_printed():
    assert read("淮安市洪泽区2023年政府信息公开工作年度报告\n" + BODY) == (2023, "淮安市洪泽区", [])
    page = "宿迁市湖滨新区2023年政府信息公开工作年度报告\n一、总体情况\n2023年，实验区政府坚持公开。\n"
    assert read(page) == (2023, "宿迁市湖滨新区", [])
    assert read("泗阳县众兴镇2023年政府信息公开工作年度报告\n" + BODY) == (2023, "泗阳县众兴镇", [])
    assert read("北京市西城区2023年政府信息公开工作年度报告\n" + BODY) == (2023, "北京市西城区", [])


# --- the issuing line and the 落款 -------------------------------------------------------------

@pytest.mark.parametrize("issuing", [
    "发布机构：南京市江宁区司法局",
    "发布机构名称：南京市江宁区司法局",  # never "名称南京市江宁区司法局"
    "索引号：320115/2024-00012 发布机构：南京市江宁区司法局 发布日期：2024-01-18",
    "发布机构：南京市江宁区司法局发布日期：2024-01-18",  # run together
    "信息来源：南京市江宁区司法局",
    "来源: 南京市江宁区司法局",
    "发文机关 | 南京市江宁区司法局 | 成文日期 | 2024-01-18",  # a metadata table
])
def test_agency_from_the_issuing_line_when_the_title_has_none(issuing):
    assert read(f"2023年政府信息公开工作年度报告\n{issuing}\n{BODY}") == (2023, "南京市江宁区司法局", [])


def test_the_sites_sponsor_is_not_the_issuer():
    text = "2023年政府信息公开工作年度报告\n" + BODY + "主办：灌南县人民政府办公室 技术支持：某公司\n"
    assert read(text) == (2023, "", [])


@pytest.mark.parametrize("signature", [
    "宿迁市沭阳县发展和改革局\n2024年1月20日",
    "宿迁市沭阳县发展和改革局\n二〇二四年一月二十日",
    "宿迁市沭阳县发展和改革局 2024年1月20日",
    "宿迁市沭阳县发展和改革局\n2024年1月",
])
def test_agency_from_the_signature_at_the_end(signature):
    text = "2023年政府信息公开工作年度报告\n" + BODY + "六、其他需要报告的事项\n无。\n" + signature + "\n"
    assert read(text) == (2023, "宿迁市沭阳县发展和改革局", [])


def test_report_named_in_the_preamble():
    text = ("按照《中華人民共和國政府信息公開條例》的規定，現公佈青嵐市市場監督管理局2020年政府信息公開工作年度報告。"
            "報告所列數據的統計時段為2020年1月1日至2020年12月31日。\n" + BODY)
    assert read(text) == (2020, "青岚市市场监督管理局", [])


# --- never from prose --------------------------------------------------------------------------

@pytest.mark.parametrize("prose", [
    "2023年，实验区政府坚持以公开为常态。",
    "2023年，我县县政府认真贯彻《条例》。",
    "2023年度，全县各级政府信息公开工作有序推进。",
    "本年度，区政府办公室牵头做好政府信息公开工作。",
])
def test_no_agency_from_prose(prose):
    text = "2023年政府信息公开工作年度报告\n一、总体情况\n" + prose + "\n二、主动公开政府信息情况\n"
    assert read(text) == (2023, "", [])


@pytest.mark.parametrize("name", ["实验区政府坚持", "我县县政府", "名称沭阳县发展和改革局", "全县各级政府",
                                  "本局", "洪泽区", "2023年洪泽区人民政府"])
def test_not_an_agency_name(name):
    assert not is_agency_name(name, needs_place=True)


# --- the year ----------------------------------------------------------------------------------

def test_year_from_the_statistics_period_without_a_title():
    text = "一、总体情况\n本报告所列数据的统计期限为2021年1月1日至2021年12月31日。\n"
    assert read(text) == (2021, "", [])


def test_year_from_a_tables_header_as_the_last_resort():
    assert read("一、总体情况\n全年工作平稳。\n", year_header=2018) == (2018, "", [])


def test_title_year_wins_and_a_different_period_is_noted():
    text = "灌云县人民政府2023年政府信息公开工作年度报告\n统计期限为2022年1月1日至2022年12月31日。\n" + BODY
    year, agency, notes = read(text)
    assert (year, agency) == (2023, "灌云县人民政府")
    assert notes == ["标题为2023年度报告，统计期限却是2022年"]


def test_links_to_other_years_after_the_title_do_not_override_it():
    text = ("灌云县人民政府2023年政府信息公开工作年度报告\n" + BODY
            + "相关链接\n灌云县人民政府2022年政府信息公开工作年度报告\n")
    assert read(text) == (2023, "灌云县人民政府", [])


# --- the key for matching ----------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("淮安市洪泽区人民政府", "洪泽区人民政府"),
    ("江苏省淮安市洪泽区人民政府", "洪泽区人民政府"),
    ("江苏省淮安市洪泽区人民政府", "淮安市洪泽区人民政府"),
    ("洪泽区政府", "洪泽区人民政府"),
    ("淮安市洪泽区人民政府办公室", "洪泽区人民政府办公室"),
    ("江苏省淮安市市场监督管理局", "淮安市市场监督管理局"),
    ("江苏省淮安市城市管理局", "淮安市城市管理局"),
    ("宿迁市沭阳县发展和改革局", "沭阳县发展和改革局"),
    ("新疆维吾尔自治区乌鲁木齐市天山区人民政府", "天山区人民政府"),
    ("徐州市沛县人民政府", "沛县人民政府"),
    ("淮安市洪泽区发展和改革委员会（区粮食和物资储备局）", "洪泽区发展和改革委员会"),
    ("淮安市洪澤區人民政府", "洪泽区人民政府"),  # traditional characters
    ("宿迁市湖滨新区管委会", "宿迁市湖滨新区管理委员会"),
    ("淮安市洪泽区", "洪泽区人民政府"),  # a title naming the place alone
    ("北京市西城区人民政府", "西城区人民政府"),  # 城区 of a district's name is no zone
    ("西安市新城区", "新城区人民政府"),
    ("大同市平城区人民政府办公室", "平城区人民政府办公室"),
    ("沭阳县沭城街道", "沭城街道办事处"),  # a township's place alone: its office
    ("淮安市洪泽区高良涧镇人民政府", "洪泽区高良涧镇人民政府"),
    ("泗阳县众兴镇", "众兴镇人民政府"),
    ("南京市鼓楼区人民政府", "鼓楼区人民政府"),  # the shorter chain ends the longer
    ("丽江市古城区古城镇", "古城镇人民政府"),  # 城镇 of a township's own name
    ("洛阳市老城区人民政府", "老城区人民政府"),
    ("阳泉市城区人民政府", "城区人民政府"),  # districts named with one character
    ("阳泉市郊区", "郊区人民政府"),
])
def test_names_match_across_higher_level_prefixes(a, b):
    assert same_agency(a, b) and same_agency(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("淮安市人民政府", "淮安市人民政府办公室"),  # the government and its office
    ("江苏省人民政府", "江苏省人民政府办公厅"),
    ("淮安市人民政府", "南京市人民政府"),
    ("淮安市城市管理局", "南京市城市管理局"),  # 城市 is no city
    ("淮安市住房和城乡建设局", "南京市住房和城乡建设局"),
    ("淮安市洪泽区经济开发区管委会", "淮安市淮阴区经济开发区管委会"),  # a zone is no level
    ("江苏省淮安市人民政府", "江苏省人民政府"),
    ("淮安市洪泽区人民政府", "淮安市人民政府"),
    ("南京市鼓楼区人民政府", "徐州市鼓楼区人民政府"),  # two districts of one name
    ("济南市市中区人民政府", "枣庄市市中区人民政府"),
    ("北京市通州区人民政府", "江苏省南通市通州区人民政府"),
    ("洪泽区高良涧镇人民政府", "洪泽区人民政府"),  # a town is not its district
    ("淮安市住房和城乡建设局", "南京市住房和城乡建设局"),  # 城乡 is no township
    ("审计署", "淮安市审计局"),
    ("市教育局", "市教育局"),  # the place left out: whose it is cannot be told
    ("阳泉市城区人民政府", "阳泉市矿区人民政府"),
])
def test_names_of_different_agencies_do_not_match(a, b):
    assert not same_agency(a, b) and not same_agency(b, a)


def test_the_identity_keeps_the_whole_chain_of_places():
    assert agency_identity("江苏省淮安市洪泽区人民政府") == (("江苏省", "淮安市", "洪泽区"), "人民政府")
    assert agency_identity("淮安市住房和城乡建设局") == (("淮安市",), "住房和城乡建设局")
    assert agency_identity("北京市西城区") == (("北京市", "西城区"), "人民政府")


def test_the_closer_name_ranks_higher():
    from gongkai.reports.checker.titleblock import match_rank

    exact = match_rank("福州市鼓楼区人民政府", "福州市鼓楼区人民政府")
    partial = match_rank("福州市鼓楼区人民政府", "鼓楼区人民政府")
    longer = match_rank("福建省福州市鼓楼区人民政府", "福州市鼓楼区人民政府")
    assert exact > longer > partial > 0
    assert match_rank("鼓楼区人民政府", "鼓楼区人民政府") > partial


def test_nothing_matches_no_name():
    assert agency_identity("") == ((), "") and agency_identity("  ") == ((), "")
    assert not same_agency("", "") and not same_agency("", "洪泽区人民政府")
