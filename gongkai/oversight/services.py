"""Writes of the oversight area: a supervising office's own thresholds. Every write is
audited in the same transaction."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.oversight import permissions, rules
from gongkai.oversight.models import ComplianceThreshold


@transaction.atomic
def threshold_set(*, actor, agency: Agency, column: str, amber: Decimal, red: Decimal,
                  reason: str = "") -> ComplianceThreshold:
    """Set ``agency``'s own thresholds for one column (its supervisor only)."""
    if not permissions.can_set_thresholds(actor, agency):
        raise PermissionDenied("只有本机关的主管部门监督员可以修改预警阈值。")
    if column not in rules.MARKED_KEYS:
        raise DomainError("没有这个指标。")
    default = rules.default_thresholds()[column]
    problem = rules.check_threshold(default.direction, Decimal(amber), Decimal(red))
    if problem:
        raise DomainError(problem)
    # The agency row first: two first-time saves of one column queue here instead of the
    # second hitting the unique constraint (there is no threshold row to lock yet).
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    row = ComplianceThreshold.objects.select_for_update().filter(agency=agency, column=column).first()
    before = {"amber": str(row.amber), "red": str(row.red)} if row else {
        "amber": str(default.amber), "red": str(default.red), "default": True}
    if row is None:
        row = ComplianceThreshold(agency=agency, column=column)
    row.amber, row.red = Decimal(amber), Decimal(red)
    row.updated_by, row.updated_at = actor, clock.now()
    row.save()
    audit.record(actor=actor, action="oversight.threshold_set", obj=row, agency=agency, reason=reason,
                 before=before, after={"column": column, "amber": str(row.amber), "red": str(row.red)})
    return row


@transaction.atomic
def threshold_reset(*, actor, agency: Agency, column: str, reason: str = "") -> None:
    """Back to the default of ``data/thresholds.toml`` for one column."""
    if not permissions.can_set_thresholds(actor, agency):
        raise PermissionDenied("只有本机关的主管部门监督员可以修改预警阈值。")
    row = ComplianceThreshold.objects.select_for_update().filter(agency=agency, column=column).first()
    if row is None:
        return
    before = {"column": column, "amber": str(row.amber), "red": str(row.red)}
    audit.record(actor=actor, action="oversight.threshold_reset", obj=row, agency=agency, reason=reason,
                 before=before, after={"column": column, "default": True})
    row.delete()
