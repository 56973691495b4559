"""The energy part of the demo: a year of simulated 15-minute readings for every demo company,
a few reduction measures and the complex's target — all marked as simulated."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from techvalley.core.models import Complex
from techvalley.green import services, simulate
from techvalley.green.models import Measure
from techvalley.registry.models import Company

START = dt.date(2025, 1, 1)


def load_energy_demo(cx: Complex, days: int = 365, progress=None) -> dict:
    lake = services.lake_for(cx)
    if lake.manifest()["files"]:
        return {"meters": services.Meter.objects.filter(complex=cx).count(), "rows": 0, "skipped": True}
    names = list(
        Company.objects.filter(complex=cx, in_registry=True).order_by("registry_key").values_list("name", flat=True)
    )
    specs = simulate.meter_specs(len(names) + len(names) // 6, names)
    with tempfile.TemporaryDirectory() as tmp:
        sim = simulate.write(specs, START, days, Path(tmp))
        services.register_meters(cx, [s.__dict__ for s in specs], create_companies=False)
        result = services.ingest_files(cx, [Path(sim["readings"])], progress=progress)
    first = Company.objects.filter(complex=cx, organisation__isnull=False).order_by("registry_key").first()
    if first is not None and not Measure.objects.filter(company=first).exists():
        Measure.objects.create(
            complex=cx,
            company=first,
            kind="led",
            description="공장동 조명 LED 교체 (시연용)",
            cost_krw=18_000_000,
            expected_kwh_per_year=24_000,
            status="done",
            live_from=START + dt.timedelta(days=min(days // 2, 150)),
        )
        Measure.objects.create(
            complex=cx,
            company=first,
            kind="fems",
            description="FEMS 구축 (시연용)",
            cost_krw=60_000_000,
            expected_kwh_per_year=45_000,
            status="in_progress",
        )
        Measure.objects.create(
            complex=cx,
            company=first,
            kind="rooftop_pv",
            description="지붕 태양광 (시연용)",
            cost_krw=95_000_000,
            expected_kwh_per_year=80_000,
            status="planned",
        )
    total = services.report(cx, START.year)["total"]["tco2eq"]
    services.set_target(
        cx,
        2018,
        round(total * 1.12),
        2030,
        40,
        "시연용 추정: 2025년 모의 배출량 × 1.12 / demo estimate, not a measured 2018 inventory",
    )
    return {"meters": len(specs), "rows": result.accepted, "skipped": False}
