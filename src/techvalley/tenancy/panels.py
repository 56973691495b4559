"""Dashboard panels, linkable types and site search of the tenancy app (see contributions.py)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techvalley.core import spine
from techvalley.tenancy import permissions, selectors
from techvalley.tenancy.models import Campaign, Centre, Lead, Roundtable

SOURCE_UNITS = "units and leases recorded by the district office"


def sees_complex(viewer, complex) -> bool:
    return complex is not None


def sees_attraction(viewer, complex) -> bool:
    return complex is not None and permissions.can_manage_tenancy(viewer, complex)


def complex_figures(viewer, complex) -> list[spine.Figure]:
    """Occupancy and vacancies of the centres (public figures)."""
    occ = selectors.occupancy(complex)
    today = timezone.localdate()
    url = reverse("tenancy:vacancy_list")
    source = _("Units recorded by the district office; demo figures are estimates")
    if not occ["units"]:
        return [
            spine.Figure("kic-none", _("Knowledge-industry centres"), _("none recorded yet"), "", source, today, url)
        ]
    return [
        spine.Figure(
            "kic-occupancy",
            _("Occupancy of knowledge-industry centres"),
            round(occ["occupancy_rate"] * 100) if occ["occupancy_rate"] is not None else "—",
            "%",
            source,
            today,
            url,
            _("by floor area"),
        ),
        spine.Figure("kic-vacant", _("Vacant units"), occ["vacant_units"], _("units"), source, today, url),
        spine.Figure("kic-vacant-m2", _("Vacant floor area"), round(occ["vacant_m2"]), "m²", source, today, url),
    ]


def funnel_figures(viewer, complex) -> list[spine.Figure]:
    """The attraction funnel and leads nobody planned a next step for (officers)."""
    f = selectors.funnel(viewer, complex)
    stale = selectors.leads_without_next_step(viewer, complex).count()
    today = timezone.localdate()
    source = _("Leads recorded on the platform")
    url = reverse("tenancy:funnel")
    return [
        spine.Figure("kic-open-leads", _("Open leads"), f["open"], _("leads"), source, today, url),
        spine.Figure("kic-stale-leads", _("Leads without a next step"), stale, _("leads"), source, today, url),
        spine.Figure(
            "kic-conversion",
            _("Inquiry to move-in"),
            round(f["conversion"] * 100) if f["conversion"] is not None else "—",
            "%",
            source,
            today,
            url,
        ),
        spine.Figure(
            "kic-high-tech",
            _("High-tech share of new tenants"),
            round(f["high_tech_share"] * 100) if f["high_tech_share"] is not None else "—",
            "%",
            source,
            today,
            url,
        ),
    ]


def campaign_candidates(complex, query: str):
    return Campaign.objects.filter(complex=complex, name__icontains=query or "").order_by("-start")[:20]


def roundtable_candidates(complex, query: str):
    return Roundtable.objects.filter(complex=complex, title__icontains=query or "").order_by("-held_on")[:20]


def search(viewer, complex, query: str, limit: int = 10) -> list[spine.SearchHit]:
    """Centres (everyone, published ones) and, for officers, leads and campaigns."""
    if complex is None or not query.strip():
        return []
    q = query.strip()
    hits = []
    centres = Centre.objects.filter(complex=complex).filter(Q(name__icontains=q) | Q(address__icontains=q))
    if not permissions.can_manage_tenancy(viewer, complex):
        centres = centres.filter(published=True)
    for c in centres[:limit]:
        hits.append(spine.SearchHit(c.name, c.get_absolute_url(), _("Knowledge-industry centre"), c.address))
    if permissions.can_manage_tenancy(viewer, complex):
        for lead in Lead.objects.filter(complex=complex, company_name__icontains=q)[:limit]:
            hits.append(
                spine.SearchHit(lead.company_name, lead.get_absolute_url(), _("Lead"), lead.get_stage_display())
            )
        for c in Campaign.objects.filter(complex=complex, name__icontains=q)[:limit]:
            hits.append(spine.SearchHit(c.name, c.get_absolute_url(), _("Campaign"), c.get_channel_display()))
    return hits[:limit]


def own_lease_figures(viewer, complex) -> list[spine.Figure]:
    """A company's home: its current units in knowledge-industry centres (its members only)."""
    leases = list(selectors.own_leases(viewer, complex).filter(end__isnull=True)[:6])
    if not leases:
        return []
    today = timezone.localdate()
    source = _("Leases recorded by the district office")
    figures = []
    for lease in leases[:5]:
        unit = lease.unit
        term = _("since %(start)s") % {"start": lease.start.isoformat()}
        rent = (
            _("monthly rent %(won)s KRW") % {"won": f"{lease.monthly_rent_won:,}"}
            if lease.monthly_rent_won is not None
            else _("rent not recorded")
        )
        figures.append(
            spine.Figure(
                f"kic-lease-{lease.pk}",
                f"{unit.centre.name} {unit.number}",
                f"{unit.area_m2:,.1f}",
                "m²",
                source,
                today,
                reverse("tenancy:company_leases", args=[lease.tenant.company_id]),
                f"{term} · {rent}",
            )
        )
    return figures


def sees_own_leases(viewer, complex) -> bool:
    return complex is not None and permissions.has_company(viewer) and selectors.own_leases(viewer, complex).exists()
