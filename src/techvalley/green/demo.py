"""The energy part of the demo: a year of simulated 15-minute readings for every demo company,
a few reduction measures and the complex's target — all marked as simulated."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from techvalley.core.models import Complex
from techvalley.green import services, simulate
from techvalley.green.models import Measure, Meter
from techvalley.registry.models import Company

START = dt.date(2025, 1, 1)
KWH_PER_15MIN_PER_EMPLOYEE = 2.0  # full load of about 8 kW per employee: a metal-working shop floor
LED_SAVING = 0.06  # the demo LED retrofit cuts the first demo company's electricity by 6%


def load_energy_demo(cx: Complex, days: int = 365, progress=None) -> dict:
    if Meter.objects.filter(complex=cx).exists():
        return {"meters": Meter.objects.filter(complex=cx).count(), "rows": 0, "skipped": True}
    # A lake left from an earlier database gets the same deterministic file again: the ingest
    # recognises it and changes nothing, and the meters registered now match it.
    companies = [
        (f"#{pk}", employees, org)
        for pk, employees, org in Company.objects.filter(complex=cx, in_registry=True)
        .order_by("registry_key")
        .values_list("id", "employees", "organisation_id")
    ]
    staff = {key: employees or 5 for key, employees, _ in companies}
    first = next((key for key, _, org in companies if org is not None), None)
    led_from = START + dt.timedelta(days=min(days // 2, 150))
    specs = [
        simulate.MeterSpec(
            s.meter_id,
            s.company,
            s.kind,
            s.unit,
            s.resolution,
            size=KWH_PER_15MIN_PER_EMPLOYEE * staff[s.company],
            step=(led_from, LED_SAVING) if s.company == first and s.kind == "electricity" else None,
        )
        for s in simulate.meter_specs(len(companies) + len(companies) // 6, [c[0] for c in companies])
    ]
    with tempfile.TemporaryDirectory() as tmp:
        sim = simulate.write(specs, START, days, Path(tmp))
        # The meters are registered with the batch: one database commit, then the lake's publish.
        meter_rows = [
            {"meter_id": s.meter_id, "company": s.company, "kind": s.kind, "unit": s.unit, "resolution": s.resolution}
            for s in specs
        ]
        result = services.ingest_files(
            cx, [Path(sim["readings"])], progress=progress, meter_rows=[meter_rows], create_companies=False
        )
    company = Company.objects.filter(complex=cx, pk=int(first[1:])).first() if first else None
    if company is not None and not Measure.objects.filter(company=company).exists():
        # Figures follow the simulation: the LED step cuts the company's electricity by LED_SAVING,
        # and the planned rooftop PV is sized within the roof's estimated potential.
        year_kwh = sum(
            m["kwh"] for c in services.report(cx, START.year, company=company)["companies"] for m in c["months"]
        )
        Measure.objects.create(
            complex=cx,
            company=company,
            kind="led",
            description="공장동 조명 LED 교체 (시연용)",
            cost_krw=18_000_000,
            expected_kwh_per_year=round(year_kwh * LED_SAVING, -2),
            status="done",
            live_from=led_from,
            note="시연용 모의 자료: 전력 사용량을 6% 줄이도록 모의함. 전후 비교는 계절·생산량을 보정하지 않음.",
        )
        Measure.objects.create(
            complex=cx,
            company=company,
            kind="fems",
            description="FEMS 구축 (시연용)",
            cost_krw=60_000_000,
            expected_kwh_per_year=round(year_kwh * 0.03, -2),
            status="in_progress",
        )
        potential = services.pv_potential(company)["kwh_per_year"]
        Measure.objects.create(
            complex=cx,
            company=company,
            kind="rooftop_pv",
            description="지붕 태양광 (시연용)",
            cost_krw=95_000_000,
            expected_kwh_per_year=round(potential * 0.8, -2) if potential else 0,
            status="planned",
            note="지붕 태양광 잠재량 추정치의 80%로 계획 (시연용)"
            if potential
            else "지붕 면적 자료가 없어 예상 발전량을 정하지 않음 (시연용)",
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
