"""Frequencies and cross-tabulations of survey answers — plain logic, no database.

Responses come as dicts ``{"id", "ref", "answers": {code: value}, "segment": {dimension: value}}``;
the segment holds the answering company's KSIC division, size class, technology level and
법정동 as they were when it answered (anonymous responses keep the segment, not the company).

``frequencies(spec, responses)`` counts the answers of one question; ``crosstab(spec,
responses, dimension)`` counts them per segment value; ``analyse(specs, responses)`` builds
the ``techvalley survey analyse --json`` document (free-text themes come from ``themes``).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from techvalley.surveys.questions import (
    LONG_TEXT,
    MATRIX,
    MULTIPLE,
    NUMBER,
    RANKING,
    SCALE,
    SINGLE,
    Spec,
)

#: The dimensions answers can be cross-tabulated by (keys of a response's segment).
DIMENSIONS = ("division", "size_class", "tech_intensity", "legal_dong")
#: Segment value of a response whose company is unknown (imported without one, say).
UNKNOWN = "unknown"
#: Published results hide cross-tab cells with fewer answers than this (small cells identify).
MIN_PUBLIC_CELL = 3


def _values(spec: Spec, value: Any) -> list[str]:
    """The choice keys an answer counts for (a multiple choice counts once per choice)."""
    if value is None:
        return []
    if spec.type == SINGLE:
        return [str(value)]
    if spec.type == MULTIPLE:
        return [str(v) for v in value]
    if spec.type == SCALE:
        return [str(value)]
    if spec.type == MATRIX:
        return [f"{row}={col}" for row, col in value.items()]
    if spec.type == RANKING:
        return [str(value[0])] if value else []  # first places
    return []


def choice_keys(spec: Spec) -> list[str]:
    """Every key ``counts`` may hold, in the questionnaire's order (zero counts included)."""
    if spec.type in (SINGLE, MULTIPLE, RANKING):
        return list(spec.choice_values)
    if spec.type == SCALE:
        lo, hi = spec.scale_bounds()
        return [str(i) for i in range(lo, hi + 1)]
    if spec.type == MATRIX:
        return [f"{r}={c}" for r in spec.row_values for c in spec.choice_values]
    return []


def frequencies(spec: Spec, responses: Iterable[dict]) -> dict:
    """``{"answered", "counts"}`` and, by type, ``shares`` (of those answering), ``stats`` (numbers,
    scales) and ``mean_rank`` (rankings: 1 = first)."""
    answered = 0
    counts: Counter = Counter()
    numbers: list[float] = []
    rank_sum: Counter = Counter()
    rank_n: Counter = Counter()
    code = spec.code
    for r in responses:
        value = r["answers"].get(code)
        if value is None:
            continue
        answered += 1
        counts.update(_values(spec, value))
        if spec.type in (NUMBER, SCALE):
            numbers.append(float(value))
        if spec.type == RANKING:
            for pos, v in enumerate(value, start=1):
                rank_sum[v] += pos
                rank_n[v] += 1
    out: dict[str, Any] = {"answered": answered}
    keys = choice_keys(spec)
    if keys:
        out["counts"] = {k: counts.get(k, 0) for k in keys}
        out["shares"] = {k: round(counts.get(k, 0) / answered, 4) if answered else 0.0 for k in keys}
    if numbers:
        out["stats"] = {
            "mean": round(statistics.fmean(numbers), 4),
            "median": statistics.median(numbers),
            "min": min(numbers),
            "max": max(numbers),
            "sum": round(sum(numbers), 4),
        }
    if spec.type == RANKING:
        out["mean_rank"] = {k: round(rank_sum[k] / rank_n[k], 3) for k in spec.choice_values if rank_n[k]}
    return out


def crosstab(spec: Spec, responses: Iterable[dict], dimension: str) -> dict:
    """Counts of each choice key by segment value: ``{"rows": {segment: {key: n}}, "answered":
    {segment: n}, "keys": [...]}``. A response whose segment lacks the dimension counts as
    ``unknown``. Segments are sorted; keys follow the questionnaire."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; one of {', '.join(DIMENSIONS)}")
    keys = choice_keys(spec)
    rows: dict[str, Counter] = defaultdict(Counter)
    answered: Counter = Counter()
    code = spec.code
    for r in responses:
        value = r["answers"].get(code)
        if value is None:
            continue
        seg = (r.get("segment") or {}).get(dimension) or UNKNOWN
        answered[seg] += 1
        rows[seg].update(_values(spec, value))
    segments = sorted(rows)
    return {
        "dimension": dimension,
        "keys": keys,
        "rows": {s: {k: rows[s].get(k, 0) for k in keys} for s in segments},
        "answered": {s: answered[s] for s in segments},
    }


def crosstabs(specs: Sequence[Spec], responses: Sequence[dict], dimensions: Sequence[str] = DIMENSIONS) -> dict:
    """Every choice question by every dimension in one pass over the responses:
    ``{code: {dimension: crosstab}}`` — the same result as calling ``crosstab`` for each pair."""
    wanted = [s for s in specs if choice_keys(s)]
    tables: dict[str, dict[str, dict[str, Counter]]] = {
        s.code: {d: defaultdict(Counter) for d in dimensions} for s in wanted
    }
    answered: dict[str, dict[str, Counter]] = {s.code: {d: Counter() for d in dimensions} for s in wanted}
    for r in responses:
        seg = r.get("segment") or {}
        segs = [(d, seg.get(d) or UNKNOWN) for d in dimensions]
        ans = r["answers"]
        for s in wanted:
            value = ans.get(s.code)
            if value is None:
                continue
            vals = _values(s, value)
            t, a = tables[s.code], answered[s.code]
            for d, sv in segs:
                a[d][sv] += 1
                t[d][sv].update(vals)
    out: dict[str, dict] = {}
    for s in wanted:
        keys = choice_keys(s)
        out[s.code] = {}
        for d in dimensions:
            segments = sorted(tables[s.code][d])
            out[s.code][d] = {
                "dimension": d,
                "keys": keys,
                "rows": {sv: {k: tables[s.code][d][sv].get(k, 0) for k in keys} for sv in segments},
                "answered": {sv: answered[s.code][d][sv] for sv in segments},
            }
    return out


def suppress_small(table: dict, minimum: int = MIN_PUBLIC_CELL) -> dict:
    """A cross-tab for publication: segments with fewer than ``minimum`` answers are merged into
    one "other" row, so no row describes one or two identifiable companies."""
    rows, answered = {}, {}
    other: Counter = Counter()
    other_n = 0
    for seg, counts in table["rows"].items():
        n = table["answered"][seg]
        if n >= minimum and seg != UNKNOWN:
            rows[seg], answered[seg] = counts, n
        else:
            other.update(counts)
            other_n += n
    if other_n >= minimum:
        rows["other"], answered["other"] = {k: other.get(k, 0) for k in table["keys"]}, other_n
    return {**table, "rows": rows, "answered": answered}


def analyse(specs: Sequence[Spec], responses: Sequence[dict], *, theme_limit: int = 8, kiwi=None) -> dict:
    """The analysis document: for each question ``code``, ``type``, ``answered``, ``counts`` (choice
    questions), ``stats`` (numbers) and ``themes`` (long text)."""
    from techvalley.surveys import themes as theming

    questions = []
    for spec in specs:
        freq = frequencies(spec, responses)
        item: dict[str, Any] = {"code": spec.code, "type": spec.type, "label": spec.label_ko, **freq}
        if spec.type == LONG_TEXT:
            docs = [
                (str(r.get("ref") or r["id"]), r["answers"][spec.code])
                for r in responses
                if r["answers"].get(spec.code)
            ]
            item["themes"] = [t.as_dict() for t in theming.extract_themes(docs, limit=theme_limit, kiwi=kiwi)]
        questions.append(item)
    return {"responses": len(responses), "questions": questions}
