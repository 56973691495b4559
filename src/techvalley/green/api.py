"""Energy endpoints: readings in (JSON batches from FEMS or meter gateways), reports out."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from techvalley.core.api import get_complex, viewer
from techvalley.green import services
from techvalley.green.factors import UnknownFactorSet
from techvalley.green.ingest import IngestError
from techvalley.green.models import Meter
from techvalley.registry.models import Company

router = Router(tags=["green"])


class Reading(Schema):
    meter_id: str
    timestamp: str
    value: float | None


@router.post("/readings")
def post_readings(request, readings: list[Reading], complex: str | None = None):
    """A batch of readings. Officers may send any meter's; a company's members only their own.
    Sending the same batch again changes nothing."""
    cx = get_complex(complex)
    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    ids = {r.meter_id for r in readings}
    if not v.is_officer_of(cx.pk):
        own = set(
            Meter.objects.filter(complex=cx, meter_id__in=ids, company__organisation_id__in=v.org_ids).values_list(
                "meter_id", flat=True
            )
        )
        if ids - own:
            raise HttpError(
                403, "다른 회사의 계량기입니다. / Not your company's meters: " + ", ".join(sorted(ids - own)[:10])
            )
    try:
        return services.ingest_records(cx, [r.dict() for r in readings]).as_dict()
    except IngestError as exc:
        raise HttpError(422, str(exc)) from exc


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
    company's members: their own company only."""
    cx = get_complex(complex)
    v = viewer(request)
    target = get_object_or_404(Company, pk=company, complex=cx) if company else None
    if not v.is_officer_of(cx.pk):
        if target is None or not v.can_see_private(target.organisation_id, cx.pk):
            raise HttpError(403, "에너지 자료는 해당 기업과 구청 담당자만 볼 수 있습니다. / Energy data is private.")
    if engine not in ("duckdb", "spark"):
        raise HttpError(422, "engine: duckdb or spark")
    try:
        return services.report(cx, year, engine=engine, emission_set=factors, company=target)
    except UnknownFactorSet as exc:
        raise HttpError(422, str(exc)) from exc
