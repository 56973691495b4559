"""A need → experts and programmes, the contract of ``techvalley match need`` (plain Python).

``Matcher`` holds two indexes (experts, labs and equipment; the programme catalogue). For a need
it returns ``{"experts": [...], "programmes": [...], "not_eligible": [...]}``, best first:

- experts: by BM25 of the need's terms (and related terms at half weight), each with ``why``;
- programmes: only those the company is eligible for, or those we cannot tell about (a fact is
  missing — said in ``why``); each criterion met lifts the score a little;
- not_eligible: programmes that matched the need but that the company may not apply to, with
  ``why_not`` ("종업원 49명 이하 대상, 귀사 62명"). They are never among ``programmes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from techvalley.collaboration import eligibility
from techvalley.collaboration.matching import Analyzer, Document, Hit, Index, default_analyzer


@dataclass
class ExpertRecord:
    ref: str
    org: str = ""
    unit: str = ""
    fields: list[str] = field(default_factory=list)
    text: str = ""
    name: str = ""
    kind: str = "researcher"
    pk: int | None = None


@dataclass
class ProgrammeRecord:
    ref: str
    title: str = ""
    agency: str = ""
    text: str = ""
    eligibility: dict = field(default_factory=dict)
    deadline: dt.date | None = None
    pk: int | None = None


def expert_document(e: ExpertRecord) -> Document:
    return Document(
        e.ref,
        title=" ".join(x for x in (e.name, e.unit) if x),
        fields=list(e.fields),
        text=e.text,
        kind=e.kind,
        payload=e,
    )


def programme_document(p: ProgrammeRecord) -> Document:
    return Document(
        p.ref, title=p.title, fields=[p.agency] if p.agency else [], text=p.text, kind="programme", payload=p
    )


def _score(x: float) -> float:
    return round(x, 4)


class Matcher:
    """Two indexes and the rules that join them (see the module's docstring)."""

    def __init__(
        self,
        experts: Iterable[ExpertRecord],
        programmes: Iterable[ProgrammeRecord],
        analyzer: Analyzer | None = None,
    ):
        self.analyzer = analyzer or default_analyzer()
        self.experts = Index((expert_document(e) for e in experts), self.analyzer)
        self.programmes = Index((programme_document(p) for p in programmes), self.analyzer)

    def judge(self, facts: eligibility.CompanyFacts, today: dt.date):
        def run(doc: Document):
            verdict = eligibility.check(doc.payload.eligibility, facts, today)
            return verdict.status, verdict.reasons_for, verdict.reasons_against, verdict.unknowns

        return run

    def match(
        self,
        text: str,
        facts: eligibility.CompanyFacts | None = None,
        *,
        limit: int = 10,
        today: dt.date | None = None,
        exhaustive: bool = True,
    ) -> dict:
        """The contract's JSON: experts, programmes (eligible or cannot tell) and not_eligible."""
        facts = facts or eligibility.CompanyFacts()
        today = today or dt.date.today()
        terms = self.analyzer.terms(text)
        related, sources = self.analyzer.expand(terms)
        experts, _ = self.experts.search_terms(terms, related, sources, limit=limit, exhaustive=exhaustive)
        programmes, refused = self.programmes.search_terms(
            terms, related, sources, limit=limit, judge=self.judge(facts, today), exhaustive=exhaustive
        )
        return {
            "experts": [self._expert_row(h) for h in experts],
            "programmes": [self._programme_row(h, today) for h in programmes],
            "not_eligible": [
                {"ref": h.doc.ref, "why_not": "; ".join(h.against), "score": _score(h.score), "title": h.doc.title}
                for h in refused
            ],
        }

    @staticmethod
    def _expert_row(h: Hit) -> dict:
        e: ExpertRecord = h.doc.payload
        return {
            "ref": h.doc.ref,
            "score": _score(h.score),
            "why": h.why(),
            "matched": h.matched,
            "kind": e.kind,
            "org": e.org,
            "unit": e.unit,
        }

    @staticmethod
    def _programme_row(h: Hit, today: dt.date) -> dict:
        p: ProgrammeRecord = h.doc.payload
        why = h.why()
        if p.deadline is not None:
            days = (p.deadline - today).days
            why += f" · 마감 {p.deadline.isoformat()}" + (f" (D-{days})" if days >= 0 else " (마감 지남)")
        return {
            "ref": h.doc.ref,
            "score": _score(h.score),
            "why": why,
            "eligibility": h.status,
            "matched": h.matched,
            "criteria_met": h.criteria,
            "cannot_tell": h.cannot_tell,
            "title": p.title,
            "deadline": p.deadline.isoformat() if p.deadline else None,
        }
