"""What plan tracking contributes through the spine: pledges, the plan dashboard, the plan API."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

spine.pages("plan/", "techvalley.projects.urls")
spine.api("/plan", "techvalley.projects.api.router")
spine.nav(
    spine.NavEntry("pledges", _("Pledges"), "projects:pledge_list", order=40),
    spine.NavEntry(
        "plan_dashboard", _("Plan dashboard"), "projects:dashboard", lambda v: v.is_officer, order=50, group="officer"
    ),
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.core.models import Complex
    from techvalley.projects.demo import load_plan_demo

    return {"plan": load_plan_demo(Complex.objects.get(slug=summary["complex"]))}


spine.demo_step(spine.DemoStep("plan", "pledge 3-1 with sub-projects", _demo, order=20))
