"""Reads of the two directories (两库) for the back office. A row of another agency's
directory is the same Http404 as a missing one."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongkai.core.identifiers import normalise_id_number
from gongkai.core.masking import mask_id_number, mask_phone
from gongkai.random_inspections import permissions
from gongkai.random_inspections.models import DirectoryImport, Entity, Inspector, InspectorConflict

FILTER_CHOICES_MAX = 300  # distinct values offered in a filter's list


def entity_search(agency, *, q: str = "", kind: str = "", industry: str = "", region: str = "",
                  risk_grade: str = "", active: str = "") -> QuerySet[Entity]:
    """The agency's entities matching the filters: ``q`` is part of the name or the start
    of the credit code; ``active`` is ``"1"`` (in the directory), ``"0"`` (left) or empty."""
    qs = Entity.objects.filter(agency=agency)
    q = (q or "").strip()
    if q:
        code = normalise_id_number(q)
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__startswith=code)) if code.isalnum() and code.isascii() \
            else qs.filter(name__icontains=q)
    for field, value in (("kind", kind), ("industry", industry), ("region", region), ("risk_grade", risk_grade)):
        if value:
            qs = qs.filter(**{field: value})
    if active in ("0", "1"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by("credit_code")


def entity_filter_values(agency) -> dict[str, list[str]]:
    """The distinct kinds, industries, regions and risk grades of the agency's directory."""
    values = {}
    for field in ("kind", "industry", "region", "risk_grade"):
        values[field] = list(Entity.objects.filter(agency=agency).exclude(**{field: ""})
                             .values_list(field, flat=True).distinct().order_by(field)[:FILTER_CHOICES_MAX])
    return values


def entity_counts(agency) -> dict[str, int]:
    row = Entity.objects.filter(agency=agency).aggregate(total=Count("id"), active=Count("id", filter=Q(is_active=True)))
    return row


def inspector_search(agency, *, q: str = "", active: str = "") -> QuerySet[Inspector]:
    qs = Inspector.objects.filter(agency=agency).select_related("department")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(certificate_number__icontains=normalise_id_number(q))
                       | Q(department_name__icontains=q) | Q(expertise__icontains=q))
    if active in ("0", "1"):
        qs = qs.filter(is_active=active == "1")
    return qs.annotate(conflict_count=Count("conflicts")).order_by("certificate_number")


def inspector_get_for_user(*, user, pk: int) -> Inspector:
    inspector = Inspector.objects.select_related("agency", "department").filter(pk=pk).first()
    if inspector is None or not permissions.can_view_agency(user, inspector.agency):
        raise Http404("执法人员不存在")
    return inspector


def conflicts_of(inspector: Inspector) -> QuerySet[InspectorConflict]:
    return inspector.conflicts.select_related("declared_by").order_by("credit_code")


def conflict_get_for_user(*, user, pk: int) -> InspectorConflict:
    conflict = InspectorConflict.objects.select_related("inspector__agency").filter(pk=pk).first()
    if conflict is None or not permissions.can_view_agency(user, conflict.inspector.agency):
        raise Http404("回避申报不存在")
    return conflict


def entity_names(agency, codes) -> dict[str, str]:
    return dict(Entity.objects.filter(agency=agency, credit_code__in=list(codes)).values_list("credit_code", "name"))


def imports_for(agency, kind: str) -> QuerySet[DirectoryImport]:
    # never the kept file (megabytes to decrypt) of one still queued
    return DirectoryImport.objects.filter(agency=agency, kind=kind).select_related("imported_by").defer("content")


def import_get_for_user(*, user, pk: int) -> DirectoryImport:
    record = (DirectoryImport.objects.select_related("agency", "imported_by").defer("content")
              .filter(pk=pk).first())
    if record is None or not permissions.can_view_agency(user, record.agency):
        raise Http404("导入记录不存在")
    return record


def masked_phone(inspector: Inspector) -> str:
    return mask_phone(inspector.phone) if inspector.phone else ""


def masked_id_number(inspector: Inspector) -> str:
    return mask_id_number(inspector.id_number) if inspector.id_number else ""
