"""The four error pages share one layout and take their links from the URL resolver, so
they follow the site wherever it is mounted; the 500 page renders with no request and no
context at all, as Django's last-resort handler renders it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import loader
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.views import defaults

TEMPLATES = Path(settings.BASE_DIR) / "gongkai" / "templates"
PAGES = {
    "400": lambda request: defaults.bad_request(request, Exception("bad")),
    "403": lambda request: defaults.permission_denied(request, PermissionDenied()),
    "404": lambda request: defaults.page_not_found(request, Http404()),
    "500": lambda request: defaults.server_error(request),
}
HEADINGS = {"400": "请求无效（400）", "403": "无权访问（403）", "404": "页面不存在（404）",
            "500": "服务器错误（500）"}


def links(html: str) -> list[str]:
    """The links of the page's own content (the way back), not of the shared header,
    navigation and footer."""
    main = html[html.index('<main id="main"'):html.index("</main>")]
    return re.findall(r'href="([^"]*)"', main)


def portal_links() -> list[str]:
    return [reverse("portal:home"), reverse("portal:search"), reverse("portal:apply")]


@pytest.mark.parametrize("code", sorted(PAGES))
def test_each_error_page_extends_the_one_layout_and_types_no_address(code):
    source = (TEMPLATES / f"{code}.html").read_text(encoding="utf-8")
    assert source.startswith('{% extends "error_base.html" %}')
    assert not re.search(r'href="/', source)
    layout = (TEMPLATES / "error_base.html").read_text(encoding="utf-8")
    assert not re.search(r'href="/', layout) and "{% url 'portal:home' %}" in layout


@pytest.mark.parametrize("code", sorted(PAGES))
def test_each_error_page_renders_with_the_resolvers_links(code, rf):
    response = PAGES[code](rf.get("/"))
    html = response.content.decode()
    assert response.status_code == int(code)
    assert f"<h1>{HEADINGS[code]}</h1>" in html and '<html lang="zh-CN">' in html
    assert [href for href in links(html) if not href.endswith(".css")] == portal_links()
    # The site's own layout: header, navigation, footer, and the site's name in the title.
    assert 'class="site-header"' in html and 'aria-label="站点导航"' in html
    assert 'class="site-footer"' in html and f'href="{reverse("portal:agency-index")}"' in html
    assert re.search(r"<title>[^<]+ - 政府信息公开平台</title>", html)
    assert "gongkai</title>" not in html


@pytest.mark.parametrize("code", sorted(PAGES))
def test_the_links_follow_the_site_when_it_is_mounted_below_the_root(code, rf):
    set_script_prefix("/gongkai/")
    try:
        html = PAGES[code](rf.get("/")).content.decode()
    finally:
        clear_script_prefix()
    pages = [href for href in links(html) if not href.endswith(".css")]
    assert pages == ["/gongkai/", "/gongkai/search/", "/gongkai/apply/"]


def test_the_500_page_renders_from_the_template_alone_without_any_context():
    """What ``server_error`` does: ``template.render()`` with no request and no context
    processors. Only the URL resolver is needed."""
    html = loader.get_template("500.html").render()
    assert "服务器错误（500）" in html
    assert links(html) == portal_links()
    assert "<style>" in html and "stylesheet" not in html


@pytest.mark.parametrize("code", ["400", "403", "404"])
def test_a_signed_in_staff_user_gets_a_way_back_to_the_back_office(code, rf, django_user_model):
    request = rf.get("/")
    request.user = django_user_model(username="office")  # authenticated, never saved
    html = PAGES[code](request).content.decode()
    assert links(html) == [*portal_links(), reverse("staff:home")]


def test_a_missing_page_shows_the_staff_link_only_to_the_signed_in(client, django_user_model):
    anonymous = client.get("/no-such-page/").content.decode()
    assert reverse("staff:home") not in links(anonymous)
    user = django_user_model.objects.create_user(username="clerk", password="x")
    client.force_login(user)
    signed_in = client.get("/no-such-page/").content.decode()
    assert links(signed_in)[-1] == reverse("staff:home")


def test_the_500_page_uses_the_site_layout_without_database_or_context():
    # No ``db`` fixture: pytest-django fails any database access here.
    html = loader.get_template("500.html").render()
    assert 'class="site-header"' in html and 'aria-label="站点导航"' in html
    assert 'class="site-footer"' in html and 'rel="icon"' in html


def test_a_missing_page_on_the_site_is_the_shared_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在（404）" in html and 'class="quick-links"' in html
    assert [href for href in links(html) if not href.endswith(".css")] == portal_links()


@pytest.mark.django_db
def test_a_refused_csrf_check_is_explained_in_chinese_in_the_site_layout():
    """A form sent without its CSRF cookie (blocked cookies, an expired page): Django's
    csrf_failure renders 403_csrf.html without a request context — in Chinese, with the
    way back, not Django's English page."""
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("portal:apply"), {"name": "张三"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "提交无法验证（403）" in html and "Cookie" in html
    assert "Forbidden" not in html and "CSRF verification failed" not in html
    assert links(html) == portal_links()
