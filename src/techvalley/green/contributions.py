"""What the low-carbon complex contributes through the spine: energy pages and the readings API."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

spine.pages("green/", "techvalley.green.urls")
spine.api("/green", "techvalley.green.api.router")
spine.nav(
    # Energy is private: a company's own members and the district's officers only.
    spine.NavEntry("energy", _("Energy"), "green:index", lambda v: v.is_officer or bool(v.company_org_ids), order=45),
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.core.models import Complex
    from techvalley.green.demo import load_energy_demo

    days = options.get("energy_days", 365)
    if not days:
        return {}
    return {"energy": load_energy_demo(Complex.objects.get(slug=summary["complex"]), days)}


spine.demo_step(spine.DemoStep("energy", "simulated meter readings", _demo, order=90, atomic=False))
