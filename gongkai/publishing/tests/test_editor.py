"""What the body editor (Quill 2, vendored under static/publishing/vendor) produces
survives the sanitiser: headings, emphasis, lists, quotes, links; and the page loads the
editor from the app's static files, over a textarea that works without it. (The browser
test, gongkai/browser_tests/test_back_office.py, types into the real editor.)"""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.publishing.sanitise import sanitise_html

# Quill 2.0.3's getSemanticHTML() for a body using every button of the toolbar
# (editor.js: headings 2–4, bold, italic, underline, ordered and bullet lists, quote,
# link), as the browser produced it; editor.js turns its &nbsp; back into spaces.
QUILL_OUTPUT = (
    "<h2>一、抽检情况</h2>"
    "<p>本季度共抽检<strong>500</strong>批次，<em>合格率</em>为<u>98.6%</u>。</p>"
    "<h3>（一）不合格产品</h3>"
    "<ol><li>蔬菜制品 2批次</li><li>糕点 1批次</li></ol>"
    "<ul><li>已责令下架</li><li>已立案调查</li></ul>"
    "<h4>附：说明</h4>"
    "<blockquote>抽检结果仅对所检样品负责。</blockquote>"
    '<p>详见<a href="https://www.samr.gov.cn/" rel="noopener noreferrer" target="_blank">'
    "市场监管总局网站</a>。</p>"
    "<p><br></p>"
)


def test_what_the_editor_writes_survives_the_sanitiser():
    clean = sanitise_html(QUILL_OUTPUT)
    for kept in ("<h2>一、抽检情况</h2>", "<strong>500</strong>", "<em>合格率</em>",
                 "<u>98.6%</u>", "<h3>（一）不合格产品</h3>",
                 "<ol><li>蔬菜制品 2批次</li><li>糕点 1批次</li></ol>",
                 "<ul><li>已责令下架</li><li>已立案调查</li></ul>", "<h4>附：说明</h4>",
                 "<blockquote>抽检结果仅对所检样品负责。</blockquote>"):
        assert kept in clean, kept
    assert 'href="https://www.samr.gov.cn/"' in clean and "市场监管总局网站</a>" in clean
    assert "target=" not in clean  # the sanitiser sets rel itself and drops the rest
    assert sanitise_html(clean) == clean  # stable: saving again changes nothing


def test_what_the_editor_may_not_write_is_removed():
    dirty = ('<p class="ql-align-center" style="color:red" onclick="x()">字</p>'
             '<script>alert(1)</script><a href="javascript:alert(1)">链</a>')
    clean = sanitise_html(dirty)
    assert clean.startswith("<p>字</p>")
    assert "script" not in clean and "javascript" not in clean and "style" not in clean


def test_the_vendored_editor_and_its_licence_are_in_the_static_files():
    folder = Path(finders.find("publishing/vendor/quill-2.0.3/quill.js")).parent
    assert (folder / "LICENSE").read_text().startswith("Copyright (c) 2017-2024, Slab")
    assert (folder / "quill.snow.css").is_file()
    assert "Quill Editor v2.0.3" in (folder / "quill.js.LICENSE.txt").read_text()
    readme = (folder.parent / "README.md").read_text()
    assert "quill" in readme and "2.0.3" in readme and "BSD-3-Clause" in readme
    assert "sourceMappingURL" not in (folder / "quill.js").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_the_drafting_form_loads_the_editor_from_static_over_a_plain_textarea(client_for, officer):
    at(dt.date(2025, 3, 5))
    page = client_for(officer).get(reverse("staff:publishing-create")).content.decode()
    assert '<script src="/static/publishing/vendor/quill-2.0.3/quill.js" defer></script>' in page
    assert '<script src="/static/publishing/editor.js" defer></script>' in page
    assert "quill.snow.css" in page and "cdn" not in page.lower()
    # without scripts the field is a textarea posted as it is
    assert '<textarea name="body"' in page and 'data-rich-text="1"' in page
