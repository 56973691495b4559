"""The complexes of an installation side by side (a city's, or a country's): companies,
high-tech share, employees, energy and emissions per complex — public aggregates only.

Companies and their structure come from the registry in one grouped query for every complex;
energy and emissions are metrics another app computes (``green.energy_toe``,
``green.emissions``), read through the spine and shown as "—" when no app provides them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.models import Complex
from techvalley.core.scoping import Viewer
from techvalley.core.validation import BadInput
from techvalley.registry import ksic
from techvalley.registry.models import Company, ImportRun

#: The metrics of other apps shown per complex: (key, column label, default unit).
METRICS = (
    ("green.energy_toe", _("energy"), "toe"),
    ("green.emissions", _("emissions"), "tCO2eq"),
)
SORTS = {
    "name": _("name"),
    "companies": _("companies"),
    "high_tech": _("high-tech share"),
    "employees": _("employees"),
}


@dataclass
class ComplexRow:
    """One complex's public figures."""

    complex: Complex
    companies: int = 0
    high_tech: int = 0
    strict_high_tech: int = 0
    employees: int = 0
    employees_unknown: int = 0  # companies whose employees are not known (not counted)
    registry_date: object = None
    energy_toe: object = None
    emissions: object = None

    @property
    def high_tech_pct(self) -> float | None:
        return round(100 * self.high_tech / self.companies, 1) if self.companies else None

    @property
    def strict_high_tech_pct(self) -> float | None:
        return round(100 * self.strict_high_tech / self.companies, 1) if self.companies else None


def sort_param(value) -> str:
    value = (value or "companies").strip()
    if value not in SORTS:
        raise BadInput(
            f"sort: '{value[:30]}'은(는) 알 수 없는 정렬입니다 ({', '.join(SORTS)}). / unknown sort.", field="sort"
        )
    return value


def rows(viewer: Viewer, sort: str = "companies", complexes: QuerySet | None = None) -> list[ComplexRow]:
    """Every complex's registry figures (two queries whatever the number of complexes), sorted.

    Registry data is published data: every viewer gets the same aggregates.
    """
    cxs = list((complexes if complexes is not None else Complex.objects.all()).only("id", "slug", "name"))
    by_id = {cx.pk: ComplexRow(cx) for cx in cxs}
    high, strict = tuple(ksic.HIGH_TECH), tuple(ksic.STRICT_HIGH_TECH)
    grouped = (
        Company.objects.filter(complex_id__in=by_id, in_registry=True)
        .values_list("complex_id")
        .annotate(
            n=Count("id"),
            high=Count("id", filter=Q(tech_intensity__in=high)),
            strict=Count("id", filter=Q(tech_intensity__in=strict)),
            emp=Coalesce(Sum("employees"), 0),
            unknown=Count("id", filter=Q(employees__isnull=True)),
        )
        .order_by()
    )
    for cid, n, hi, st, emp, unknown in grouped:
        r = by_id[cid]
        r.companies, r.high_tech, r.strict_high_tech, r.employees, r.employees_unknown = n, hi, st, emp, unknown
    runs = (
        ImportRun.objects.filter(complex_id__in=by_id, ok=True, dry_run=False)
        .values_list("complex_id")
        .annotate(last=Max("started_at"))
        .order_by()
    )
    for cid, last in runs:
        by_id[cid].registry_date = last.date() if last else None
    out = list(by_id.values())
    keys = {
        "name": lambda r: (r.complex.name, r.complex.pk),
        "companies": lambda r: (-r.companies, r.complex.name),
        "high_tech": lambda r: (-(r.high_tech_pct or -1), r.complex.name),
        "employees": lambda r: (-r.employees, r.complex.name),
    }
    return sorted(out, key=keys[sort])


def add_metrics(items: list[ComplexRow], year: int) -> None:
    """Energy (toe) and emissions (tCO2eq) of each complex in a year, from the app that computes
    them; None ("—") when no app provides them or it has no figure. Asked with
    ``public_only=True``: the comparison is public, so the app may withhold a total that would
    disclose a single company's figure (a complex of one or two metered companies)."""
    for r in items:
        r.energy_toe = number(spine.platform.metric_value("green.energy_toe", r.complex, year=year, public_only=True))
        r.emissions = number(spine.platform.metric_value("green.emissions", r.complex, year=year, public_only=True))


def metric_info() -> list[dict]:
    """Label, unit and source of each metric column (the registered metric's, when there is one)."""
    out = []
    for key, label, unit in METRICS:
        m = spine.platform.metrics.get(key)
        out.append(
            {
                "key": key,
                "label": label,
                "unit": (m.unit if m is not None and m.unit else unit),
                "source": m.source if m is not None else "",
                "available": m is not None,
            }
        )
    return out


def number(value):
    """A metric's value as a plain number for a cell (a figure's ``value`` when it is one)."""
    value = getattr(value, "value", value)
    if isinstance(value, bool) or value is None:
        return None
    try:
        return round(float(value), 1)
    except (TypeError, ValueError):
        return None


def write_xlsx(items: list[ComplexRow], year: int, target) -> int:
    """The comparison as an Excel sheet (write-only: constant memory), with its sources."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from techvalley.core.validation import safe_row

    info = metric_info()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("산업단지 비교")
    for col, width in zip("ABCDEFGHIJ", (30, 20, 10, 14, 14, 12, 16, 14, 14, 14), strict=True):
        ws.column_dimensions[col].width = width
    headers = [
        "산업단지 / complex",
        "코드 / slug",
        "기업 / companies",
        "첨단 비중(광의) % / high-tech share (broad)",
        "첨단 비중(협의) % / high-tech share (strict)",
        "종사자 / employees",
        "종사자 미상 기업 / companies, employees unknown",
        f"에너지 {year} ({info[0]['unit']}) / energy",
        f"온실가스 {year} ({info[1]['unit']}) / emissions",
        "등록부 기준일 / registry as of",
    ]
    bold = Font(bold=True)
    head = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for r in items:
        ws.append(
            safe_row(
                [
                    r.complex.name,
                    r.complex.slug,
                    r.companies,
                    r.high_tech_pct,
                    r.strict_high_tech_pct,
                    r.employees,
                    r.employees_unknown,
                    number(r.energy_toe),
                    number(r.emissions),
                    r.registry_date.isoformat() if r.registry_date else "",
                ]
            )
        )
    ws.append([])
    ws.append(
        [
            "출처 / source: 공장등록 현황 (각 단지의 마지막 등록부 가져오기) "
            "/ factory registry (each complex's last import)"
        ]
    )
    ws.append([f"첨단 비중: {ksic.intensity_source('ko')}"])
    for m in info:
        ws.append([f"{m['key']}: {m['source'] or '제공하는 모듈 없음 — 빈칸 / no module provides it: blank'}"])
    wb.save(target)
    return len(items)
