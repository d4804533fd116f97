"""Admin changes that alter what the public sees — an agency's details or its
deactivation, the catalogue's columns, the register of normative documents — drop the
cached pages when they commit, like publishing and withdrawing do."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.services import agencies
from gongkai.portal import caching
from gongkai.publishing.services import catalogue, normative

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_generation_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def cached_twice(client, url):
    """Render and store the page, then check the second visit is a hit."""
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    return response


def test_deactivating_an_agency_takes_its_pages_down_at_once(
    client, site, commit, platform_admin, bureau,
):
    page = reverse("portal:agency-home", args=[bureau.code])
    item = reverse("portal:publication-detail", args=[site["news"].pk])
    assert cached_twice(client, page).status_code == 200
    assert cached_twice(client, item).status_code == 200

    commit(agencies.agency_update, actor=platform_admin, agency=bureau, is_active=False,
           reason="机构改革撤销")

    assert client.get(page).status_code == 404
    assert client.get(item).status_code == 404


def test_renaming_an_agency_shows_the_new_name(client, site, commit, platform_admin, bureau):
    page = reverse("portal:agency-home", args=[bureau.code])
    cached_twice(client, page)
    commit(agencies.agency_update, actor=platform_admin, agency=bureau, name="青岚市市场监督管理新局")
    response = client.get(page)
    assert response["X-Page-Cache"] == "miss"
    assert "青岚市市场监督管理新局" in response.content.decode()


def test_an_update_that_changes_nothing_keeps_the_cache(client, site, commit, platform_admin,
                                                         bureau):
    page = reverse("portal:agency-home", args=[bureau.code])
    cached_twice(client, page)
    commit(agencies.agency_update, actor=platform_admin, agency=bureau, name=bureau.name)
    assert client.get(page)["X-Page-Cache"] == "hit"


def test_hiding_a_column_takes_it_off_the_cached_pages(client, site, commit, office):
    column = site["columns"]["抽检计划及结果发布"]
    page = reverse("portal:column-detail", args=[column.pk])
    assert cached_twice(client, page).status_code == 200
    commit(catalogue.column_update, actor=office, column=column, is_active=False)
    assert client.get(page).status_code == 404


def test_renaming_a_column_shows_the_new_name(client, site, commit, office):
    column = site["columns"]["抽检计划及结果发布"]
    page = reverse("portal:column-detail", args=[column.pk])
    cached_twice(client, page)
    commit(catalogue.column_update, actor=office, column=column, name="抽检信息")
    response = client.get(page)
    assert response["X-Page-Cache"] == "miss"
    assert "抽检信息" in response.content.decode()


def test_the_normative_register_shows_new_repealed_and_interpreted_documents(
    client, site, commit, office, bureau,
):
    page = reverse("portal:agency-normative", args=[bureau.code])
    today = clock.today()
    cached_twice(client, page)

    document = commit(
        normative.normative_document_register, actor=office, agency=bureau,
        kind="normative_document", title="青岚市小作坊监督管理办法", doc_number="青市监规〔2026〕7号",
        issued_on=today - dt.timedelta(days=30))
    response = client.get(page)
    assert response["X-Page-Cache"] == "miss"
    assert "青市监规〔2026〕7号" in response.content.decode()
    cached_twice(client, page)

    commit(normative.interpretation_add, actor=office, document=document, form="graphic",
           title="一图读懂小作坊办法", published_on=today - dt.timedelta(days=29))
    response = client.get(page)
    assert response["X-Page-Cache"] == "miss"
    assert "一图读懂小作坊办法" in response.content.decode()
    cached_twice(client, page)

    commit(normative.normative_document_repeal, actor=office, document=document,
           repealed_on=today - dt.timedelta(days=1), reason="被新办法替代")
    response = client.get(page)
    assert response["X-Page-Cache"] == "miss"
    assert "被新办法替代" in response.content.decode()


def test_an_agency_change_invalidates_only_on_commit(client, site, platform_admin, bureau,
                                                      django_capture_on_commit_callbacks):
    page = reverse("portal:agency-home", args=[bureau.code])
    cached_twice(client, page)
    generation = caching.current_generation().token
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agencies.agency_update(actor=platform_admin, agency=bureau, is_active=False)
    assert caching._bump_after_commit in callbacks  # queued for the commit ...
    assert caching.current_generation().token == generation  # ... and nothing before it
