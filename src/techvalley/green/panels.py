"""Dashboard panels and site search of the green module (registered in ``contributions.py``).

Every figure says its unit, its source (the emission-factor version) and as of when, and links
to the page it comes from. Each is scoped: the complex's energy for officers, a company's own
energy for its members, energy anomalies to look at for officers.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from techvalley.core import spine
from techvalley.green import permissions

# selectors and services (DuckDB, pyarrow) are imported when a panel is drawn, not at start-up.


def sees_complex(viewer, complex) -> bool:
    return complex is not None and permissions.can_view_complex_energy(viewer, complex)


def sees_own_company(viewer, complex) -> bool:
    return permissions.own_energy_company(viewer, complex) is not None


def _as_of(cx) -> tuple[int | None, dt.date | None]:
    """The last year with readings and the last day of its last month with readings."""
    from techvalley.green import services

    months = [f["month"] for f in services.lake_for(cx).manifest()["files"]]
    if not months:
        return None, None
    last = max(months)
    y, m = int(last[:4]), int(last[5:7])
    return y, dt.date(y, m, calendar.monthrange(y, m)[1])


def _source(rep: dict) -> str:
    f = rep["factors"]
    return _("emission factors %(set)s (%(value)s tCO2eq/MWh)") % {
        "set": f["emission_set"],
        "value": f["electricity_t_per_mwh"],
    }


def _no_readings(complex, url: str) -> spine.Figure:
    """Nothing ingested yet: said with where readings come from, as of today."""
    from django.utils import timezone

    return spine.Figure(
        "energy-none", _("Energy readings"), _("none yet"), "", _("Energy readings"), timezone.localdate(), url
    )


def complex_figures(viewer, complex) -> list[spine.Figure]:
    from techvalley.green import selectors, services

    year, as_of = _as_of(complex)
    if year is None:
        return [_no_readings(complex, reverse("green:complex"))]
    rep = selectors.report(viewer, complex, year)
    url = reverse("green:complex") + f"?year={year}"
    total = rep["total"]
    figures = [
        spine.Figure(
            "energy-total",
            _("Final energy %(year)s") % {"year": year},
            round(total["kwh"] / 1000),
            "MWh",
            _source(rep),
            as_of,
            url,
        )
    ]
    target = services.ReductionTarget.objects.filter(complex=complex).first()
    note = ""
    if target is not None:
        goal = target.target_for(year)
        gap = total["tco2eq"] - goal
        note = _("reduction path %(goal)s tCO2eq: %(gap)s %(dir)s") % {
            "goal": f"{goal:,.0f}",
            "gap": f"{abs(gap):,.0f}",
            "dir": _("above") if gap > 0 else _("below"),
        }
    figures.append(
        spine.Figure(
            "energy-tco2eq",
            _("Greenhouse gases %(year)s") % {"year": year},
            round(total["tco2eq"]),
            "tCO2eq",
            _source(rep),
            as_of,
            url,
            note,
        )
    )
    return figures


def company_figures(viewer, complex) -> list[spine.Figure]:
    from techvalley.green import selectors

    company = permissions.own_energy_company(viewer, complex)
    year, as_of = _as_of(complex)
    url = reverse("green:company", args=[company.pk])
    if year is None:
        return [_no_readings(complex, url)]
    rep = selectors.report(viewer, complex, year, company=company)
    total = rep["total"]
    url += f"?year={year}"
    return [
        spine.Figure(
            "energy-own-kwh",
            _("Our final energy %(year)s") % {"year": year},
            round(total["kwh"]),
            "kWh",
            _source(rep),
            as_of,
            url,
        ),
        spine.Figure(
            "energy-own-tco2eq",
            _("Our greenhouse gases %(year)s") % {"year": year},
            round(total["tco2eq"], 1),
            "tCO2eq",
            _source(rep),
            as_of,
            url,
        ),
    ]


def anomaly_figures(viewer, complex) -> list[spine.Figure]:
    """Companies whose electricity on some day of the last month with data was far from usual."""
    from techvalley.green import services

    year, as_of = _as_of(complex)
    if year is None:
        return []
    found = services.recent_anomalies(complex, as_of)
    url = reverse("green:complex") + f"?year={year}#anomalies"
    return [
        spine.Figure(
            "energy-anomalies",
            _("Companies with unusual days in %(month)s") % {"month": f"{as_of:%Y-%m}"},
            len({a["company"] for a in found}),
            _("companies"),
            _("robust z-score ≥ 3.5 on daily electricity, same month and kind of day"),
            as_of,
            url,
            _("%(n)s unusual days") % {"n": len(found)},
        )
    ]


def search_measures(viewer, complex, query: str, limit: int = 10) -> list[spine.SearchHit]:
    """Reduction measures whose description, note or company name matches, that the viewer may see."""
    from django.db.models import Q

    from techvalley.green import selectors

    query = (query or "").strip()
    if not query or complex is None or not viewer.is_authenticated:
        return []
    qs = selectors.measures(viewer, complex).filter(
        Q(description__icontains=query) | Q(note__icontains=query) | Q(company__name__icontains=query)
    )
    return [
        spine.SearchHit(
            title=f"{m.get_kind_display()} · {m.company.name}",
            url=reverse("green:company", args=[m.company_id]) + "#measures",
            kind=_("Reduction measure"),
            snippet=m.description,
        )
        for m in qs[:limit]
    ]
