"""Read queries of the green module, scoped to the viewer. Pages, API, panels and search use these.

Each function takes the viewer first and refuses (``PermissionDenied``) or filters what the
viewer may not see, with the predicates of ``green.permissions``. Web requests always compute on
DuckDB: Spark is for the command line and batch jobs only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from techvalley.core.models import Complex
from techvalley.core.scoping import Viewer
from techvalley.green import permissions, services
from techvalley.green.models import Measure, Meter
from techvalley.registry.models import Company


def _private() -> PermissionDenied:
    return PermissionDenied(_("Energy data is private: companies see their own, officers the complex."))


def energy_company(viewer: Viewer, pk: int) -> Company:
    """The company whose energy the viewer asks for (404 if none, 403 if not theirs to see)."""
    company = Company.objects.select_related("complex").filter(pk=pk).first()
    if company is None:
        raise Http404
    if not permissions.can_view_energy(viewer, company):
        raise _private()
    return company


def require_complex(viewer: Viewer, cx: Complex) -> None:
    if not permissions.can_view_complex_energy(viewer, cx):
        raise PermissionDenied(_("District officers only."))


def measures(viewer: Viewer, cx: Complex, company: Company | None = None) -> QuerySet[Measure]:
    """Reduction measures the viewer may see: the complex's for officers, their own company's otherwise."""
    qs = Measure.objects.filter(complex=cx).select_related("company")
    if company is not None:
        if not permissions.can_view_energy(viewer, company):
            raise _private()
        return qs.filter(company=company)
    if permissions.can_view_complex_energy(viewer, cx):
        return qs
    return qs.filter(company__organisation_id__in=viewer.org_ids) if viewer.org_ids else qs.none()


def measure(viewer: Viewer, pk: int, *, manage: bool = False) -> Measure:
    """One measure the viewer may see (``manage``: may change)."""
    found = Measure.objects.select_related("company", "complex").filter(pk=pk).first()
    if found is None:
        raise Http404
    if not permissions.can_view_energy(viewer, found.company):
        raise _private()
    if manage and not permissions.can_manage_measures(viewer, found.company):
        raise PermissionDenied(_("Only the company's managers and district officers may change its measures."))
    return found


def meters(viewer: Viewer, cx: Complex) -> QuerySet[Meter]:
    qs = Meter.objects.filter(complex=cx)
    if permissions.can_view_complex_energy(viewer, cx):
        return qs
    return qs.filter(company__organisation_id__in=viewer.org_ids) if viewer.org_ids else qs.none()


def company_energy(viewer: Viewer, company: Company, year: int, emission_set: str | None = None) -> dict:
    if not permissions.can_view_energy(viewer, company):
        raise _private()
    return services.company_energy(company.complex, company, year, emission_set)


def report(
    viewer: Viewer, cx: Complex, year: int, *, company: Company | None = None, emission_set: str | None = None
) -> dict:
    """The annual report (docs/energy.md) of the complex (officers) or of one company (its members too).
    Always DuckDB: a web request never starts Spark."""
    if company is None:
        require_complex(viewer, cx)
    elif not permissions.can_view_energy(viewer, company):
        raise _private()
    return services.report(cx, year, engine="duckdb", emission_set=emission_set, company=company)


def complex_overview(viewer: Viewer, cx: Complex, year: int, emission_set: str | None = None) -> dict:
    require_complex(viewer, cx)
    return services.complex_overview(cx, year, emission_set)


def trajectory(viewer: Viewer, cx: Complex, years: list[int], emission_set: str | None = None) -> dict:
    require_complex(viewer, cx)
    return services.trajectory(cx, years, emission_set)


def latest_year(cx: Complex) -> int | None:
    """The last year with readings in the lake (what the pages show when no year is asked)."""
    months = [f["month"] for f in services.lake_for(cx).manifest()["files"]]
    return int(max(months)[:4]) if months else None
