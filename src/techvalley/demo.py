"""The whole demo scenario, one call: registry, people, plan. Deterministic and safe to re-run."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from techvalley.core.audit import acting_as

STEPS = ["registry", "coordinates", "estimates", "people", "plan", "energy"]


def load_demo(progress: Callable[[str], None] | None = None, energy_days: int = 365) -> dict:
    """``energy_days``: days of simulated meter readings from 2025-01-01 (0 for none)."""
    from techvalley.green.demo import load_energy_demo
    from techvalley.projects.demo import load_plan_demo
    from techvalley.registry import demo as registry_demo

    note = progress or (lambda _step: None)
    with acting_as(None, "demo"), transaction.atomic():
        summary = registry_demo.load_registry_demo(note)
        note("plan")
        summary["plan"] = load_plan_demo(registry_demo.ensure_complex())
    if energy_days:
        note("energy")
        with acting_as(None, "demo"):
            summary["energy"] = load_energy_demo(registry_demo.ensure_complex(), energy_days)
    return summary
