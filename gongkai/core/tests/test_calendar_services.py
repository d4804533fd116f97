"""The platform calendar as the database holds it: administrators' overrides above the
package data, schedules loaded from 休/班 files, and who may change them (Art. 33
deadlines are counted on this calendar)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.core.models import AuditEvent, CalendarOverride, ScheduledYear
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.services import calendar as svc
from gongkai.core.workdays import DayKind, parse_schedule_file

pytestmark = pytest.mark.django_db

D = dt.date
SCHEDULE_2027 = """# 2027年部分节假日安排（测试用虚构通知）
2027-01-01 休
2027-02-05 休
2027-02-06 班
2027-02-08 休
2027-02-09 休
2027-02-10 休
2027-02-11 休
2027-02-12 休
"""


def test_real_calendar_without_overrides(db):
    calendar = get_working_day_calendar()
    assert calendar.add_working_days(D(2025, 1, 24), 20) == D(2025, 2, 27)
    assert calendar.day_kind(D(2025, 1, 26)) is DayKind.MAKEUP_WORKDAY


def test_override_takes_precedence_over_package_make_up_day(platform_admin):
    # 2025-01-26 (Sunday) is a make-up working day in the package data; an override
    # declaring it a rest day pushes the Art. 33 deadline one working day later.
    svc.calendar_set_override(actor=platform_admin, day=D(2025, 1, 26), is_working=False,
                              source="测试通知")
    calendar = get_working_day_calendar()
    assert calendar.day_kind(D(2025, 1, 26)) is DayKind.OVERRIDE_REST
    assert calendar.add_working_days(D(2025, 1, 24), 20) == D(2025, 2, 28)


def test_override_takes_precedence_over_package_holiday(platform_admin):
    svc.calendar_set_override(actor=platform_admin, day=D(2024, 10, 1), is_working=True,
                              source="测试通知")
    calendar = get_working_day_calendar()
    assert calendar.is_working_day(D(2024, 10, 1))
    assert calendar.add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 1)


def test_removing_an_override_restores_the_package_data(platform_admin):
    svc.calendar_set_override(actor=platform_admin, day=D(2024, 10, 1), is_working=True, source="x")
    assert get_working_day_calendar().is_working_day(D(2024, 10, 1))
    svc.calendar_remove_override(actor=platform_admin, day=D(2024, 10, 1), reason="录入错误")
    assert not get_working_day_calendar().is_working_day(D(2024, 10, 1))
    assert AuditEvent.objects.filter(action="calendar.override.remove", reason="录入错误").exists()


def test_override_in_an_unscheduled_year_applies_but_stays_provisional(platform_admin):
    svc.calendar_set_override(actor=platform_admin, day=D(2027, 1, 1), is_working=False, source="x")
    span = get_working_day_calendar().explain_add_working_days(D(2026, 12, 31), 1)
    assert span.end == D(2027, 1, 4)
    assert span.provisional


def test_loading_a_schedule_makes_the_year_known_and_moves_deadlines(platform_admin):
    before = get_working_day_calendar().explain_add_working_days(D(2027, 1, 29), 10)
    assert before.provisional
    result = svc.calendar_load_schedule(actor=platform_admin, schedule=parse_schedule_file(SCHEDULE_2027),
                                        source="国办发明电〔2026〕99号")
    assert result.years == (2027,) and result.created == 8
    after = get_working_day_calendar().explain_add_working_days(D(2027, 1, 29), 10)
    assert not after.provisional
    # Feb 1–4 (4), Feb 6 make-up Saturday (5), Feb 15–19 (10): the holiday week moved it.
    assert after.end == D(2027, 2, 19)
    assert ScheduledYear.objects.get(year=2027).source == "国办发明电〔2026〕99号"
    assert AuditEvent.objects.filter(action="calendar.schedule.load").exists()


def test_reloading_a_corrected_schedule_removes_dates_it_no_longer_lists(platform_admin):
    svc.calendar_load_schedule(actor=platform_admin, schedule=parse_schedule_file(SCHEDULE_2027), source="第一版")
    corrected = SCHEDULE_2027.replace("2027-02-12 休\n", "")
    result = svc.calendar_load_schedule(actor=platform_admin, schedule=parse_schedule_file(corrected), source="更正版")
    assert result.removed == 1
    assert not CalendarOverride.objects.filter(day=D(2027, 2, 12)).exists()
    assert CalendarOverride.objects.get(day=D(2027, 2, 8)).source == "更正版"


def test_a_schedule_with_any_error_changes_nothing(platform_admin):
    broken = SCHEDULE_2027 + "2027-02-30 休\n"
    with pytest.raises(ValidationError) as excinfo:
        svc.calendar_load_schedule(actor=platform_admin, schedule=parse_schedule_file(broken), source="x")
    assert "第" in " ".join(excinfo.value.messages)
    assert not CalendarOverride.objects.exists()
    assert not ScheduledYear.objects.exists()


@pytest.mark.parametrize("persona", ["office", "leader", "supervisor"])
def test_only_platform_admins_change_the_calendar(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        svc.calendar_set_override(actor=user, day=D(2025, 5, 6), is_working=False, source="x")
    with pytest.raises(PermissionDenied):
        svc.calendar_load_schedule(actor=user, schedule=parse_schedule_file(SCHEDULE_2027), source="x")
    assert not CalendarOverride.objects.exists()


def test_listeners_hear_about_changed_days_after_commit(platform_admin, django_capture_on_commit_callbacks):
    heard = []
    svc.calendar_change_listeners.append(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            svc.calendar_set_override(actor=platform_admin, day=D(2025, 5, 6), is_working=False, source="x")
    finally:
        svc.calendar_change_listeners.remove(heard.append)
    assert heard == [{D(2025, 5, 6)}]


# --- the calendar page -----------------------------------------------------------------

def test_office_sees_the_calendar_without_edit_forms(client_for, office):
    response = client_for(office).get(reverse("staff:calendar"), {"year": 2025})
    body = response.content.decode()
    assert response.status_code == 200
    assert "2025年节假日安排已确定" in body
    assert "载入年度节假日安排" not in body


def test_calendar_page_marks_an_unscheduled_year_provisional(client_for, office):
    body = client_for(office).get(reverse("staff:calendar"), {"year": 2027}).content.decode()
    assert "尚未录入" in body


def test_office_cannot_post_overrides(client_for, office):
    response = client_for(office).post(reverse("staff:calendar-override-set"),
                                       {"day": "2025-05-06", "is_working": "0", "source": "x"})
    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()


def test_admin_uploads_a_schedule_file(client_for, platform_admin):
    upload = SimpleUploadedFile("2027.txt", SCHEDULE_2027.encode("utf-8"), content_type="text/plain")
    response = client_for(platform_admin).post(
        reverse("staff:calendar-schedule-upload"), {"file": upload, "source": "国办发明电〔2026〕99号"},
        follow=True,
    )
    assert response.status_code == 200
    assert "已载入2027年节假日安排" in response.content.decode()
    assert ScheduledYear.objects.filter(year=2027).exists()


def test_admin_upload_of_a_broken_file_shows_line_errors_and_saves_nothing(client_for, platform_admin):
    upload = SimpleUploadedFile("2027.txt", "2027-01-01 休\n2027-13-01 班\n明天 休\n".encode(),
                                content_type="text/plain")
    response = client_for(platform_admin).post(
        reverse("staff:calendar-schedule-upload"), {"file": upload, "source": "x"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "第2行" in body and "第3行" in body
    assert not CalendarOverride.objects.exists()


def test_admin_upload_of_a_binary_file_is_refused_in_chinese(client_for, platform_admin):
    upload = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, content_type="image/png")
    response = client_for(platform_admin).post(
        reverse("staff:calendar-schedule-upload"), {"file": upload, "source": "x"}
    )
    assert response.status_code == 400
    assert not CalendarOverride.objects.exists()


def test_admin_sets_and_removes_a_single_day(client_for, platform_admin):
    client = client_for(platform_admin)
    client.post(reverse("staff:calendar-override-set"),
                {"day": "2025-05-06", "is_working": "0", "source": "临时调整通知"})
    assert CalendarOverride.objects.get(day=D(2025, 5, 6)).is_working is False
    client.post(reverse("staff:calendar-override-remove"), {"day": "2025-05-06", "reason": "撤回"})
    assert not CalendarOverride.objects.exists()


def test_admin_override_form_rejects_a_bad_date_in_chinese(client_for, platform_admin):
    response = client_for(platform_admin).post(
        reverse("staff:calendar-override-set"), {"day": "2025-02-30", "is_working": "0", "source": "x"}
    )
    assert response.status_code == 400
    assert "有效的日期" in response.content.decode()
