"""Dashboard panels and site search of the cooperation module (registered in ``contributions.py``).

Each figure says its unit, its source and as of when, and links to the records behind it. The
complex sees agreements in force and active programmes; officers the follow-ups that are overdue
and agreements about to expire; a company the programmes it may apply to and their deadlines.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from techvalley.collaboration import permissions, selectors
from techvalley.collaboration.models import Agreement, Programme, ProgrammeStatus, SupportProgramme
from techvalley.core import spine

SOURCE = "collaboration"


def sees_complex(viewer, complex) -> bool:
    return complex is not None


def sees_as_officer(viewer, complex) -> bool:
    return complex is not None and permissions.is_officer(viewer, complex)


def sees_own_company(viewer, complex) -> bool:
    return complex is not None and permissions.own_company(viewer, complex) is not None


def complex_figures(viewer, complex) -> list[spine.Figure]:
    today = dt.date.today()
    agreements = selectors.agreements(viewer, complex)
    in_force = agreements.filter(terminated=False).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).count()
    active = [p for p in selectors.programmes(viewer, complex) if p.is_active(today)]
    budget = sum(line.amount_krw for p in active for line in p.budget.all())
    open_calls = SupportProgramme.objects.filter(complex=complex).filter(
        Q(deadline__isnull=True) | Q(deadline__gte=today)
    )
    source = _("agreements and programmes recorded by the district office")
    return [
        spine.Figure(
            "collab-agreements",
            _("Agreements in force"),
            in_force,
            _("agreements"),
            source,
            today,
            reverse("collaboration:agreement_list"),
        ),
        spine.Figure(
            "collab-programmes",
            _("Active joint programmes"),
            len(active),
            _("programmes"),
            source,
            today,
            reverse("collaboration:programme_list"),
            note=_("budget %(amount)s억원") % {"amount": f"{budget / 1e8:,.1f}"} if budget else "",
        ),
        spine.Figure(
            "collab-calls",
            _("Support programmes open"),
            open_calls.count(),
            _("programmes"),
            _("support-programme catalogue"),
            today,
            reverse("collaboration:catalogue_list"),
        ),
    ]


def officer_figures(viewer, complex) -> list[spine.Figure]:
    today = dt.date.today()
    overdue = selectors.overdue_follow_ups(viewer, complex, today)
    expiring = [a for a in Agreement.objects.filter(complex=complex, terminated=False) if a.expires_within(today)]
    open_needs = selectors.needs(viewer, complex).filter(status="open").count()
    source = _("follow-up actions of the agreements")
    return [
        spine.Figure(
            "collab-overdue",
            _("Overdue follow-up actions"),
            overdue.count(),
            _("actions"),
            source,
            today,
            reverse("collaboration:agreement_list"),
        ),
        spine.Figure(
            "collab-expiring",
            _("Agreements expiring within 90 days"),
            len(expiring),
            _("agreements"),
            source,
            today,
            reverse("collaboration:agreement_list"),
        ),
        spine.Figure(
            "collab-needs",
            _("Companies' needs not yet taken up"),
            open_needs,
            _("needs"),
            _("needs entered by companies and officers"),
            today,
            reverse("collaboration:need_list"),
        ),
    ]


def company_figures(viewer, complex) -> list[spine.Figure]:
    company = permissions.own_company(viewer, complex)
    if company is None:
        return []
    today = dt.date.today()
    rec = selectors.recommended_programmes(viewer, company, today)
    soon = sorted((r for r in rec["eligible"] if r["days_left"] is not None), key=lambda r: r["days_left"])
    url = reverse("collaboration:company", args=[company.pk])
    source = _("support-programme catalogue, checked against the company registry")
    figures = [
        spine.Figure(
            "collab-eligible",
            _("Support programmes we may apply to"),
            len(rec["eligible"]),
            _("programmes"),
            source,
            today,
            url,
        ),
        spine.Figure(
            "collab-check",
            _("Programmes to check (facts missing)"),
            len(rec["cannot_tell"]),
            _("programmes"),
            source,
            today,
            url,
        ),
    ]
    if soon:
        first = soon[0]
        figures.append(
            spine.Figure(
                "collab-deadline",
                _("Next deadline"),
                first["programme"].deadline.isoformat(),
                "",
                source,
                today,
                first["programme"].get_absolute_url(),
                note=f"{first['programme'].title} (D-{first['days_left']})",
            )
        )
    return figures


# --- search -------------------------------------------------------------------------------


def search_experts(viewer, complex, query: str, limit: int) -> list[spine.SearchHit]:
    if complex is None:
        return []
    qs = selectors.experts(viewer, complex).filter(
        Q(org__icontains=query) | Q(unit__icontains=query) | Q(name__icontains=query) | Q(text__icontains=query)
    )
    return [
        spine.SearchHit(str(e), e.get_absolute_url(), _("Expertise"), ", ".join(e.fields or [])[:120])
        for e in qs.order_by("ref")[:limit]
    ]


def search_programmes(viewer, complex, query: str, limit: int) -> list[spine.SearchHit]:
    if complex is None:
        return []
    hits = [
        spine.SearchHit(p.title, p.get_absolute_url(), _("Joint programme"), p.funder)
        for p in selectors.programmes(viewer, complex).filter(Q(title__icontains=query) | Q(funder__icontains=query))[
            :limit
        ]
    ]
    calls = selectors.catalogue(viewer, complex).filter(
        Q(title__icontains=query) | Q(agency__icontains=query) | Q(text__icontains=query)
    )
    hits += [
        spine.SearchHit(p.title, p.get_absolute_url(), _("Support programme"), p.agency)
        for p in calls.order_by("deadline")[: max(limit - len(hits), 0)]
    ]
    return hits


def search_agreements(viewer, complex, query: str, limit: int) -> list[spine.SearchHit]:
    if complex is None:
        return []
    qs = (
        selectors.agreements(viewer, complex)
        .filter(Q(title__icontains=query) | Q(purpose__icontains=query) | Q(parties__partner__name__icontains=query))
        .distinct()
    )
    return [
        spine.SearchHit(a.title, a.get_absolute_url(), _("Agreement"), f"{a.signed_on:%Y-%m-%d}") for a in qs[:limit]
    ]


def programme_candidates(cx, query):
    return Programme.objects.filter(complex=cx, title__icontains=query or "")


def agreement_candidates(cx, query):
    return Agreement.objects.filter(complex=cx, title__icontains=query or "")


__all__ = ["ProgrammeStatus"]
