"""Energy endpoints: readings in (JSON batches from FEMS or meter gateways), reports and reduction
measures. Who may do what: ``green.permissions``; reads through ``green.selectors``.

Reports always run on DuckDB: Spark stays on the command line (``techvalley green report
--engine spark``), a web request never starts a JVM.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from techvalley.core.api import get_complex, viewer
from techvalley.core.validation import BadInput, year_param
from techvalley.green import permissions, selectors, services
from techvalley.green.factors import UnknownFactorSet
from techvalley.green.models import Meter
from techvalley.registry.models import Company

router = Router(tags=["green"])

#: The most readings one API batch may carry (a day of 15-minute readings for 500 meters).
MAX_BATCH = 50_000


class Reading(Schema):
    meter_id: str
    timestamp: str
    value: float | None


def _signed_in(request):
    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    return v


def _denied(exc: PermissionDenied):
    return HttpError(403, str(exc.args[0]) if exc.args else "권한이 없습니다. / Not allowed.")


@router.post("/readings")
def post_readings(request, readings: list[Reading], complex: str | None = None):
    """A batch of readings (at most 50,000). Officers may send any meter's; a company's members
    only their own. Sending the same batch again changes nothing. Non-finite values, times off
    the meter's interval grid and times outside 1900–2100 are rejected with the reason."""
    cx = get_complex(complex)
    v = _signed_in(request)
    if len(readings) > MAX_BATCH:
        raise BadInput(
            f"한 번에 보낼 수 있는 검침값은 {MAX_BATCH:,}건까지입니다 ({len(readings):,}건). "
            f"/ at most {MAX_BATCH:,} readings per batch.",
            code="too_large",
            status=413,
        )
    ids = {r.meter_id for r in readings}
    owners = dict(Meter.objects.filter(complex=cx, meter_id__in=ids).values_list("meter_id", "company_id"))
    companies = Company.objects.select_related("complex").in_bulk(set(owners.values()))
    mine = {m for m, c in owners.items() if permissions.can_send_readings(v, companies[c])}
    if not permissions.can_view_complex_energy(v, cx) and ids - mine:
        raise HttpError(
            403, "다른 회사의 계량기입니다. / Not your company's meters: " + ", ".join(sorted(ids - mine)[:10])
        )
    return services.ingest_records(cx, [r.dict() for r in readings]).as_dict()


@router.get("/report")
def report(
    request,
    year: int,
    complex: str | None = None,
    company: int | None = None,
    factors: str | None = None,
    engine: str = "duckdb",
):
    """Monthly energy and tCO2eq (docs/energy.md). Officers: the complex or one company; a
    company's members: their own company only. ``engine``: only ``duckdb`` here (Spark runs on
    the command line)."""
    cx = get_complex(complex)
    v = viewer(request)
    year = year_param(year)
    if engine != "duckdb":
        raise BadInput(
            "engine: 웹과 API는 DuckDB로만 계산합니다 (Spark는 명령줄에서: techvalley green report --engine spark). "
            "/ the API computes on DuckDB only; Spark runs on the command line.",
            field="engine",
            code="bad_engine",
            status=422,
        )
    target = get_object_or_404(Company, pk=company, complex=cx) if company is not None else None
    try:
        return selectors.report(v, cx, year, company=target, emission_set=factors)
    except PermissionDenied as exc:
        raise _denied(exc) from exc
    except UnknownFactorSet as exc:
        raise BadInput(str(exc), field="factors", status=422) from exc


class MeasureOut(Schema):
    id: int
    company_id: int
    kind: str
    description: str
    cost_krw: int
    expected_kwh_per_year: float
    status: str
    live_from: dt.date | None
    note: str


class MeasureIn(Schema):
    company_id: int
    kind: str
    description: str = ""
    cost_krw: int = 0
    expected_kwh_per_year: float = 0
    status: str = "planned"
    live_from: dt.date | None = None
    note: str = ""


class MeasurePatch(Schema):
    kind: str | None = None
    description: str | None = None
    cost_krw: int | None = None
    expected_kwh_per_year: float | None = None
    status: str | None = None
    live_from: dt.date | None = None
    note: str | None = None


@router.get("/measures", response=list[MeasureOut])
def list_measures(request, complex: str | None = None, company: int | None = None):
    """Reduction measures: the complex's for officers, the viewer's own company's otherwise."""
    cx = get_complex(complex)
    v = _signed_in(request)
    target = get_object_or_404(Company, pk=company, complex=cx) if company is not None else None
    try:
        return list(selectors.measures(v, cx, target))
    except PermissionDenied as exc:
        raise _denied(exc) from exc


@router.post("/measures", response={201: MeasureOut})
def create_measure(request, body: MeasureIn):
    """Record a reduction measure (the company's managers and district officers)."""
    v = _signed_in(request)
    company = get_object_or_404(Company, pk=body.company_id)
    if not permissions.can_manage_measures(v, company):
        raise HttpError(403, "기업 관리자와 구청 담당자만 감축 조치를 기록합니다. / Managers and officers only.")
    return Status(201, services.create_measure(company, body.dict(exclude={"company_id"})))


@router.patch("/measures/{measure_id}", response=MeasureOut)
def update_measure(request, measure_id: int, body: MeasurePatch):
    """Change a measure: only the fields sent (``live_from: null`` clears the date)."""
    v = _signed_in(request)
    try:
        measure = selectors.measure(v, measure_id, manage=True)
    except PermissionDenied as exc:
        raise _denied(exc) from exc
    data = body.dict(exclude_unset=True)
    for key in ("kind", "description", "cost_krw", "expected_kwh_per_year", "status", "note"):
        if key in data and data[key] is None:
            raise BadInput(f"{key}: 값이 필요합니다 (null 불가). / may not be null.", field=key, status=422)
    return services.update_measure(measure, data)
