"""The demo: after every demo loader and ``load_demo_site_faults``, the self-inspection
of the city bureau finds every seeded fault, each under its indicator."""

import datetime as dt

import pytest

from gongkai.answers.demo import load_demo_faqs
from gongkai.channels.demo import load_demo_channels
from gongkai.consultations.demo import load_demo_consultations
from gongkai.conversions.demo import load_demo_conversions
from gongkai.core.demo import load_demo
from gongkai.core.models import Agency
from gongkai.core.tests.helpers import at
from gongkai.foi.demo import load_demo_requests
from gongkai.hotspots.demo import load_demo_complaints
from gongkai.inspection import checks, demo
from gongkai.interaction.demo import load_demo_messages
from gongkai.publishing.demo import load_demo_publications
from gongkai.reports.demo import load_demo_reports

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 16)


def _details(findings) -> str:
    return "\n".join(f"{f.indicator} {f.detail}" for f in findings)


def test_the_self_inspection_finds_every_seeded_fault_of_the_demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    at(TODAY)
    assert load_demo()
    load_demo_requests()
    load_demo_publications()
    load_demo_consultations()
    load_demo_conversions()
    load_demo_messages()
    load_demo_channels()
    load_demo_reports()
    load_demo_complaints()
    load_demo_faqs()
    assert demo.load_demo_site_faults() == len(demo.DEMO_FAULTS)
    assert demo.load_demo_site_faults() == 0  # once
    at(TODAY)
    bureau = Agency.objects.get(name=demo.BUREAU)

    result = checks.inspect(bureau)

    veto, deductions, warnings = (_details(result.veto), _details(result.deductions),
                                  _details(result.warnings))
    everything = "\n".join([veto, deductions, warnings])
    # A stale column and a blank column: in a veto's list or as warnings.
    assert f"“{demo.STALE_COLUMN}”" in everything
    assert f"“{demo.BLANK_COLUMN}”" in everything
    # The broken internal link in an item's body, with the page it is on.
    broken = [f for f in result.deductions if f.indicator == "broken_links"]
    assert any(f.url.endswith(demo.BROKEN_LINK_PATH) and "/publications/" in f.page for f in broken)
    assert all(f.points > 0 for f in broken)
    # The attachment whose file is gone.
    missing = [f for f in result.deductions if f.indicator == "missing_attachments"]
    assert len(missing) == 1 and "/attachments/" in missing[0].url
    # The message unanswered for over three months: a single veto.
    assert "互动回应差" in [f.name for f in result.veto]
    assert any("至今未答复" in f.detail for f in result.veto if f.indicator == "poor_interaction")
    # The service guide without its materials: a single veto naming the element; the
    # complete guide is not named.
    guide = [f for f in result.veto if f.indicator == "service_guide_incomplete"]
    assert [demo.INCOMPLETE_GUIDE in f.detail and demo.MISSING_ELEMENT in f.detail for f in guide] == [True]
    assert demo.COMPLETE_GUIDE not in veto
    # The channels demo's Douyin account: 20 days silent and without an interaction function.
    assert any("青岚市场监管" in f.detail for f in result.veto if f.indicator == "new_media_not_updated")
    assert [f.indicator for f in result.veto if f.indicator == "new_media_no_interaction"] == [
        "new_media_no_interaction"]
    # What the portal gives every agency is not a fault: the footer's 「我为政府网站找错」
    # entry and the site search on the home page.
    assert not [f for f in result.deductions if f.indicator in ("no_error_report_entry", "no_search")]
    assert not result.passed
    # The deductions are the seeded link and attachment only.
    assert {f.indicator for f in result.deductions} == {"broken_links", "missing_attachments"}
    assert result.score == 100 - sum(f.points for f in result.deductions) < 100
