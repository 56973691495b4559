"""The whole demo scenario, one call: registry, people, plan. Deterministic and safe to re-run."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from techvalley.core.audit import acting_as

STEPS = ["registry", "coordinates", "estimates", "people", "plan"]


def load_demo(progress: Callable[[str], None] | None = None) -> dict:
    from techvalley.projects.demo import load_plan_demo
    from techvalley.registry import demo as registry_demo

    note = progress or (lambda _step: None)
    with acting_as(None, "demo"), transaction.atomic():
        summary = registry_demo.load_registry_demo(note)
        note("plan")
        summary["plan"] = load_plan_demo(registry_demo.ensure_complex())
    return summary
