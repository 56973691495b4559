"""What the low-carbon complex contributes through the spine: energy pages, the readings, report and
measures API, the "Energy" menu entry (only for those who can open it), dashboard panels, the
measures search, its access table and the demo's energy step."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import OFFICERS, OWN_COMPANY, OWN_MANAGER, SIGNED_IN, Access
from techvalley.green import panels, permissions

spine.pages("green/", "techvalley.green.urls")
spine.api("/green", "techvalley.green.api.router")
spine.nav(
    # Energy is private: a company's own members and the district's officers only. University,
    # agency and centre users (and companies without a registry entry) never see the entry.
    spine.NavEntry("energy", _("Energy"), "green:index", permissions.can_open_energy, order=45),
)
spine.panel(
    spine.Panel(
        "energy-complex",
        _("Energy and greenhouse gases"),
        panels.complex_figures,
        panels.sees_complex,
        order=40,
        audiences=frozenset({"complex"}),
    ),
    spine.Panel(
        "energy-company",
        _("Our energy"),
        panels.company_figures,
        panels.sees_own_company,
        order=40,
        audiences=frozenset({"company"}),
    ),
    spine.Panel(
        "energy-anomalies",
        _("Energy anomalies to look at"),
        panels.anomaly_figures,
        panels.sees_complex,
        order=45,
        audiences=frozenset({"officer"}),
    ),
)
spine.search(spine.SearchProvider("measures", _("Reduction measures"), panels.search_measures, order=60))

COMPANY_ENERGY = OFFICERS | OWN_COMPANY
MEASURE_WRITERS = OFFICERS | OWN_MANAGER
YEAR = {"query": {"year": 2025}}


def _reading(objects, side):
    meter = objects["green_meter"][side]["meter_id"]
    return [{"meter_id": meter, "timestamp": "2025-03-03T00:00:00+09:00", "value": 1.5}]


def _new_measure(objects, side):
    return {"company_id": objects["company"][side]["pk"], "kind": "led", "description": "LED", "status": "planned"}


MEASURE_FORM = {"kind": "led", "description": "LED", "cost_krw": 1000, "expected_kwh_per_year": 10, "status": "planned"}

spine.access(
    "green",
    [
        # The index sends officers to the complex and company users to their own page.
        Access("green:index", OFFICERS | {"member", "manager"}),
        Access("green:complex", OFFICERS, params=YEAR),
        Access("green:complex_export", OFFICERS, params=YEAR),
        Access("green:complex_export_xlsx", OFFICERS, params=YEAR),
        Access("green:company", COMPANY_ENERGY, obj="company", params=YEAR),
        Access("green:company_export", COMPANY_ENERGY, obj="company", params=YEAR),
        Access("green:measure_new", MEASURE_WRITERS, obj="company"),
        Access("green:measure_new", MEASURE_WRITERS, obj="company", method="POST", body=MEASURE_FORM),
        Access("green:measure_edit", MEASURE_WRITERS, obj="green_measure"),
        Access("green:measure_edit", MEASURE_WRITERS, obj="green_measure", method="POST", body=MEASURE_FORM),
        Access("green:measure_delete", MEASURE_WRITERS, obj="green_measure", method="POST"),
        Access("api:POST /green/readings", COMPANY_ENERGY, obj="green_meter", method="POST", body=_reading),
        Access("api:GET /green/report", OFFICERS, params=YEAR, note="the whole complex"),
        Access("api:GET /green/report", COMPANY_ENERGY, obj="green_report_query", note="one company"),
        Access("api:GET /green/measures", SIGNED_IN, note="scoped: officers the complex, companies their own"),
        Access("api:GET /green/measures", COMPANY_ENERGY, obj="green_measures_query", note="one company"),
        Access("api:POST /green/measures", MEASURE_WRITERS, obj="company", method="POST", body=_new_measure),
        Access(
            "api:PATCH /green/measures/{measure_id}",
            MEASURE_WRITERS,
            obj="green_measure",
            method="PATCH",
            body={"description": "LED 교체"},
        ),
    ],
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.core.models import Complex
    from techvalley.green.demo import load_energy_demo

    days = options.get("energy_days", 365)
    if not days:
        return {}
    return {"energy": load_energy_demo(Complex.objects.get(slug=summary["complex"]), days)}


spine.demo_step(spine.DemoStep("energy", "simulated meter readings", _demo, order=90, atomic=False))

from techvalley.green import portal_parts  # noqa: E402, F401 — transition record, open data, metrics
