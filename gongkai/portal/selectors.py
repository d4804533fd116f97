from django.db.models import QuerySet

from gongkai.core.models import Agency


def agencies_for_portal() -> QuerySet[Agency]:
    """Active agencies, in tree order, as the public sees them."""
    return Agency.objects.filter(is_active=True).order_by("path")


def agencies_accepting_requests() -> QuerySet[Agency]:
    """Where the public may send a request for information (form and API)."""
    return agencies_for_portal().filter(accepts_requests=True).select_related("parent")
