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
from gongkai.core.workdays import ParsedSchedule

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
    file no longer lists are removed (the notice replaces the previous entry)."""
    _require_editor(actor)
    if not source.strip():
        raise ValidationError({"source": "请填写依据（如国务院办公厅通知文号）"})
    if not schedule.ok:
        messages = [e.message for e in schedule.errors] or ["文件中没有任何日期"]
        raise ValidationError({"file": messages})
    years = sorted(schedule.years)
    existing = {o.day: o for o in CalendarOverride.objects.filter(day__year__in=years)}
    created = updated = unchanged = 0
    changed_days: set[dt.date] = set()
    listed = set()
    for entry in schedule.entries:
        listed.add(entry.day)
        current = existing.get(entry.day)
        if current is None:
            CalendarOverride.objects.create(
                day=entry.day, is_working=entry.is_working, source=source, created_by=actor
            )
            created += 1
            changed_days.add(entry.day)
        elif current.is_working != entry.is_working or current.source != source:
            if current.is_working != entry.is_working:
                changed_days.add(entry.day)
            current.is_working, current.source, current.created_by = entry.is_working, source, actor
            current.save()
            updated += 1
        else:
            unchanged += 1
    removed = 0
    if replace:
        stale = [day for day in existing if day not in listed]
        removed = CalendarOverride.objects.filter(day__in=stale).delete()[0]
        changed_days.update(stale)
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
    _notify(changed_days | {d for d in listed if d.year in years and d not in existing})
    return result
