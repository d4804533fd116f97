"""Reads of proposals and decisions for the pages and the desk. Proposals are computed
when asked, from the agency's disclosing requests (``foi.repeats``) and the decisions
already taken (``conversions.rules``); nothing is stored by a job. An agency or proposal
outside the user's scope is the same Http404 as a missing one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongkai.conversions import permissions, rules
from gongkai.conversions.models import AgencyConversionSettings, Conversion, Dismissal
from gongkai.conversions.workflow import ProposalStatus
from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency
from gongkai.foi import repeats

_KEY = re.compile(r"^(\d{1,12})-[0-9a-f]{20}$")


def min_applicants_for(agency: Agency) -> int:
    """The agency's threshold (``rules.min_applicants``)."""
    configured = AgencyConversionSettings.objects.filter(agency=agency).values_list(
        "min_applicants", flat=True).first()
    return rules.min_applicants(configured)


def decided_request_ids(agency: Agency) -> set[int]:
    """The agency's requests the office already converted or dismissed (two queries)."""
    converted = Conversion.requests.through.objects.filter(conversion__agency=agency)
    dismissed = Dismissal.requests.through.objects.filter(dismissal__agency=agency)
    return (set(converted.values_list("foirequest_id", flat=True))
            | set(dismissed.values_list("foirequest_id", flat=True)))


def agency_clusters(agency: Agency) -> list[rules.Cluster]:
    """Every cluster of the agency that reaches its threshold, proposed ones first."""
    return rules.find_clusters(
        repeats.disclosed_requests(agency_id=agency.pk), agency_id=agency.pk,
        min_applicants=min_applicants_for(agency), decided=decided_request_ids(agency))


def proposals_for(agency: Agency) -> list[rules.Cluster]:
    """The clusters waiting for the office's decision."""
    return [c for c in agency_clusters(agency) if c.proposed]


@dataclass
class Proposal:
    """A cluster as its page shows it: its state and the decisions taken on its requests."""

    agency: Agency
    cluster: rules.Cluster
    conversions: list[Conversion] = field(default_factory=list)
    dismissals: list[Dismissal] = field(default_factory=list)

    @property
    def pk(self) -> str:
        return self.cluster.key

    @property
    def status(self) -> ProposalStatus:
        if self.cluster.proposed:
            return ProposalStatus.PROPOSED
        latest = max(
            [(c.created_at, ProposalStatus.CONVERTED) for c in self.conversions]
            + [(d.dismissed_at, ProposalStatus.DISMISSED) for d in self.dismissals],
            default=None)
        return latest[1] if latest else ProposalStatus.PROPOSED

    @property
    def status_label(self) -> str:
        return self.status.label


def proposal_for(agency: Agency, key: str) -> Proposal | None:
    """The agency's cluster named ``key`` as it stands now, or None when no cluster has
    that name any more (a request joined it, or it fell below the threshold)."""
    cluster = next((c for c in agency_clusters(agency) if c.key == key), None)
    if cluster is None:
        return None
    ids = cluster.request_ids
    return Proposal(
        agency=agency, cluster=cluster,
        conversions=list(Conversion.objects.filter(agency=agency, requests__in=ids).distinct()
                         .select_related("publication").order_by("-created_at", "-id")),
        dismissals=list(Dismissal.objects.filter(agency=agency, requests__in=ids).distinct()
                        .select_related("dismissed_by").order_by("-dismissed_at", "-id")),
    )


def live_conversion(proposal: Proposal) -> Conversion | None:
    """An earlier conversion of some of the proposal's requests whose item was not
    withdrawn: the information is (or is on its way to being) proactive disclosure
    already, and converting it again would make a second item of the same information
    (counted twice in 其中：依申请转主动公开)."""
    from gongkai.publishing.models import PublicationStatus

    return next((c for c in proposal.conversions
                 if c.publication.status != PublicationStatus.WITHDRAWN), None)


NOT_THIS_ROLE = "依申请转主动建议仅供本机关政府信息公开工作机构和主管部门查看。"


def _readable(user, agency: Agency | None, missing: str) -> Agency:
    """The agency if the user reads its proposals; the same 404 for a missing agency and
    one outside the user's agencies, 403 for a role of the agency that does not read them."""
    if agency is None or not core_permissions.can_view_agency(user, agency):
        raise Http404(missing)
    if not permissions.can_view_agency_proposals(user, agency):
        raise PermissionDenied(NOT_THIS_ROLE)
    return agency


def agency_get_for_user(*, user, pk: int) -> Agency:
    return _readable(user, Agency.objects.filter(pk=pk).first(), "机关不存在")


def proposal_get_for_user(*, user, pk: str) -> Proposal:
    """The proposal named ``pk`` (a cluster key) if the user reads its agency; 404 for a
    malformed, unknown, changed or foreign one alike."""
    m = _KEY.match(str(pk))
    if m is None:
        raise Http404("建议不存在")
    agency = _readable(user, Agency.objects.filter(pk=int(m.group(1))).first(), "建议不存在")
    proposal = proposal_for(agency, str(pk))
    if proposal is None:
        raise Http404("建议不存在或已变化（有新的申请加入），请返回列表查看最新建议。")
    return proposal


def conversion_get_for_user(*, user, pk: int) -> Conversion:
    conversion = (Conversion.objects.select_related("agency", "publication", "created_by")
                  .filter(pk=pk).first())
    _readable(user, conversion.agency if conversion else None, "记录不存在")
    return conversion


def conversion_requests(conversion: Conversion):
    """The requests a conversion came from: tracking number, description, reply date."""
    return conversion.requests.select_related("reply").order_by("reply__replied_on", "pk")


def recent_conversions(agency: Agency, *, limit: int = 20) -> list[Conversion]:
    return list(Conversion.objects.filter(agency=agency).select_related("publication", "created_by")
                .order_by("-created_at", "-id")[:limit])


def recent_dismissals(agency: Agency, *, limit: int = 20) -> list[Dismissal]:
    return list(Dismissal.objects.filter(agency=agency).select_related("dismissed_by")
                .order_by("-dismissed_at", "-id")[:limit])
