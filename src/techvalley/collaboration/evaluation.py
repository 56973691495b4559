"""Ranking quality on a labelled set of needs: nDCG@10 and recall@5 (plain Python).

A labelled need names its relevant experts and programmes with a grade (2: answers the need,
1: helps with part of it). nDCG uses the gain 2^grade − 1 and log2 discounts; recall@k counts
the relevant items (grade ≥ 1) found among the first k.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

from techvalley.collaboration.eligibility import CompanyFacts


def dcg(grades: Sequence[float]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at(ranked: Sequence[str], labels: Mapping[str, float], k: int = 10) -> float | None:
    """nDCG@k of a ranking against graded labels (None when nothing is relevant)."""
    ideal = dcg(sorted((g for g in labels.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return None
    return dcg([labels.get(r, 0) for r in ranked[:k]]) / ideal


def recall_at(ranked: Sequence[str], labels: Mapping[str, float], k: int = 5) -> float | None:
    relevant = {r for r, g in labels.items() if g > 0}
    if not relevant:
        return None
    return len(relevant & set(ranked[:k])) / len(relevant)


def facts_of(raw: Mapping | None) -> CompanyFacts:
    raw = raw or {}
    founded = raw.get("founded")
    return CompanyFacts(
        ksic=raw.get("ksic"),
        employees=raw.get("employees"),
        founded_year=founded if isinstance(founded, int) else None,
        founded=dt.date.fromisoformat(founded) if isinstance(founded, str) else None,
        revenue_krw=raw.get("revenue_krw"),
        region=raw.get("region"),
        in_complex=raw.get("in_complex"),
        certifications=frozenset(raw["certifications"]) if "certifications" in raw else None,
    )


def evaluate(matcher, needs: Sequence[Mapping], today: dt.date, k_ndcg: int = 10, k_recall: int = 5) -> dict:
    """Mean nDCG@k and recall@k over the needs, for experts and programmes, and the refusals
    that went wrong (a programme labelled not-eligible that was recommended)."""
    sums = {"experts": [[], []], "programmes": [[], []]}
    wrongly_recommended = []
    per_need = []
    for need in needs:
        result = matcher.match(need["text"], facts_of(need.get("facts")), limit=max(k_ndcg, k_recall), today=today)
        row = {"id": need["id"]}
        for kind in ("experts", "programmes"):
            ranked = [r["ref"] for r in result[kind]]
            labels = need.get(kind, {})
            n, r = ndcg_at(ranked, labels, k_ndcg), recall_at(ranked, labels, k_recall)
            if n is not None:
                sums[kind][0].append(n)
                sums[kind][1].append(r)
            row[kind] = (n, r)
        recommended = {r["ref"] for r in result["programmes"]}
        wrongly_recommended += [(need["id"], ref) for ref in need.get("not_eligible", []) if ref in recommended]
        per_need.append(row)

    def mean(xs):
        return sum(xs) / len(xs) if xs else float("nan")

    return {
        "needs": len(needs),
        "experts": {f"ndcg@{k_ndcg}": mean(sums["experts"][0]), f"recall@{k_recall}": mean(sums["experts"][1])},
        "programmes": {
            f"ndcg@{k_ndcg}": mean(sums["programmes"][0]),
            f"recall@{k_recall}": mean(sums["programmes"][1]),
        },
        "wrongly_recommended": wrongly_recommended,
        "per_need": per_need,
    }
