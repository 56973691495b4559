"""The card's 구민소통 실적 (resident communication): counted from the communication records, or as
written on the card.

Plan tracking does not keep the records: another app (surveys) registers the metric
``surveys.communications`` (see its ``contributions.py`` for the parameters) and plan tracking
reads it through the spine. A pledge shows the counts of the records held within its period
(``years``), the public pages and public documents only the records marked public. The card's own
figures are shown instead when no installed app provides the metric, or when an officer chose to
keep them (``Project.communication_source == "card"``); every rendering says which is shown.

The records' kinds map onto the card's five columns (``KIND_CHANNELS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from techvalley.core import spine
from techvalley.projects.card import CHANNELS

METRIC = "surveys.communications"

#: The record kinds of the metric → the card's columns (설명회·보고회 …).
KIND_CHANNELS = {
    "briefing": "설명회·보고회",
    "report": "설명회·보고회",
    "satisfaction": "만족도·설문조사",
    "resident_survey": "만족도·설문조사",
    "expert": "민간전문가 자문",
    "press": "언론·방송 보도",
    "other": "기타",
}

RECORDS = "records"  # counted from the communication records
KEPT = "kept"  # an officer keeps the card's own figures
ABSENT = "absent"  # no installed app provides the metric
OWN = "own"  # a sub-project's card: its own figures (the records are the complex's, counted on the pledge)


@dataclass
class Shown:
    """What the card shows in 【구민소통 실적】 and why.

    ``counts``: {column: n} in the card's columns; ``origin``: RECORDS, KEPT or ABSENT; ``as_of``
    the day the records were counted (None for the card's own figures); ``latest`` the last record's
    date; ``records``: the counts from the records when they exist (shown beside the card's own
    figures to the officers when those are kept).
    """

    counts: dict[str, int]
    origin: str
    as_of: dt.date | None = None
    latest: dt.date | None = None
    records: dict[str, int] | None = None
    years: tuple[int, int] | None = None
    card_counts: dict[str, int] = field(default_factory=dict)

    @property
    def from_records(self) -> bool:
        return self.origin == RECORDS

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def comparison(self) -> list[tuple[str, int, int]]:
        """(column, from the records, as written on the card) for each column."""
        records = self.records or {}
        columns = list(records) + [ch for ch in self.card_counts if ch not in records]
        return [(ch, records.get(ch, 0), self.card_counts.get(ch, 0)) for ch in columns]

    @property
    def note(self) -> str:
        """One line saying where the figures come from and as of when, in the page's language."""
        if self.origin == RECORDS:
            as_of = f"{self.as_of:%Y-%m-%d}" if self.as_of else ""
            if self.years:
                text = _("Source: communication records of the district (%(start)s–%(end)s), as of %(as_of)s") % {
                    "start": self.years[0],
                    "end": self.years[1],
                    "as_of": as_of,
                }
            else:
                text = _("Source: communication records of the district, as of %(as_of)s") % {"as_of": as_of}
            if self.latest:
                text += "; " + _("last record %(date)s") % {"date": f"{self.latest:%Y-%m-%d}"}
            return text
        if self.origin == KEPT:
            return _("As written on the card (kept by the officer instead of the communication records)")
        if self.origin == ABSENT:
            return _("As written on the card (no communication records on this platform)")
        return _("As written on the card")


def _years(project) -> tuple[int, int] | None:
    """The years the pledge's card counts: its period (to this year when it has no end)."""
    if not project.period_start:
        return None
    end = project.period_end or max(project.period_start, timezone.localdate().year)
    return project.period_start, end


def _card_counts(communication: dict) -> dict[str, int]:
    return {ch: int(n or 0) for ch, n in communication.items()}


def _to_channels(by_kind: dict, years: tuple[int, int] | None) -> dict[str, int]:
    """The metric's {kind: {year: n}} summed into the card's columns, within ``years``."""
    counts = dict.fromkeys(CHANNELS, 0)
    for kind, by_year in by_kind.items():
        channel = KIND_CHANNELS.get(kind, "기타")
        for year, n in by_year.items():
            if years is None or years[0] <= int(year) <= years[1]:
                counts[channel] += int(n)
    return counts


def _date(value) -> dt.date | None:
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def applies(project) -> bool:
    """Only a pledge's card counts the complex's communication (a sub-project keeps its own)."""
    return project.kind == "pledge"


def shown(project, *, public: bool = False, counted: dict | None = None) -> Shown:
    """The 구민소통 figures a card shows. ``counted``: the metric's value for every year, already
    read (the pledge list reads it once for all pledges); otherwise it is read here for the
    pledge's years."""
    own = _card_counts(project.communication)
    years = _years(project)
    if not applies(project):
        return Shown(own, OWN, card_counts=own)
    if counted is None:
        params = {"public_only": public}
        if years is not None:
            params["years"] = range(years[0], years[1] + 1)
        counted = spine.platform.metric_value(METRIC, project.complex, **params)
    if counted is None:
        return Shown(own, ABSENT, card_counts=own)
    records = _to_channels(counted.get("by_kind", {}), years)
    as_of, latest = _date(counted.get("as_of")), _date(counted.get("latest"))
    if project.communication_source == "card":
        return Shown(own, KEPT, as_of=as_of, latest=latest, records=records, years=years, card_counts=own)
    return Shown(records, RECORDS, as_of=as_of, latest=latest, records=records, years=years, card_counts=own)


def shown_for_many(projects, complex, *, public: bool = False) -> dict[int, Shown]:
    """``shown`` for many pledges of one complex, reading the metric once (constant queries)."""
    counted = spine.platform.metric_value(METRIC, complex, public_only=public)
    return {p.pk: shown(p, public=public, counted=counted) for p in projects}


def card_with_communication(card: dict, project, *, public: bool = False) -> tuple[dict, Shown]:
    """The card data with 【구민소통 실적】 as shown (records, or the card's own), and why."""
    figures = shown(project, public=public)
    if figures.origin == RECORDS:
        card = {**card, "communication": dict(figures.counts)}
    return card, figures


def card_as_shown(project, *, public: bool = False) -> tuple[dict, Shown]:
    """The project's card (``services.card_of``) with 【구민소통 실적】 as shown, and why: what the
    card page, the public page, the documents, the API and ``techvalley card render`` use."""
    from techvalley.projects.services import card_of

    return card_with_communication(card_of(project, public=public), project, public=public)


def describe(figures: Shown) -> dict:
    """``Shown`` as JSON (the card API's ``communication_source``)."""
    return {
        "origin": figures.origin,
        "note": figures.note,
        "as_of": figures.as_of.isoformat() if figures.as_of else None,
        "latest": figures.latest.isoformat() if figures.latest else None,
        "years": list(figures.years) if figures.years else None,
        "card": figures.card_counts,
        "records": figures.records,
    }
