"""The whole demo scenario, one call: every app's demo step as registered with the spine.

Deterministic and safe to re-run. Steps marked atomic run in one transaction, in order;
the bulk steps (the energy lake) follow.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from techvalley.core import spine
from techvalley.core.audit import acting_as


def steps() -> list[spine.DemoStep]:
    ordered = sorted(spine.platform.demo_steps, key=lambda s: (s.order, s.key))
    return [s for s in ordered if s.atomic] + [s for s in ordered if not s.atomic]


def load_demo(progress: Callable[[str], None] | None = None, **options) -> dict:
    """Options go to every step: ``energy_days`` (days of simulated readings; 0 for none) …"""
    note = progress or (lambda _step: None)
    summary: dict = {}

    def run(step: spine.DemoStep) -> None:
        note(step.key)
        summary.update(step.run(summary, options) or {})

    with acting_as(None, "demo"):
        with transaction.atomic():
            for step in steps():
                if step.atomic:
                    run(step)
        for step in steps():
            if not step.atomic:
                run(step)
    return summary
