"""Energy objects of company A and company B for the access-table test (tests/access.py)."""

from techvalley.green.models import Measure, Meter

XSS = "<script>alert(1)</script>"


def build(world) -> dict:
    cx = world["cx"]
    # Kinds are prefixed: the harness merges every app's kinds into one dict.
    out = {"green_meter": {}, "green_measure": {}, "green_report_query": {}, "green_measures_query": {}}
    for side in ("a", "b"):
        company = world[side]
        meter = Meter.objects.create(
            complex=cx, company=company, meter_id=f"ACCESS-{side}-{XSS}", kind="electricity", unit="kWh"
        )
        measure = Measure.objects.create(
            complex=cx, company=company, kind="led", description=f"LED {side} {XSS}", expected_kwh_per_year=1000
        )
        out["green_meter"][side] = {"meter_id": meter.meter_id}
        out["green_measure"][side] = {"pk": measure.pk, "measure_id": measure.pk}
        out["green_report_query"][side] = {"query": {"year": 2025, "company": company.pk}}
        out["green_measures_query"][side] = {"query": {"company": company.pk}}
    return out
