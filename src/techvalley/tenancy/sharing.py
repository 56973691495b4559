"""What the tenancy app offers other apps through the spine (see contributions.py): each
company's transition record (moving into a knowledge-industry centre; the ``kic_tenant``
signal), the centres as a map layer with their vacancies, and the open dataset of vacancies and
occupancy by centre. Nothing personal: no tenant names, rents of occupied units or contacts.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techvalley.core import spine
from techvalley.tenancy import permissions, selectors
from techvalley.tenancy.models import Centre, Lease

SOURCE = gettext_lazy("Knowledge-industry centre leases recorded by the district office")


# --- transition record -----------------------------------------------------------------------------


def events(company, viewer) -> list[spine.TimelineEvent]:
    """Moving into (and out of) a centre's unit: for the company's own members and the officers
    (where a company rents is its own business until it says so)."""
    if not permissions.can_view_company_leases(viewer, company):
        return []
    url = reverse("tenancy:company_leases", args=[company.pk])
    out = []
    for lease in Lease.objects.filter(tenant__company=company).select_related("unit", "unit__centre"):
        place = f"{lease.unit.centre.name} {lease.unit.number}"
        out.append(
            spine.TimelineEvent(
                lease.start, "kic_move_in", _("Moved into a knowledge-industry centre"), place, url, SOURCE
            )
        )
        if lease.end:
            detail = f"{place} · {lease.ended_reason}" if lease.ended_reason else place
            out.append(
                spine.TimelineEvent(
                    lease.end, "kic_move_out", _("Moved out of a knowledge-industry centre"), detail, url, SOURCE
                )
            )
    return out


def signals(companies, as_of: dt.date | None = None) -> dict[int, list[spine.CompanySignal]]:
    """``kic_tenant`` for every company given: whether it occupied a unit on that day (one query)."""
    companies = list(companies)
    day = as_of or selectors.today()
    tenants = selectors.kic_tenants([c.pk for c in companies], day)
    label = _("Tenant of a knowledge-industry centre")
    return {c.pk: [spine.CompanySignal("kic_tenant", label, c.pk in tenants, day, SOURCE)] for c in companies}


# --- map layer -------------------------------------------------------------------------------------

CATEGORIES = (
    ("kic_vacant", gettext_lazy("Centre with vacant units"), "#1a7f37"),
    ("kic_full", gettext_lazy("Centre without vacant units"), "#6e7781"),
)


def map_points(viewer, complex) -> list[spine.MapPoint]:
    """Each centre with a position: its vacant units of all (published centres; officers also
    see the unpublished ones). Estimated positions and figures say so."""
    if complex is None:
        return []
    officer = permissions.can_manage_tenancy(viewer, complex)
    points = []
    for c in selectors.centre_occupancy(complex, include_unpublished=officer):
        if c.lat is None or c.lon is None:
            continue
        detail = _("%(vacant)s of %(units)s units vacant (%(m2)s m²)") % {
            "vacant": c.vacant_units,
            "units": c.unit_count,
            "m2": f"{c.vacant_m2 or 0:,.0f}",
        }
        notes = [detail]
        if c.is_estimate:
            notes.append(_("figures are estimates"))
        if c.location_is_estimate:
            notes.append(_("position is an estimate"))
        points.append(
            spine.MapPoint(
                c.lat,
                c.lon,
                c.name,
                "kic_vacant" if c.vacant_units else "kic_full",
                c.get_absolute_url() if c.published or officer else "",
                " · ".join(str(n) for n in notes),
            )
        )
    return points


# --- open dataset ----------------------------------------------------------------------------------

COLUMNS = (
    spine.Column("centre", "string", gettext_lazy("Name of the knowledge-industry centre")),
    spine.Column("centre_id", "string", gettext_lazy("Short name of the centre on the platform")),
    spine.Column("location_class", "string", gettext_lazy("Where it stands (industrial complex, zone …)")),
    spine.Column("floors_above", "integer", gettext_lazy("Floors above ground")),
    spine.Column("units", "integer", gettext_lazy("Units recorded")),
    spine.Column("occupied_units", "integer", gettext_lazy("Units occupied")),
    spine.Column("vacant_units", "integer", gettext_lazy("Units vacant")),
    spine.Column("vacant_area_m2", "number", gettext_lazy("Floor area of the vacant units"), "m²"),
    spine.Column("occupancy_rate", "number", gettext_lazy("Occupied share of the units' floor area"), "%"),
    spine.Column("lat", "number", gettext_lazy("Latitude (WGS 84)"), "°"),
    spine.Column("lon", "number", gettext_lazy("Longitude (WGS 84)"), "°"),
    spine.Column("estimate", "boolean", gettext_lazy("Figures or position are estimates (demo)")),
)


def dataset_rows(complex):
    for c in selectors.centre_occupancy(complex):
        total = c.total_m2 or 0
        rate = round(float((c.occupied_m2 or 0) / total) * 100, 1) if total else None
        yield (
            c.name,
            c.slug,
            c.location,
            c.floors_above,
            c.unit_count,
            c.occupied_units,
            c.vacant_units,
            round(float(c.vacant_m2 or 0), 1),
            rate,
            c.lat,
            c.lon,
            bool(c.is_estimate or c.location_is_estimate),
        )


def dataset_updated(complex) -> dt.date | None:
    """The last day a lease began or ended, or a centre was added."""
    leases = Lease.objects.filter(unit__centre__complex=complex, unit__centre__published=True).aggregate(
        start=Max("start"), end=Max("end")
    )
    created = Centre.objects.filter(complex=complex, published=True).aggregate(m=Max("created_at"))["m"]
    days = [d for d in (leases["start"], leases["end"], timezone.localdate(created) if created else None) if d]
    return max(days) if days else None
