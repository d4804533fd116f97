"""An item goes public (now or at a scheduled time), is withdrawn with a reason, or reopened
as a draft; releases through other channels are recorded for the annual report
(条例 Art. 19–26)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.core import audit, clock, listeners
from gongkai.core.errors import DomainError
from gongkai.publishing import permissions
from gongkai.publishing.models import DisclosureAttribute, Publication, PublicationStatus
from gongkai.publishing.services.history import current_revision, deny, locked, transition
from gongkai.publishing.services.leak_screening import require_clear_screening
from gongkai.publishing.workflow import Action


def _go_public(publication: Publication, *, actor, action: Action) -> None:
    require_clear_screening(publication)
    publication.published_on = clock.today()
    publication.published_revision = current_revision(publication)
    publication.scheduled_for = None
    transition(
        publication,
        action,
        actor=actor,
        save_fields=("published_on", "published_revision", "scheduled_for"),
        data={"revision": publication.published_revision.number},
    )
    listeners.emit(listeners.PUBLICATION_VISIBILITY, publication, True)


@transaction.atomic
def publication_publish(*, actor, publication: Publication) -> Publication:
    publication = locked(publication, Action.PUBLISH)
    if not permissions.can_publish(actor, publication):
        deny("只有本机关公开办可以发布")
    if publication.disclosure_attribute != DisclosureAttribute.PROACTIVE:
        raise DomainError("只有公开属性为主动公开的信息可以发布")
    _go_public(publication, actor=actor, action=Action.PUBLISH)
    return publication


@transaction.atomic
def publication_schedule(*, actor, publication: Publication, at: dt.datetime) -> Publication:
    publication = locked(publication, Action.SCHEDULE)
    if not permissions.can_publish(actor, publication):
        deny("只有本机关公开办可以发布")
    if at <= clock.now():
        raise DomainError("定时发布时间应晚于当前时间")
    require_clear_screening(publication)
    publication.scheduled_for = at
    transition(
        publication,
        Action.SCHEDULE,
        actor=actor,
        save_fields=("scheduled_for",),
        data={"at": at.isoformat()},
    )
    return publication


def publications_release_due(*, now: dt.datetime | None = None) -> list[Publication]:
    """Publish every scheduled item whose time has come (idempotent; run it every few
    minutes). Each item goes out in its own transaction."""
    now = now or clock.now()
    released = []
    for pk in Publication.objects.filter(
        status=PublicationStatus.SCHEDULED, scheduled_for__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            publication = Publication.objects.select_for_update().get(pk=pk)
            if publication.status != PublicationStatus.SCHEDULED or publication.scheduled_for > now:
                continue
            _go_public(publication, actor=None, action=Action.RELEASE)
            released.append(publication)
    return released


@transaction.atomic
def publication_withdraw(*, actor, publication: Publication, reason: str) -> Publication:
    """Take an item down (it stays in history with the reason)."""
    publication = locked(publication, Action.WITHDRAW)
    if not permissions.can_publish(actor, publication):
        deny("只有本机关公开办可以撤回")
    if not reason.strip():
        raise DomainError("撤回必须说明理由")
    publication.withdrawal_reason = reason.strip()
    was_public = publication.status == PublicationStatus.PUBLISHED
    transition(
        publication, Action.WITHDRAW, actor=actor, reason=reason, save_fields=("withdrawal_reason",)
    )
    if was_public:
        listeners.emit(listeners.PUBLICATION_VISIBILITY, publication, False)
    return publication


@transaction.atomic
def publication_revise(*, actor, publication: Publication) -> Publication:
    """Reopen a withdrawn item as a draft (same index number); it must pass review again."""
    publication = locked(publication, Action.REVISE)
    if not permissions.can_publish(actor, publication):
        deny("只有本机关公开办可以重新编辑已撤回的信息")
    transition(publication, Action.REVISE, actor=actor)
    return publication


@transaction.atomic
def channel_release_record(
    *, actor, publication: Publication, channel: str, released_on: dt.date, reference: str = ""
):
    """Record that a published item also went out through another channel (government
    new media, press, broadcast, the public reading rooms); the annual report counts
    releases per channel."""
    from gongkai.core.errors import InvalidTransition
    from gongkai.publishing.models import ChannelRelease, ReleaseChannel

    publication = locked(publication)
    if not permissions.can_publish(actor, publication):
        deny("只有本机关公开办可以登记其他渠道发布")
    if publication.status != PublicationStatus.PUBLISHED:
        raise InvalidTransition("只有已发布的信息可以登记其他渠道发布")
    if channel not in ReleaseChannel.values:
        raise DomainError("请选择发布渠道")
    if released_on > clock.today():
        raise DomainError("发布日期不能晚于今天")
    release = ChannelRelease.objects.create(
        publication=publication,
        channel=channel,
        released_on=released_on,
        reference=reference.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="publishing.channel_release",
        obj=publication,
        agency=publication.agency,
        after={
            "channel": channel,
            "released_on": released_on.isoformat(),
            "reference": release.reference,
        },
    )
    return release
