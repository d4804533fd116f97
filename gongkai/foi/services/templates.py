"""An agency's own choices for handling requests: its reply letters (答复告知书, Art. 36)
and its settings (review body and court named in the remedy, the fee pause, the window
for spotting repeat requests).

The agency's disclosure office (公开办) makes these changes for its own agency. The
platform administrator may make them too, from the platform admin, where the platform's
default letters (a template without an agency) are kept; nobody else may.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, permissions
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Role
from gongkai.foi.letters import required_placeholders, validate_template_body
from gongkai.foi.models import AgencyFoiSettings, ReplyTemplate
from gongkai.foi.outcomes import ReplyType

SETTINGS_FIELDS = ("review_body", "court", "fee_notice_pauses_clock", "duplicate_window_days",
                   "letter_number_pattern", "signoff_steps")
DUPLICATE_WINDOW_DAYS = (1, 3650)


class TemplateInvalid(DomainError):
    """The template would not give a lawful letter, or would print a typo to a citizen;
    ``problems`` lists each in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def may_configure(user, agency: Agency | None) -> bool:
    """May this user change the letters and settings of ``agency`` (None: the platform's
    defaults)?"""
    if permissions.is_platform_admin(user):
        return True
    return agency is not None and permissions.has_role(user, agency, Role.OFFICE)


def _require(actor, agency: Agency | None) -> None:
    if not may_configure(actor, agency):
        raise PermissionDenied("只有本机关公开办可以修改答复告知书模板和办理设置。")


def title_problems(reply_type: ReplyType | str, title: str) -> list[str]:
    """Unknown placeholders in a title, in Chinese (a title need carry none)."""
    # Checked with every required placeholder appended, so only unknown names remain.
    required = "".join(f"{{{name}}}" for name, _ in required_placeholders(reply_type))
    return [f"标题中{p}" for p in validate_template_body(reply_type, title + required)]


def template_problems(reply_type: ReplyType | str, *, title: str, body: str) -> list[str]:
    """What is wrong with a template, in Chinese: the body's missing and unknown
    placeholders, then the title's unknown ones."""
    return validate_template_body(reply_type, body) + title_problems(reply_type, title)


def _summary(template: ReplyTemplate | None) -> dict | None:
    """What the audit entry keeps of a template: the title and a fingerprint of the body
    (the full text stays in the table; the log is read more widely)."""
    if template is None:
        return None
    digest = hashlib.sha256(template.body.encode("utf-8")).hexdigest()[:12]
    return {"title": template.title, "body_length": len(template.body), "body_sha256": digest}


@transaction.atomic
def reply_template_save(*, actor, agency: Agency | None, reply_type: ReplyType | str, title: str,
                        body: str) -> ReplyTemplate:
    """Set the agency's own letter for one reply type (``agency=None``: the platform's
    default). The body must carry what Art. 36 requires of that type — the decision
    always, the remedy for every refusal, the legal basis for a withholding, the
    responsible agency for "not this agency" — and no unknown placeholder."""
    _require(actor, agency)
    reply_type = ReplyType(reply_type)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise DomainError("标题和正文都不能为空")
    if problems := template_problems(reply_type, title=title, body=body):
        raise TemplateInvalid(problems)
    template = (
        ReplyTemplate.objects.select_for_update()
        .filter(agency=agency, reply_type=reply_type).first()
    )
    before = _summary(template)
    if template is None:
        template = ReplyTemplate(agency=agency, reply_type=reply_type)
    elif (template.title, template.body) == (title, body):
        return template
    template.title, template.body = title, body
    template.save()
    audit.record(actor=actor, action="foi.template.save", obj=template, agency=agency,
                 before=before, after=_summary(template))
    return template


@transaction.atomic
def reply_template_reset(*, actor, agency: Agency | None, reply_type: ReplyType | str) -> None:
    """Remove the agency's own letter for one reply type: its replies use the platform's
    default again."""
    _require(actor, agency)
    reply_type = ReplyType(reply_type)
    template = (
        ReplyTemplate.objects.select_for_update()
        .filter(agency=agency, reply_type=reply_type).first()
    )
    if template is None:
        raise DomainError(f"“{reply_type.label}”没有{'本机关' if agency else '平台'}自定义的模板，无需恢复默认")
    audit.record(actor=actor, action="foi.template.reset", obj=template, agency=agency,
                 before=_summary(template), after=None)
    template.delete()


def signoff_steps_value(steps) -> list[str]:
    """The sign-off steps to store, in their fixed order (拟稿 → 核稿 → 签发); an unknown step
    is refused rather than silently dropped."""
    from gongkai.foi.models.signoff import SignoffStep

    chosen = {str(step) for step in steps or ()}
    if unknown := chosen - {step.value for step in SignoffStep}:
        raise DomainError(f"未知的签发环节：{'、'.join(sorted(unknown))}")
    return [step.value for step in SignoffStep if step.value in chosen]


@transaction.atomic
def foi_settings_save(*, actor, agency: Agency, **fields) -> AgencyFoiSettings:
    """Change the agency's settings (any of ``SETTINGS_FIELDS``); the others keep their
    value. The review body and court are named in every refusal's remedy (Art. 36)."""
    _require(actor, agency)
    if unknown := set(fields) - set(SETTINGS_FIELDS):
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    low, high = DUPLICATE_WINDOW_DAYS
    window = fields.get("duplicate_window_days")
    if window is not None and not low <= window <= high:
        raise DomainError(f"重复申请比对期间应在{low}至{high}天之间")
    if "letter_number_pattern" in fields:
        from gongkai.foi.letters.numbering import pattern_problems

        if problems := pattern_problems(fields["letter_number_pattern"]):
            raise DomainError("；".join(problems))
    if "signoff_steps" in fields:
        fields["signoff_steps"] = signoff_steps_value(fields["signoff_steps"])
    settings, created = AgencyFoiSettings.objects.select_for_update().get_or_create(agency=agency)
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    for name, value in fields.items():
        setattr(settings, name, value.strip() if isinstance(value, str) else value)
    after = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    if after == before and not created:
        return settings
    settings.save()
    audit.record(actor=actor, action="foi.settings.save", obj=settings, agency=agency,
                 before=None if created else before, after=after)
    return settings

