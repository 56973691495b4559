"""The stage of a company's transition (전통 제조업 → 첨단업종), read from the signals the apps give.

The rule is written here once, as data: the page that explains it prints these sentences, and
``stage_of`` applies these predicates, top down, the first that holds deciding.

1. **High-tech** (첨단): a high-tech industry in the broad sense (high or medium-high technology
   manufacturing, or knowledge-intensive services) *and* research or innovation of its own: an
   R&D centre, a venture / Inno-Biz / Main-Biz certification, or an outcome of a collaboration
   (patent, product, technology transfer).
2. **Innovating** (혁신): research or innovation in any industry (the same evidence), or a smart
   factory at level 3 (intermediate 2) or above.
3. **Digitalising** (디지털 전환): a smart factory at any level, training of its workers, use of
   shared equipment, or a collaboration (agreement, joint programme).
4. **Traditional** (전통 제조): none of these yet.

A signal no app provides (the app is not installed) counts as absent: the rule never guesses.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

#: The broad definition of high-tech (the plan's): high and medium-high technology manufacturing
#: and knowledge-intensive services. "knowledge" is the key ``spine.SIGNAL_KEYS`` documents,
#: "knowledge_services" the registry's.
BROAD_HIGH_TECH = frozenset({"high", "medium_high", "knowledge_services", "knowledge"})
#: The strict definition: high-technology manufacturing only.
STRICT_HIGH_TECH = frozenset({"high"})


def _value(signals: Mapping[str, spine.CompanySignal], key: str) -> Any:
    s = signals.get(key)
    return None if s is None else s.value


def _number(signals, key: str) -> float:
    v = _value(signals, key)
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    try:
        return float(v) if v is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def research(signals) -> bool:
    """Research or innovation of its own: an R&D centre, an innovation certification, an outcome."""
    return (
        bool(_value(signals, "rnd_centre"))
        or _number(signals, "certifications") >= 1
        or _number(signals, "collaboration_outcomes") >= 1
    )


def broad_high_tech(signals) -> bool:
    return _value(signals, "tech_level") in BROAD_HIGH_TECH


def digital(signals) -> bool:
    return (
        _number(signals, "smart_factory_level") >= 1
        or _number(signals, "training_hours") > 0
        or _number(signals, "equipment_hours") > 0
        or _number(signals, "collaborations") >= 1
    )


@dataclass(frozen=True)
class Stage:
    key: str
    label: Any
    #: The rule in words, shown on the pages next to the counts.
    rule: Any
    colour: str
    holds: Callable[[Mapping[str, spine.CompanySignal]], bool]
    #: The signals the rule reads for this stage (shown as the evidence on a company's page).
    reads: tuple[str, ...] = ()


#: Highest first: ``stage_of`` returns the first stage whose rule holds.
STAGES = (
    Stage(
        "high_tech",
        _("High-tech"),
        _(
            "A high-tech industry in the broad sense (high or medium-high technology manufacturing, or "
            "knowledge-intensive services) and research or innovation of its own: an R&D centre, a venture, "
            "Inno-Biz or Main-Biz certification, or an outcome of a collaboration (patent, product, technology "
            "transfer)."
        ),
        "#6a3d9a",
        lambda s: broad_high_tech(s) and research(s),
        ("tech_level", "rnd_centre", "certifications", "collaboration_outcomes"),
    ),
    Stage(
        "innovating",
        _("Innovating"),
        _(
            "Research or innovation in any industry (an R&D centre, a venture, Inno-Biz or Main-Biz "
            "certification, or an outcome of a collaboration), or a smart factory at level 3 (intermediate 2) "
            "or above."
        ),
        "#1f78b4",
        lambda s: research(s) or _number(s, "smart_factory_level") >= 3,
        ("rnd_centre", "certifications", "collaboration_outcomes", "smart_factory_level"),
    ),
    Stage(
        "digitalising",
        _("Digitalising"),
        _(
            "A smart factory at any level, training of its workers, use of shared equipment, or a collaboration "
            "(an agreement or a joint programme)."
        ),
        "#33a02c",
        digital,
        ("smart_factory_level", "training_hours", "equipment_hours", "collaborations"),
    ),
    Stage(
        "traditional",
        _("Traditional"),
        _("None of the above yet: traditional manufacturing."),
        "#b2a14f",
        lambda s: True,
    ),
)
STAGE_BY_KEY = {s.key: s for s in STAGES}


def stage_of(signals: Mapping[str, spine.CompanySignal]) -> Stage:
    for stage in STAGES:
        if stage.holds(signals):
            return stage
    return STAGES[-1]  # pragma: no cover - the last rule always holds


def companies_of(cx, as_of: dt.date | None = None):
    """The companies the stage counts cover: in the registry now, or (as of a past day) those on
    the platform then and not yet gone from the registry by that day."""
    from django.db.models import Q
    from django.utils import timezone

    from techvalley.registry.models import Company

    qs = Company.objects.filter(complex=cx).only(
        "id", "complex_id", "organisation_id", "name", "ksic_code", "tech_intensity", "employees"
    )
    if as_of is None or as_of >= timezone.localdate():
        return qs.filter(in_registry=True).order_by("id")
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    return qs.filter(Q(in_registry=True) | Q(missing_since__gt=as_of), created_at__lt=end).order_by("id")


#: How long counts are reused: the complex view reads every app's signals for every company
#: (the energy lake among them), too much for each page view. The figures say when they were
#: counted. Past days change only when a record is back-dated, so they are kept longer.
CACHE_SECONDS = 300
PAST_CACHE_SECONDS = 6 * 3600


def counted(cx, as_of: dt.date | None = None, *, cached: bool = True) -> tuple[dt.datetime, dict[str, int]]:
    """``(when counted, {stage: companies})`` — every stage listed, highest first — from every
    app's signals in bulk; reused for ``CACHE_SECONDS`` (``PAST_CACHE_SECONDS`` for a past day)."""
    from django.core.cache import cache
    from django.utils import timezone

    key = f"portal:stages:{cx.pk}:{as_of or 'now'}"
    found = cache.get(key) if cached else None
    if found is not None:
        return found
    companies = list(companies_of(cx, as_of))
    by_company = spine.platform.signals(companies, as_of)
    counts = Counter(stage_of(by_company.get(c.pk, {})).key for c in companies)
    result = (timezone.now(), {s.key: counts.get(s.key, 0) for s in STAGES})
    if cached:
        cache.set(key, result, PAST_CACHE_SECONDS if as_of else CACHE_SECONDS)
    return result


def count_stages(cx, as_of: dt.date | None = None, *, cached: bool = True) -> dict[str, int]:
    """Companies per stage (see ``counted``)."""
    return counted(cx, as_of, cached=cached)[1]


def history_days(cx, today: dt.date | None = None, limit: int = 6) -> list[dt.date]:
    """The days the complex view counts stages on: each registry import (the last few) and today."""
    from django.utils import timezone

    from techvalley.registry.models import ImportRun

    today = today or timezone.localdate()
    runs = ImportRun.objects.filter(complex=cx, ok=True, dry_run=False).order_by("-started_at")
    days = {timezone.localdate(at) for at in runs.values_list("started_at", flat=True)[: limit * 3]}
    days = sorted(d for d in days if d < today)[-(limit - 1) :] if limit > 1 else []
    return [*days, today]


def stage_history(cx, days: list[dt.date] | None = None) -> list[tuple[dt.date, dict[str, int]]]:
    from django.utils import timezone

    today = timezone.localdate()
    days = days if days is not None else history_days(cx, today)
    return [(d, count_stages(cx, None if d >= today else d)) for d in days]
