import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gongkai.core import clock, permissions, selectors
from gongkai.core.forms import CalendarOverrideForm, CalendarRemoveForm, ScheduleUploadForm
from gongkai.core.models import CalendarOverride, ScheduledYear
from gongkai.core.services import calendar as calendar_services
from gongkai.core.views.base import staff_required
from gongkai.core.workdays import PACKAGE_YEARS, parse_schedule_file

# Where the built-in schedule comes from, as staff know it: the State Council General
# Office's yearly holiday notice, shipped with the software (the chinesecalendar
# package); the package's name means nothing to staff. The page prints it in brackets
# already, so it holds none itself (no nested brackets).
BUILT_IN_SOURCE = "国务院办公厅节假日安排，随软件发布"


def _page(request, *, override_form=None, upload_form=None, status=200):
    today = clock.today()
    calendar = selectors.get_working_day_calendar()
    try:
        year = int(request.GET.get("year", today.year))
        if not 1900 <= year <= 2200:
            raise ValueError
    except ValueError:
        year = today.year
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        days = []
        day = first
        while day.month == month:
            days.append({"date": day, "kind": calendar.day_kind(day)})
            day += dt.timedelta(days=1)
        months.append({"month": month, "lead": first.weekday(), "days": days})
    return render(
        request,
        "staff/calendar.html",
        {
            "year": year,
            "known": year in calendar.known_years,
            "package_years": (min(PACKAGE_YEARS), max(PACKAGE_YEARS)),
            "built_in_source": BUILT_IN_SOURCE,
            "scheduled_years": ScheduledYear.objects.all(),
            "overrides": CalendarOverride.objects.filter(day__year=year),
            "months": months,
            "can_edit": permissions.can_edit_calendar(request.user),
            "override_form": override_form or CalendarOverrideForm(),
            "upload_form": upload_form or ScheduleUploadForm(),
        },
        status=status,
    )


@staff_required
def calendar_page(request):
    return _page(request)


def _require_editor(request):
    if not permissions.can_edit_calendar(request.user):
        raise PermissionDenied("只有平台管理员可以修改工作日历。")


@staff_required
@require_POST
def calendar_override_set(request):
    _require_editor(request)
    form = CalendarOverrideForm(request.POST)
    if not form.is_valid():
        return _page(request, override_form=form, status=400)
    d = form.cleaned_data
    calendar_services.calendar_set_override(
        actor=request.user, day=d["day"], is_working=d["is_working"], source=d["source"],
        note=d["note"],
    )
    messages.success(request, f"已设置 {d['day'].isoformat()} 为{'工作日' if d['is_working'] else '休息日'}。")
    return redirect(f"{reverse('staff:calendar')}?year={d['day'].year}")


@staff_required
@require_POST
def calendar_override_remove(request):
    _require_editor(request)
    form = CalendarRemoveForm(request.POST)
    if form.is_valid():
        try:
            calendar_services.calendar_remove_override(
                actor=request.user, day=form.cleaned_data["day"], reason=form.cleaned_data["reason"]
            )
            messages.success(request, "已删除该日期的人工调整。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, "日期无效。")
    return redirect("staff:calendar")


@staff_required
@require_POST
def calendar_schedule_upload(request):
    _require_editor(request)
    form = ScheduleUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, upload_form=form, status=400)
    parsed = parse_schedule_file(form.cleaned_data["file"].read())
    try:
        result = calendar_services.calendar_load_schedule(
            actor=request.user, schedule=parsed, source=form.cleaned_data["source"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error("file", message)
        return _page(request, upload_form=form, status=400)
    messages.success(
        request,
        f"已载入{'、'.join(map(str, result.years))}年节假日安排：新增{result.created}条，"
        f"更新{result.updated}条，未变{result.unchanged}条，删除{result.removed}条。",
    )
    return redirect(f"{reverse('staff:calendar')}?year={result.years[0]}")
