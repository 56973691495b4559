"""Read queries of the core app, scoped to the viewer."""

from django.db.models import QuerySet

from techvalley.core.models import AuditEntry, Complex
from techvalley.core.scoping import Viewer, officer_q


def audit_trail(viewer: Viewer, cx: Complex | None = None, model: str = "", object_id: str = "") -> QuerySet:
    """Changes to domain data, newest first: officers of the complex only."""
    qs = AuditEntry.objects.filter(officer_q(viewer))
    if cx is not None:
        qs = qs.filter(complex=cx)
    if model:
        qs = qs.filter(model=model)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs
