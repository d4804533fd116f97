"""The search page's filter menus (built in the view, not in a template loop): every
value and label escaped, the chosen agency, column, topic and year marked, agencies and
columns indented by depth."""

import pytest
from django.urls import reverse

from gongkai.core.models import Agency
from gongkai.publishing.models import Topic

pytestmark = pytest.mark.django_db


def test_menus_escape_and_mark_the_chosen_filters(client, site):
    agency = site["news"].agency
    Agency.objects.filter(pk=agency.pk).update(name='市场<监管>局&"试点"')
    topic = Topic.objects.order_by("pk")[1]
    column = site["columns"]["抽检计划及结果发布"]
    html = client.get(reverse("portal:search"), {
        "q": "抽检", "agency": agency.code, "topic": topic.pk, "year": 2019,
        "column": column.pk,
    }).content.decode()
    assert (f'<option value="{agency.code}" selected>{"　" * agency.depth}'
            "市场&lt;监管&gt;局&amp;&quot;试点&quot;</option>") in html
    assert "市场<监管>" not in html
    assert f'<option value="{topic.pk}" selected>{topic.name}</option>' in html
    assert '<option value="2019" selected>2019年</option>' in html
    assert '<option value="2018">2018年</option>' in html
    # The column menu of the chosen agency, the sub-column indented one level.
    assert f'<option value="{column.pk}" selected>　{column.name}</option>' in html
    assert html.count(" selected>") == 5  # the four menus above and the order menu
