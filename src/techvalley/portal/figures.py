"""The dashboards' figures, gathered once for the pages and the monthly report alike.

Every figure comes from a panel an app registered (``spine.panel``); the portal adds none of
its own numbers except the stage counts, which it registers the same way (``contributions``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

#: The sections of an officer's report and dashboard: (audience, title), in order.
OFFICER_SECTIONS = (
    ("officer", _("Needs action")),
    ("complex", _("The complex at a glance")),
)


@dataclass(frozen=True)
class Row:
    """One figure with the panel it belongs to, flattened for a table or a document."""

    section: Any
    panel: spine.Panel
    figure: spine.Figure

    @property
    def needs_action(self) -> bool:
        """On an officer's home: a count above zero is something to act on."""
        v = self.figure.value
        return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) and v > 0


def sections(viewer, cx, audiences) -> list[tuple[str, Any, list[tuple[spine.Panel, list[spine.Figure]]]]]:
    """``[(audience, title, panels_for(...))]`` for the audiences given as (audience, title)."""
    return [(aud, title, spine.platform.panels_for(viewer, cx, aud)) for aud, title in audiences]


def rows(composed) -> list[Row]:
    return [Row(title, panel, f) for _aud, title, panels in composed for panel, figures in panels for f in figures]


def missing_provenance(figure: spine.Figure) -> list[str]:
    """What a figure lacks of its provenance: a source, an as-of date, a link."""
    missing = []
    if not str(figure.source or "").strip():
        missing.append("source")
    if figure.as_of in (None, ""):
        missing.append("as_of")
    if not figure.url:
        missing.append("url")
    return missing


def plain_value(value) -> Any:
    """A figure's value as a document cell takes it: numbers as numbers, dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:16].replace("T", " ")
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)
