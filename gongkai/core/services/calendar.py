"""Changes to the working-day calendar: single overrides and a year's schedule loaded from
a file. Platform administrators only; every change is in the audit trail, and listeners
(e.g. open requests whose due dates move) are told after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gongkai.core import audit, listeners, permissions
from gongkai.core.models import CalendarOverride, ScheduledYear
from gongkai.core.workdays import ParsedSchedule, WorkingDayCalendar

# Called after commit with the set of dates whose status may have changed. Later areas
# (requests) register here to recompute and report moved due dates: the subscribers of
# core.listeners' "calendar changed" event, under their old name.
calendar_change_listeners: list[Callable[[set[dt.date]], None]] = listeners.subscribers(
    listeners.CALENDAR_CHANGED)


def _require_editor(actor) -> None:
    if not permissions.can_edit_calendar(actor):
        raise PermissionDenied("只有平台管理员可以修改工作日历")


def _notify(days: set[dt.date]) -> None:
    if days:
        listeners.emit(listeners.CALENDAR_CHANGED, frozenset(days))  # after the commit


@transaction.atomic
def calendar_set_override(
    *, actor, day: dt.date, is_working: bool, source: str, note: str = "", reason: str = ""
) -> CalendarOverride:
    """Declare one date working or not, above the package data."""
    _require_editor(actor)
    if not source.strip():
        raise ValidationError({"source": "请填写依据（如国务院办公厅通知文号）"})
    existing = CalendarOverride.objects.filter(day=day).first()
    before = {"is_working": existing.is_working, "source": existing.source} if existing else None
    override, _ = CalendarOverride.objects.update_or_create(
        day=day,
        defaults={"is_working": is_working, "source": source.strip(), "note": note.strip(),
                  "created_by": actor},
    )
    audit.record(
        actor=actor, action="calendar.override.set", obj=override, reason=reason,
        before=before, after={"day": day, "is_working": is_working, "source": source},
    )
    _notify({day})
    return override


@transaction.atomic
def calendar_remove_override(*, actor, day: dt.date, reason: str = "") -> None:
    _require_editor(actor)
    override = CalendarOverride.objects.filter(day=day).first()
    if override is None:
        raise ValidationError({"day": f"{day.isoformat()} 没有人工调整记录"})
    before = {"day": day, "is_working": override.is_working, "source": override.source}
    audit.record(actor=actor, action="calendar.override.remove", obj=override, reason=reason,
                 before=before)
    override.delete()
    _notify({day})


def _current_calendar() -> WorkingDayCalendar:
    """The calendar as the tables hold it inside this transaction (not the selector's
    cache, whose fingerprint may not see an edit made in the same second)."""
    return WorkingDayCalendar(
        overrides=dict(CalendarOverride.objects.values_list("day", "is_working")),
        scheduled_years=ScheduledYear.objects.values_list("year", flat=True),
    )


def _changed_days(before: WorkingDayCalendar, after: WorkingDayCalendar,
                  years: list[int]) -> set[dt.date]:
    """The days of ``years`` that are working under one calendar and not the other."""
    changed = set()
    for year in years:
        day = dt.date(year, 1, 1)
        while day.year == year:
            if before.is_working_day(day) != after.is_working_day(day):
                changed.add(day)
            day += dt.timedelta(days=1)
    return changed


@dataclass(frozen=True)
class ScheduleLoadResult:
    years: tuple[int, ...]
    created: int
    updated: int
    unchanged: int
    removed: int


@transaction.atomic
def calendar_load_schedule(
    *, actor, schedule: ParsedSchedule, source: str, replace: bool = True
) -> ScheduleLoadResult:
    """Load a year's holiday schedule (parsed from a 休/班 file) and mark its years as
    scheduled, so their deadlines stop being provisional. All or nothing: a file with any
    error changes nothing. With ``replace``, earlier overrides in those years that the
    file no longer lists are removed (the notice replaces the previous entry).

    The listeners are told the days whose status really changed, compared day by day
    with the calendar before the load: for a provisional year that is the holiday-law
    calendar (its holidays and 补假), not Monday-Friday, so a 补假 day the notice does
    not keep is reported and a holiday it merely confirms is not."""
    _require_editor(actor)
    if not source.strip():
        raise ValidationError({"source": "请填写依据（如国务院办公厅通知文号）"})
    if not schedule.ok:
        messages = [e.message for e in schedule.errors] or ["文件中没有任何日期"]
        raise ValidationError({"file": messages})
    years = sorted(schedule.years)
    before = _current_calendar()
    existing = {o.day: o for o in CalendarOverride.objects.filter(day__year__in=years)}
    created = updated = unchanged = 0
    listed = set()
    for entry in schedule.entries:
        listed.add(entry.day)
        current = existing.get(entry.day)
        if current is None:
            CalendarOverride.objects.create(
                day=entry.day, is_working=entry.is_working, source=source, created_by=actor
            )
            created += 1
        elif current.is_working != entry.is_working or current.source != source:
            current.is_working, current.source, current.created_by = entry.is_working, source, actor
            current.save()
            updated += 1
        else:
            unchanged += 1
    removed = 0
    if replace:
        stale = [day for day in existing if day not in listed]
        removed = CalendarOverride.objects.filter(day__in=stale).delete()[0]
    for year in years:
        ScheduledYear.objects.update_or_create(
            year=year, defaults={"source": source, "loaded_by": actor}
        )
    result = ScheduleLoadResult(tuple(years), created, updated, unchanged, removed)
    audit.record(
        actor=actor, action="calendar.schedule.load", object_type="core.scheduledyear",
        object_id=",".join(map(str, years)), object_repr=f"{'、'.join(map(str, years))}年节假日安排",
        reason=source,
        after={"created": created, "updated": updated, "unchanged": unchanged, "removed": removed},
    )
    _notify(_changed_days(before, _current_calendar(), years))
    return result
