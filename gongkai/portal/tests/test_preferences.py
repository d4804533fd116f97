"""The traditional-character view and elder mode: remembered per visitor in cookies,
applied to public pages only, and never changing what must not change (addresses, form
values, what the visitor typed, the switch back to 简体)."""

import re
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from gongkai.portal import preferences
from gongkai.portal.preferences import (
    ELDER_COOKIE,
    SCRIPT_COOKIE,
    ViewPreferences,
    convert_html,
)

pytestmark = pytest.mark.django_db

HREF = re.compile(r'\shref="([^"]*)"')


def html_of(response) -> str:
    return response.content.decode()


def switch_links(html: str) -> dict[str, str]:
    """Accessible name → href of the links in the view-switch navigation."""
    nav = html[html.index('<nav class="view-switches"'):]
    nav = nav[:nav.index("</nav>")]
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', nav)
    }


def traditional(client):
    client.cookies[SCRIPT_COOKIE] = "traditional"
    return client


# --- the switch ----------------------------------------------------------------------------


def test_a_new_visitor_gets_simplified_standard_pages_with_both_switches(client):
    html = html_of(client.get(reverse("portal:home")))
    assert '<html lang="zh-CN"' in html
    assert 'class="elder"' not in html
    assert "elder.css" not in html
    links = switch_links(html)
    assert set(links) == {"繁體", "长者模式"}
    assert "当前：简体" in html and "当前：标准模式" in html
    query = parse_qs(urlsplit(links["繁體"]).query)
    assert query == {"script": ["traditional"], "next": ["/"]}


def test_the_switch_comes_back_to_the_same_page_with_its_query(client, site):
    page = reverse("portal:column-detail", args=[site["columns"]["新闻动态"].pk]) + "?year=2026&page=1"
    links = switch_links(html_of(client.get(page)))
    assert parse_qs(urlsplit(links["长者模式"]).query) == {"elder": ["on"], "next": [page]}

    response = client.get(links["长者模式"])
    assert response.status_code == 302
    assert response["Location"] == page


def test_choosing_traditional_sets_a_long_lived_lax_cookie_and_redirects(client):
    response = client.get(reverse("portal:preferences"),
                          {"script": "traditional", "next": "/apply/?agency=X"})
    assert response.status_code == 302
    assert response["Location"] == "/apply/?agency=X"
    cookie = response.cookies[SCRIPT_COOKIE]
    assert cookie.value == "traditional"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    assert ELDER_COOKIE not in response.cookies  # only what was asked changes
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "evil", "", "\\\\evil.example",
])
def test_next_must_be_a_local_path_or_the_visitor_goes_home(client, target):
    response = client.get(reverse("portal:preferences"), {"elder": "on", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("query,message", [
    ({"script": "klingon"}, "script 只能是"),
    ({"elder": "yes"}, "elder 只能是"),
])
def test_an_unknown_choice_is_refused_in_chinese_and_sets_nothing(client, query, message):
    response = client.get(reverse("portal:preferences"), {**query, "next": "/"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not response.cookies


def test_the_switch_is_a_get_link_not_a_form(client):
    response = client.post(reverse("portal:preferences"), {"script": "traditional"})
    assert response.status_code == 405


# --- the traditional view ---------------------------------------------------------------------


def test_a_traditional_page_is_converted_and_marked_zh_hant(client, site):
    page = reverse("portal:publication-detail", args=[site["sampling"].pk])
    simplified = html_of(client.get(page))
    converted = html_of(traditional(client).get(page))
    assert "关于2025年第四季度食品安全监督抽检情况的通告" in simplified
    assert "關於2025年第四季度食品安全監督抽檢情況的通告" in converted
    assert "关于2025年第四季度" not in converted
    assert '<html lang="zh-Hant"' in converted
    assert "当前：繁体" not in converted and "當前：繁體" in converted


def test_addresses_survive_the_conversion_and_still_lead_somewhere(client, site):
    page = reverse("portal:publication-detail", args=[site["recall"].pk])
    simplified = HREF.findall(html_of(client.get(page)))
    converted = HREF.findall(html_of(traditional(client).get(page)))
    switch = reverse("portal:preferences")
    assert [h for h in converted if switch not in h] == [h for h in simplified if switch not in h]
    local = {h.replace("&amp;", "&") for h in converted if h.startswith("/") and switch not in h
             and not h.startswith("/static/")}
    assert any("/attachments/" in h for h in local)
    for href in local:
        assert client.get(href).status_code in (200, 302), href


def test_switch_names_stay_exact_in_the_traditional_view(client, site):
    links = switch_links(html_of(traditional(client).get(reverse("portal:home"))))
    assert set(links) == {"简体", "长者模式"}
    assert parse_qs(urlsplit(links["简体"]).query)["script"] == ["simplified"]


def test_what_the_visitor_typed_is_sent_back_unconverted(client, bureau):
    typed = {"name": "张发财", "description": "关于发布食品抽检结果的后续说明", "phone": "123"}
    response = traditional(client).post(reverse("portal:apply"), {"agency": bureau.code, **typed})
    assert response.status_code == 400  # the phone number is wrong: the form comes back
    html = html_of(response)
    assert 'value="张发财"' in html
    assert "关于发布食品抽检结果的后续说明</textarea>" in html
    assert '<html lang="zh-Hant"' in html
    assert "受理機關" in html  # the labels are converted


def test_back_office_pages_are_never_converted(client):
    html = html_of(traditional(client).get(reverse("staff:sign-in")))
    assert '<html lang="zh-CN"' in html
    assert "登录" in html and "登錄" not in html


def test_machine_readable_answers_are_never_converted(client, site):
    bureau = site["sampling"].agency
    feed = traditional(client).get(reverse("portal:agency-feed-rss", args=[bureau.code]))
    assert "关于2025年第四季度食品安全监督抽检情况的通告" in feed.content.decode()
    attachment = site["recall"].attachments.get()
    download = client.get(reverse("portal:publication-attachment",
                                  args=[site["recall"].pk, attachment.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert body.startswith(b"\x89PNG")


def test_the_public_not_found_page_is_converted_too(client):
    response = traditional(client).get("/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="zh-Hant"' in html_of(response)


# --- elder mode -------------------------------------------------------------------------------


def test_elder_mode_adds_the_class_and_its_stylesheet(client):
    client.cookies[ELDER_COOKIE] = "on"
    html = html_of(client.get(reverse("portal:home")))
    assert re.search(r'<html lang="zh-CN" class="elder"', html)
    assert re.search(r'<link rel="stylesheet" href="/static/gongkai/elder\.css"', html)
    links = switch_links(html)
    assert set(links) == {"繁體", "标准模式"}
    assert parse_qs(urlsplit(links["标准模式"]).query)["elder"] == ["off"]
    assert "当前：长者模式" in html


def test_both_preferences_combine(client):
    client.cookies[ELDER_COOKIE] = "on"
    html = html_of(traditional(client).get(reverse("portal:home")))
    assert re.search(r'<html lang="zh-Hant" class="elder"', html)
    assert set(switch_links(html)) == {"简体", "标准模式"}


def test_the_elder_stylesheet_is_scoped_large_and_high_contrast():
    css = (Path(settings.BASE_DIR) / "gongkai/static/gongkai/elder.css").read_text("utf-8")
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    selectors = []
    for block in re.findall(r"([^{}]+)\{[^{}]*\}", re.sub(r"@media[^{]*\{", "", rules)):
        selectors += [s.strip() for s in block.split(",") if s.strip()]
    assert selectors
    unscoped = [s for s in selectors if not s.startswith("html.elder")]
    assert unscoped == []
    body = re.search(r"html\.elder body\s*\{([^}]*)\}", rules).group(1)
    assert int(re.search(r"font-size:\s*(\d+)px", body).group(1)) >= 20
    assert float(re.search(r"line-height:\s*([\d.]+)", body).group(1)) >= 1.8
    focus = rules[rules.index("a:focus"):]
    assert int(re.search(r"outline:\s*(\d+)px", focus).group(1)) >= 4


# --- the context processor and the converter ---------------------------------------------------


@pytest.mark.parametrize("cookies,path,expected", [
    ({}, "/", ("zh-CN", "", False, False)),
    ({SCRIPT_COOKIE: "traditional"}, "/", ("zh-Hant", "", True, False)),
    ({ELDER_COOKIE: "on", SCRIPT_COOKIE: "simplified"}, "/", ("zh-CN", "elder", False, True)),
    ({ELDER_COOKIE: "on", SCRIPT_COOKIE: "traditional"}, "/staff/", ("zh-CN", "", False, False)),
    ({SCRIPT_COOKIE: "bogus", ELDER_COOKIE: "1"}, "/", ("zh-CN", "", False, False)),
])
def test_view_prefs_in_templates(cookies, path, expected):
    request = RequestFactory().get(path)
    request.COOKIES.update(cookies)
    prefs = preferences.context(request)["view_prefs"]
    assert (prefs.lang, prefs.html_class, prefs.traditional, prefs.elder) == expected


def test_the_converter_touches_text_and_human_attributes_only():
    page = (
        '<html lang="zh-CN"><head><title>发布</title><style>.发{}</style>'
        '<script>var a = "发布";</script></head><body>'
        '<a href="/search/?q=发布" title="发布信息" data-x="发布">发布</a>'
        '<img src="/media/图片.png" alt="头发"><input name="发" value="发布" placeholder="请输入关键词">'
        '<textarea name="t">发布</textarea><p>后来</p><!--nocc-->简体<!--/nocc--><p>简体</p>'
        "</body></html>"
    )
    out = convert_html(page)
    assert out.startswith('<html lang="zh-Hant">')
    assert "<title>發佈</title>" in out
    assert "<style>.发{}</style>" in out and 'var a = "发布";' in out
    assert 'href="/search/?q=发布" title="發佈信息" data-x="发布">發佈</a>' in out
    assert 'src="/media/图片.png" alt="頭髮"' in out
    assert 'name="发" value="发布" placeholder="請輸入關鍵詞"' in out
    assert '<textarea name="t">发布</textarea><p>後來</p>' in out
    assert "<!--nocc-->简体<!--/nocc--><p>簡體</p>" in out


def test_one_converter_serves_many_threads_with_the_same_answers():
    text = "关于食品安全监督抽检的通告，头发，后来" * 50
    expected = preferences.to_traditional(text)
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(preferences.to_traditional(text))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 160 and set(results) == {expected}


def test_view_preferences_keys_distinguish_every_rendering():
    keys = {ViewPreferences(t, e).key for t in (False, True) for e in (False, True)}
    assert len(keys) == 4
