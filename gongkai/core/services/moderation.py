"""An agency's additions to the moderation word list (``core.moderation``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, moderation, permissions
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, ModerationWord, Role


def can_edit_words(user, agency: Agency) -> bool:
    """The agency's disclosure office keeps its list."""
    return permissions.has_role(user, agency, Role.OFFICE)


@transaction.atomic
def moderation_word_add(*, actor, agency: Agency, word: str, note: str = "") -> ModerationWord:
    if not can_edit_words(actor, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以维护审核词表")
    try:
        norm = moderation.validate_word(word)
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    if norm in moderation.platform_words():
        raise DomainError(f"“{norm}”已在平台默认词表中")
    if ModerationWord.objects.filter(agency=agency, word=norm).exists():
        raise DomainError(f"“{norm}”已在本机关词表中")
    row = ModerationWord.objects.create(agency=agency, word=norm, note=(note or "").strip()[:200],
                                        added_by=actor)
    audit.record(actor=actor, action="core.moderation_word_add", obj=row, agency=agency,
                 after={"word": norm})
    return row


@transaction.atomic
def moderation_word_remove(*, actor, word: ModerationWord) -> None:
    if not can_edit_words(actor, word.agency):
        raise PermissionDenied("只有本机关的政府信息公开工作人员可以维护审核词表")
    audit.record(actor=actor, action="core.moderation_word_remove", obj=word, agency=word.agency,
                 before={"word": word.word})
    word.delete()
