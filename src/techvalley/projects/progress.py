"""Progress arithmetic, without a database: planned % for a date, roll-up, behind-plan flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

BEHIND_TOLERANCE = 10  # percentage points below plan before a pledge is flagged


def planned_percent(targets: Iterable[tuple[int | None, float | Decimal | None]], on: dt.date) -> float | None:
    """The planned % on a date, from year-end targets (year, % by 31 December).

    Between two year ends the plan grows linearly; before the first planned year it is 0
    (from the start of that year), after the last it stays at the last target. Columns
    without a year (임기 후) or without a % are ignored.
    """
    points = sorted((int(y), float(p)) for y, p in targets if y is not None and p is not None)
    if not points:
        return None
    first_year = points[0][0]
    if on.year < first_year:
        return 0.0
    previous = 0.0
    for year, pct in points:
        if on.year < year:
            return previous  # a year without a target keeps the last one
        if on.year == year:
            start = dt.date(year, 1, 1)
            fraction = ((on - start).days + 1) / ((dt.date(year + 1, 1, 1) - start).days)
            return round(previous + (pct - previous) * fraction, 1)
        previous = pct
    return points[-1][1]


def rollup(children: Iterable[tuple[float | Decimal | None, float | Decimal]]) -> float | None:
    """Weighted mean of the children's progress; children without progress count as 0.

    Weights are the children's own (1 when nobody set one), so equal weights give the mean.
    """
    items = [(float(p or 0), float(w)) for p, w in children]
    total = sum(w for _, w in items)
    if not items or total <= 0:
        return None
    return round(sum(p * w for p, w in items) / total, 1)


def is_behind(actual: float | None, planned: float | None, tolerance: float = BEHIND_TOLERANCE) -> bool:
    return actual is not None and planned is not None and actual < planned - tolerance


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_overdue(due: str, done: bool, today: dt.date) -> bool:
    """A future plan whose target month has passed without being done."""
    return bool(due) and not done and due < month_key(today)


def suggested_status(actual: float | None, planned: float | None) -> str | None:
    """The status (Korea Manifesto Center's categories) a pledge's own numbers point to:
    done at 100%, 일부추진 (partial) when behind plan, 정상추진 (on track) otherwise; None when
    there is no progress figure to judge by."""
    if actual is None:
        return None
    if actual >= 100:
        return "completed"
    if is_behind(actual, planned):
        return "partial"
    return "on_track"


#: Statuses a department may set that still claim the pledge is moving as planned.
CLAIMS_ON_TRACK = {"on_track", "completed", "continuing"}


def status_contradicts(status: str, actual: float | None, planned: float | None) -> bool:
    """A status the numbers contradict: 정상추진 (or 완료) while behind plan, 완료 below 100%."""
    if status in CLAIMS_ON_TRACK and is_behind(actual, planned):
        return True
    return status == "completed" and actual is not None and actual < 100
