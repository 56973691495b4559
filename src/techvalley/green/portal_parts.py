"""What the low-carbon complex gives the rest of the platform through the spine (no app imports it):

- ``spine.transition("green")``: a company's reduction measures in operation, with their expected
  and measured savings, as timeline events — only for the company's own members and the
  complex's officers (energy is private); and, in bulk for the stage rule, the signal
  ``energy_intensity``: tCO2eq per employee in the last year with readings (one report per
  complex, never a query per company);
- ``spine.dataset("green.energy_by_division")``: energy and emissions by KSIC division and year,
  with every cell of fewer than 3 companies suppressed (and, when the suppressed companies
  together are fewer than 3, the smallest published divisions with them), so no single
  company can be identified or derived from the complex's total;
- ``spine.metric``: ``green.emissions`` (complex, year) → tCO2eq and ``green.energy_toe``
  (complex, year) → toe, for the city-level comparison of complexes (None: no readings that year).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.green import permissions

#: Cells of fewer companies than this are not published (통계 비공개 기준).
MIN_COMPANIES = 3


def _years(cx) -> list[int]:
    from techvalley.green import services

    return sorted({int(f["month"][:4]) for f in services.lake_for(cx).manifest()["files"]})


#: The totals the portal's figures read, per company and for the complex (the report's keys).
TOTAL_KEYS = ("kwh", "toe", "tco2eq")


def _totals(cx, year: int) -> dict | None:
    """The year's totals of the complex's report — ``{"companies": {company_id: (kwh, toe, tco2eq)},
    "total": (kwh, toe, tco2eq)}`` — or None without readings that year.

    Read from ``services.report(cx, year)`` (one computation per state of the lake, shared with the
    energy panels) and kept per state of the lake (``services.lake_memo``) in this compact form:
    the stage counts, a company's transition signals, the open dataset and the city comparison
    read a few numbers per company, not every company's twelve months, whose copy per request
    costs more than the query."""
    from techvalley.green import services

    if year not in _years(cx):
        return None

    def compute() -> dict:
        rep = services.report(cx, year)
        return {
            "companies": {c["company_id"]: tuple(c["total"][k] for k in TOTAL_KEYS) for c in rep["companies"]},
            "total": tuple(rep["total"][k] for k in TOTAL_KEYS),
        }

    found = services.lake_memo("portal-totals", cx, (year,), compute)
    return found if found["companies"] else None


# --- the transition record -------------------------------------------------------------------


def events(company, viewer) -> list[spine.TimelineEvent]:
    """The company's reduction measures in operation, with expected and measured savings."""
    if not permissions.can_view_energy(viewer, company):
        return []
    from techvalley.green import services
    from techvalley.green.models import Measure

    live = list(
        Measure.objects.filter(company=company, status=Measure.Status.DONE, live_from__isnull=False).order_by("id")
    )
    if not live:
        return []
    cx = company.complex

    def compute() -> dict[int, float | None]:
        return {r["measure"].pk: r["measured_kwh_per_year"] for r in services.measured_savings(cx, company)}

    # The measured savings depend on the readings and on the measures in operation (their days):
    # kept per state of the lake and of those measures.
    state = (company.pk, tuple((m.pk, m.live_from.isoformat()) for m in live))
    measured = services.lake_memo("portal-measured-savings", cx, state, compute)
    url = reverse("green:company", args=[company.pk]) + "#measures"
    out = []
    for m in live:
        detail = gettext("expected %(kwh)s kWh/year") % {"kwh": f"{m.expected_kwh_per_year:,.0f}"}
        if measured.get(m.pk) is not None:
            detail += " · " + gettext("measured %(kwh)s kWh/year") % {"kwh": f"{measured[m.pk]:,.0f}"}
        out.append(
            spine.TimelineEvent(
                date=m.live_from,
                kind="green",
                label=gettext("Reduction measure in operation: %(kind)s") % {"kind": m.get_kind_display()},
                detail=detail,
                url=url,
                source=_("Energy (measured before and after, working days)"),
            )
        )
    return out


def signals(companies, as_of: dt.date | None = None) -> dict[int, list[spine.CompanySignal]]:
    """``energy_intensity`` (tCO2eq per employee) of each company with readings and staff, in the
    last year with readings up to ``as_of``: one report per complex."""
    by_complex: dict[int, list] = {}
    for c in companies:
        by_complex.setdefault(c.complex_id, []).append(c)
    out: dict[int, list[spine.CompanySignal]] = {}
    for members in by_complex.values():
        cx = members[0].complex
        years = [y for y in _years(cx) if as_of is None or y <= as_of.year]
        totals = _totals(cx, years[-1]) if years else None
        if totals is None:
            continue
        per = totals["companies"]
        for company in members:
            if company.pk in per and company.employees:
                out[company.pk] = [
                    spine.CompanySignal(
                        "energy_intensity",
                        _("Emissions per employee (tCO2eq)"),
                        round(per[company.pk][2] / company.employees, 3),
                        dt.date(years[-1], 12, 31),
                        _("Energy: metered use × emission factors, per reported employee"),
                    )
                ]
    return out


# --- open data -----------------------------------------------------------------------------

DIVISION_COLUMNS = (
    spine.Column("year", "integer", _("year of the readings")),
    spine.Column(
        "ksic_division",
        "string",
        _("KSIC division (first two digits); 'other': divisions of fewer than 3 companies together"),
    ),
    spine.Column("division_name", "string", _("name of the KSIC division")),
    spine.Column("companies", "integer", _("companies with metered energy (at least 3 in every row)"), "companies"),
    spine.Column("kwh", "number", _("energy used, in kWh equivalent"), "kWh"),
    spine.Column("toe", "number", _("energy used, in tonnes of oil equivalent"), "toe"),
    spine.Column("tco2eq", "number", _("greenhouse gas emissions (Scope 1 and 2)"), "tCO2eq"),
    spine.Column("simulated", "boolean", _("Simulated readings (demonstration data), not metered")),
)


def _suppress(cells: dict[str, list]) -> tuple[dict[str, list], list | None]:
    """Cells (division → [companies, kWh, toe, tCO2eq]) of fewer than MIN_COMPANIES companies go
    into one 'other' cell; while that cell itself has fewer, the smallest published cells join it
    (so that no suppressed figure can be derived from the total). The 'other' cell is published
    only with MIN_COMPANIES companies or more."""
    published = {k: v for k, v in cells.items() if v[0] >= MIN_COMPANIES}
    other_keys = [k for k in cells if k not in published]
    while other_keys and sum(cells[k][0] for k in other_keys) < MIN_COMPANIES and published:
        smallest = min(published, key=lambda k: (published[k][0], k))
        other_keys.append(smallest)
        del published[smallest]
    if not other_keys:
        return published, None
    other = [sum(cells[k][i] for k in other_keys) for i in range(4)]
    return published, (other if other[0] >= MIN_COMPANIES else None)


def division_rows(cx):
    from techvalley.green import services
    from techvalley.registry.models import Company
    from techvalley.registry.selectors import label_division

    divisions = dict(Company.objects.filter(complex=cx).values_list("id", "ksic_code"))
    simulated = services.readings_provenance(cx)["simulated"]
    for year in _years(cx):
        totals = _totals(cx, year)
        if totals is None:
            continue
        cells: dict[str, list] = {}
        for company_id, (kwh, toe, tco2) in totals["companies"].items():
            code = (divisions.get(company_id) or "")[:2]
            cell = cells.setdefault(code, [0, 0.0, 0.0, 0.0])
            cell[0] += 1
            cell[1] += kwh
            cell[2] += toe
            cell[3] += tco2
        published, other = _suppress(cells)
        for code in sorted(published):
            n, kwh, toe, tco2 = published[code]
            yield (year, code, label_division(code), n, round(kwh, 1), round(toe, 3), round(tco2, 3), simulated)
        if other is not None:
            n, kwh, toe, tco2 = other
            other_name = "기타 (3개사 미만 업종 합계)"
            yield (year, "other", other_name, n, round(kwh, 1), round(toe, 3), round(tco2, 3), simulated)


def updated(cx) -> dt.date | None:
    """The day of the last ingest that changed the lake."""
    from techvalley.green import services

    stamps = [b.get("at", "") for b in services.lake_for(cx).manifest()["batches"].values() if b.get("accepted")]
    return dt.date.fromisoformat(max(stamps)[:10]) if stamps else None


# --- metrics for the city-level comparison -------------------------------------------------


def _total(key: str):
    def compute(cx, year: int | None = None, **_params):
        years = _years(cx)
        year = year or (years[-1] if years else None)
        totals = _totals(cx, year) if year else None
        return None if totals is None else round(totals["total"][TOTAL_KEYS.index(key)], 3)

    return compute


spine.transition(spine.Transition("green", _("Energy"), events, signals, order=70))
spine.dataset(
    spine.Dataset(
        "green.energy_by_division",
        _("Energy and emissions by industry"),
        _(
            "Metered energy use and greenhouse gas emissions of the complex's companies by KSIC division and year. "
            "Divisions of fewer than 3 companies are not shown on their own; they are added up as 'other' when "
            "that makes 3 companies or more, so no single company can be identified."
        ),
        DIVISION_COLUMNS,
        division_rows,
        updated,
        source=_("Meter readings of the complex's companies; national emission and energy factors"),
        order=40,
    )
)
spine.metric(
    spine.Metric(
        "green.emissions",
        _("Greenhouse gas emissions"),
        _total("tco2eq"),
        "tCO2eq",
        _("Meter readings × national emission factors (Scope 1 and 2)"),
    ),
    spine.Metric(
        "green.energy_toe",
        _("Energy use"),
        _total("toe"),
        "toe",
        _("Meter readings × energy conversion factors (에너지법 시행규칙)"),
    ),
)
