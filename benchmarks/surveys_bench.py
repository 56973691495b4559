"""Survey analysis benchmark: 10,000 responses of a 40-question survey.

Times the platform's one-pass cross-tabulation of every choice question by KSIC division, size
class, technology level and 법정동 beside a pandas baseline computing the same tables in the
same run (the results are checked equal), then the Korean free-text themes (Kiwi nouns and
noun phrases, keyword grouping) of the long-text questions. No database: the analysis modules
are plain code; the data are generated with a fixed seed.

    .venv/bin/python benchmarks/surveys_bench.py [--responses 10000] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from techvalley.surveys import analysis, themes  # noqa: E402
from techvalley.surveys import questions as q  # noqa: E402
from techvalley.surveys.questions import Spec  # noqa: E402


def choices(n: int, prefix: str = "c") -> tuple:
    return tuple({"value": f"{prefix}{i}", "ko": f"선택 {i}"} for i in range(1, n + 1))


def make_specs() -> list[Spec]:
    """40 questions: 12 single, 8 multiple, 6 scale, 4 number, 3 matrix, 2 ranking, 3 short and 2 long texts."""
    specs = []
    specs += [Spec(code=f"s{i}", type=q.SINGLE, choices=choices(3 + i % 5)) for i in range(12)]
    specs += [Spec(code=f"m{i}", type=q.MULTIPLE, choices=choices(5 + i % 4)) for i in range(8)]
    specs += [Spec(code=f"k{i}", type=q.SCALE, config={"min": 1, "max": 5}) for i in range(6)]
    specs += [Spec(code=f"n{i}", type=q.NUMBER) for i in range(4)]
    specs += [
        Spec(code=f"x{i}", type=q.MATRIX, choices=choices(5), rows=tuple({"value": f"r{j}"} for j in range(4)))
        for i in range(3)
    ]
    specs += [Spec(code=f"r{i}", type=q.RANKING, choices=choices(5)) for i in range(2)]
    specs += [Spec(code=f"t{i}", type=q.SHORT_TEXT) for i in range(3)]
    specs += [Spec(code=f"l{i}", type=q.LONG_TEXT) for i in range(2)]
    assert len(specs) == 40
    return specs


SUBJECTS = [
    "전기요금",
    "주차장",
    "인력 채용",
    "스마트공장",
    "태양광",
    "교육 프로그램",
    "노후 설비",
    "판로 개척",
    "폐수 처리",
    "대중교통",
]
PHRASES = [
    "부담이 큽니다",
    "지원이 필요합니다",
    "문제가 심각합니다",
    "개선을 바랍니다",
    "확대해 주세요",
    "때문에 어렵습니다",
]
EXTRA = ["", " 특히 올해는 더 심해졌습니다.", " 구청의 관심 부탁드립니다.", " 다른 산단 사례도 알려 주세요."]
PRODUCTS = [
    "금형",
    "밸브",
    "펌프",
    "도금 라인",
    "용접기",
    "배전반",
    "선박 부품",
    "자동차 부품",
    "수산 가공품",
    "프레스",
]
DIVISIONS = ["25", "29", "24", "28", "10", "30", "22", "26", "31", "20"]
SIZES = ["micro", "small", "medium", "large", "unknown"]
INTENSITIES = ["low", "medium_low", "medium_high", "high", "unknown"]
DONGS = ["장림동", "신평동", "다대동", "구평동"]


def make_responses(specs: list[Spec], n: int, seed: int = 42) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        answers: dict = {}
        for s in specs:
            if rng.random() < 0.1:  # one answer in ten left empty
                continue
            v = s.choice_values
            if s.type == q.SINGLE:
                answers[s.code] = rng.choice(v)
            elif s.type == q.MULTIPLE:
                answers[s.code] = sorted(rng.sample(v, rng.randint(1, 3)), key=v.index)
            elif s.type == q.SCALE:
                answers[s.code] = rng.randint(1, 5)
            elif s.type == q.NUMBER:
                answers[s.code] = round(rng.uniform(0, 500), 1)
            elif s.type == q.MATRIX:
                answers[s.code] = {r: rng.choice(v) for r in s.row_values if rng.random() < 0.9}
            elif s.type == q.RANKING:
                answers[s.code] = rng.sample(v, len(v))
            elif s.type == q.SHORT_TEXT:
                answers[s.code] = f"메모 {rng.randint(1, 50)}"
            elif s.type == q.LONG_TEXT:
                a, b = rng.sample(SUBJECTS, 2)
                # Mostly distinct answers (a product and a head count each), as real ones are.
                answers[s.code] = (
                    f"{rng.choice(PRODUCTS)}을 만드는 직원 {rng.randint(3, 300)}명 회사입니다. "
                    f"{a} {rng.choice(PHRASES)}. {b} {rng.choice(PHRASES)}.{rng.choice(EXTRA)}"
                )
        segment = {
            "division": rng.choice(DIVISIONS),
            "size_class": rng.choice(SIZES),
            "tech_intensity": rng.choice(INTENSITIES),
            "legal_dong": rng.choice(DONGS),
        }
        if rng.random() < 0.05:
            segment = {}  # imported without a company
        out.append({"id": i + 1, "ref": f"R{i + 1:05d}", "answers": answers, "segment": segment})
    return out


def pandas_crosstabs(specs: list[Spec], responses: list[dict]) -> dict:
    """The same tables with pandas: one long frame of (response, question, key) rows, exploded."""
    import pandas as pd

    seg = pd.DataFrame(
        [{d: (r["segment"] or {}).get(d) or analysis.UNKNOWN for d in analysis.DIMENSIONS} for r in responses]
    )
    seg["rid"] = range(len(responses))
    wanted = [s for s in specs if analysis.choice_keys(s)]
    rows_q, rows_rid, rows_key = [], [], []
    answered_q, answered_rid = [], []
    for rid, r in enumerate(responses):
        ans = r["answers"]
        for s in wanted:
            v = ans.get(s.code)
            if v is None:
                continue
            answered_q.append(s.code)
            answered_rid.append(rid)
            if s.type == q.MULTIPLE:
                keys = v
            elif s.type == q.MATRIX:
                keys = [f"{a}={b}" for a, b in v.items()]
            elif s.type == q.RANKING:
                keys = v[:1]
            else:
                keys = [str(v)]
            for k in keys:
                rows_q.append(s.code)
                rows_rid.append(rid)
                rows_key.append(k)
    long = pd.DataFrame({"q": rows_q, "rid": rows_rid, "key": rows_key}).merge(seg, on="rid")
    answered = pd.DataFrame({"q": answered_q, "rid": answered_rid}).merge(seg, on="rid")
    out: dict = {}
    for d in analysis.DIMENSIONS:
        counts = long.groupby(["q", d, "key"]).size()
        n = answered.groupby(["q", d]).size()
        for s in wanted:
            keys = analysis.choice_keys(s)
            sub_n = n.loc[s.code] if s.code in n.index.get_level_values(0) else pd.Series(dtype=int)
            sub = counts.loc[s.code] if s.code in counts.index.get_level_values(0) else pd.Series(dtype=int)
            table = sub.unstack(fill_value=0).reindex(columns=keys, fill_value=0) if len(sub) else None
            segments = sorted(sub_n.index)
            out.setdefault(s.code, {})[d] = {
                "dimension": d,
                "keys": keys,
                "rows": {
                    sv: {k: int(table.loc[sv, k]) if table is not None and sv in table.index else 0 for k in keys}
                    for sv in segments
                },
                "answered": {sv: int(sub_n[sv]) for sv in segments},
            }
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    specs = make_specs()
    t = time.perf_counter()
    responses = make_responses(specs, args.responses)
    made = time.perf_counter() - t

    t = time.perf_counter()
    ours = analysis.crosstabs(specs, responses)
    ours_s = time.perf_counter() - t
    t = time.perf_counter()
    base = pandas_crosstabs(specs, responses)
    pandas_s = time.perf_counter() - t
    if ours != base:
        raise SystemExit("cross-tabs differ from the pandas baseline")
    t = time.perf_counter()
    freq = [analysis.frequencies(s, responses) for s in specs]
    freq_s = time.perf_counter() - t

    t = time.perf_counter()
    analyser = themes.kiwi()
    load_s = time.perf_counter() - t
    theme_rows = []
    t = time.perf_counter()
    for s in specs:
        if s.type != q.LONG_TEXT:
            continue
        docs = [(r["ref"], r["answers"][s.code]) for r in responses if r["answers"].get(s.code)]
        found = themes.extract_themes(docs, kiwi=analyser)
        distinct = len({text for _, text in docs})
        theme_rows.append(
            {"code": s.code, "answers": len(docs), "distinct": distinct, "themes": [(x.label, x.size) for x in found]}
        )
    themes_s = time.perf_counter() - t
    cells = sum(len(t["rows"]) * len(t["keys"]) for tabs in ours.values() for t in tabs.values())
    result = {
        "responses": len(responses),
        "questions": len(specs),
        "generate_s": round(made, 3),
        "crosstabs": {"tables": sum(len(v) for v in ours.values()), "cells": cells},
        "crosstabs_s": round(ours_s, 3),
        "pandas_crosstabs_s": round(pandas_s, 3),
        "equal_to_pandas": True,
        "frequencies_s": round(freq_s, 3),
        "kiwi_load_s": round(load_s, 3),
        "themes_s": round(themes_s, 3),
        "themes": theme_rows,
        "answered_first": freq[0]["answered"],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"survey analysis: {len(responses):,} responses × {len(specs)} questions")
        print(f"  cross-tabs ({result['crosstabs']['tables']} tables, {cells:,} cells), one pass: {ours_s:.3f} s")
        print(f"  pandas baseline, same tables (checked equal):               {pandas_s:.3f} s")
        print(f"  frequencies of all 40 questions:                            {freq_s:.3f} s")
        print(f"  Kiwi model load: {load_s:.2f} s; free-text themes: {themes_s:.2f} s")
        for row in theme_rows:
            top = ", ".join(f"{label} ({n})" for label, n in row["themes"][:5])
            print(
                f"    {row['code']}: {row['answers']:,} answers ({row['distinct']:,} distinct)"
                f" → {len(row['themes'])} themes: {top}"
            )
    return result


if __name__ == "__main__":
    main()
