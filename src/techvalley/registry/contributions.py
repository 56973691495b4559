"""What the registry contributes through the spine: the directory, structure, imports, KSIC API."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

spine.pages("registry/", "techvalley.registry.urls")
spine.api("/registry", "techvalley.registry.api.router")
spine.api("/ksic", "techvalley.registry.api.ksic_router")
spine.nav(
    spine.NavEntry("companies", _("Companies"), "registry:company_list", order=20),
    spine.NavEntry("structure", _("Industry structure"), "registry:structure", order=30),
    spine.NavEntry(
        "review", _("Review queue"), "registry:review_queue", lambda v: v.is_officer, order=60, group="officer"
    ),
    spine.NavEntry("imports", _("Imports"), "registry:import_list", lambda v: v.is_officer, order=70, group="officer"),
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.registry.demo import load_registry_demo

    return load_registry_demo()


spine.demo_step(spine.DemoStep("registry", "registry, coordinates, estimates, people", _demo, order=10))
