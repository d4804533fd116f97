"""An agency's choices for proactive disclosure, where the rules leave it one: how many
leaders approve an item after the secrecy review, the working days within which a
normative document's interpretation is due, and how personal data is masked before
publication (Art. 15: "necessary processing" with no pattern prescribed).

Changed by the platform administrator (the platform admin is their only page); every
change is audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit
from gongkai.core import permissions as core_permissions
from gongkai.core.errors import DomainError
from gongkai.core.masking import DEFAULT_PATTERNS, MaskPattern
from gongkai.core.models import Agency
from gongkai.publishing.models import AgencyPublishingSettings

SETTINGS_FIELDS = ("approval_steps", "interpretation_limit_days", "mask_patterns")
MAX_APPROVAL_STEPS = 5


class SettingsInvalid(DomainError):
    """The settings would not work; ``problems`` lists each in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def mask_pattern_problems(patterns) -> list[str]:
    """What is wrong with masking patterns such as ``{"resident_id": [3, 4]}`` (keep the
    first 3 and the last 4 characters), in Chinese."""
    if not isinstance(patterns, dict):
        return ["脱敏规则应为对象，如 {\"resident_id\": [3, 4]}。"]
    problems = []
    for kind, keep in patterns.items():
        if kind not in DEFAULT_PATTERNS:
            problems.append(f"未知的脱敏类型“{kind}”，可选：{'、'.join(DEFAULT_PATTERNS)}。")
            continue
        try:
            if len(keep) != 2:
                raise ValueError
            MaskPattern(int(keep[0]), int(keep[1]))
        except (TypeError, ValueError):
            problems.append(f"“{kind}”的规则应为[保留前几位, 保留后几位]，均为非负整数。")
    return problems


def approval_steps_problems(steps: int) -> list[str]:
    if not 0 <= steps <= MAX_APPROVAL_STEPS:
        return [f"领导审批层级应在0至{MAX_APPROVAL_STEPS}级之间。"]
    return []


@transaction.atomic
def publishing_settings_save(*, actor, agency: Agency, **fields) -> AgencyPublishingSettings:
    """Change the agency's settings (any of ``SETTINGS_FIELDS``); the others keep their
    value, or the defaults for an agency that had none."""
    if not core_permissions.is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以修改主动公开设置")
    if unknown := set(fields) - set(SETTINGS_FIELDS):
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    problems = []
    if "approval_steps" in fields:
        problems += approval_steps_problems(fields["approval_steps"])
    if "mask_patterns" in fields:
        fields["mask_patterns"] = fields["mask_patterns"] or {}
        problems += mask_pattern_problems(fields["mask_patterns"])
    if problems:
        raise SettingsInvalid(problems)
    if "mask_patterns" in fields:
        # Stored as [int, int], whatever numeric form they came in.
        fields["mask_patterns"] = {k: [int(v[0]), int(v[1])] for k, v in fields["mask_patterns"].items()}
    settings, created = AgencyPublishingSettings.objects.select_for_update().get_or_create(agency=agency)
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()
    after = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    if after == before and not created:
        return settings
    settings.save()
    audit.record(actor=actor, action="publishing.settings.save", obj=settings, agency=agency,
                 before=None if created else before, after=after)
    return settings
