"""Korean Standard Industrial Classification (KSIC, 한국표준산업분류): look-ups and a resolver.

Plain Python, no database: the three revisions live in versioned CSV files in
``data/ksic`` (see its SOURCE.md) and are loaded once per process.

The resolver turns industry *names as registries write them* ("도금업 외 2종",
"금속 단조,압형 및 분말 야금제품 제조업") into codes. It never guesses silently: a name it
cannot place confidently comes back with ``status="review"``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

REVISIONS = (11, 10, 9)
CURRENT_REVISION = 11
LEVEL_NAMES = {1: "section", 2: "division", 3: "group", 4: "class", 5: "subclass"}
LEVEL_NAMES_KO = {1: "대분류", 2: "중분류", 3: "소분류", 4: "세분류", 5: "세세분류"}
REVISION_IN_FORCE = {9: "2008-02-01", 10: "2017-07-01", 11: "2024-07-01"}

# "외 3종", "외3 종": the registry's way of saying the factory has N further industries.
EXTRA_INDUSTRIES = re.compile(r"\s*외\s*(\d+)\s*종\s*$")
# Spacing and punctuation that registries vary freely.
NOISE = re.compile(r"[\s·ㆍ・•,，.．()（）\[\]{}\-‐–—/;:'\"]+")

FUZZY_ACCEPT = 92.0  # ratio on normalised names; below this a human decides
FUZZY_SUGGEST = 75.0  # a candidate this close is named as the suggestion (never pre-filled)
#: A fuzzy match is accepted only if every other candidate is at least this much worse, or
#: belongs to the same class (세분류, four digits): otherwise two readings are plausible.
FUZZY_MARGIN = 8.0
CANDIDATES = 3
# Words every industry name shares: two names differing only in what is left after removing
# them ("육류 가공업" / "차류 가공업") are different industries however similar they look.
GENERIC_WORDS = re.compile(r"그외|기타|분류안된|및|관련|유사|제조업|가공업|처리업|제조|가공|저장|처리|제품")
SCORE_MEANING = (
    "유사도는 등록된 업종명과 분류명의 글자 일치 정도입니다(100 = 같은 이름). 공통어(제조업·가공·및 등)를 뺀 "
    "핵심어의 일치도를 함께 반영합니다. 92 이상이고 다른 후보가 분명히 낮거나 같은 세분류일 때만 자동 확정합니다. / "
    "The score is how closely the registered name matches the classification name, letter by letter "
    "(100 = the same name), weighing the words that set industries apart (without 제조업, 가공, 및 …). "
    "A match is accepted automatically only at 92 or more when every other candidate is clearly lower "
    "or in the same class."
)


@dataclass(frozen=True, slots=True)
class Industry:
    """One code of one KSIC revision."""

    code: str
    name: str
    level: int
    parent: str
    revision: int


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the resolver made of one industry name."""

    input: str
    code: str | None
    name: str | None
    revision: int | None
    level: int | None
    method: str  # exact | normalized | fuzzy | unresolved | empty
    status: str  # resolved | review
    confidence: float
    extra_industries: int = 0
    suggestion: str | None = None  # best code below the acceptance threshold
    #: The closest codes for a person to choose from: {code, name, revision, level, score}.
    candidates: tuple[dict, ...] = ()

    def as_dict(self) -> dict:
        d = asdict(self)
        d["candidates"] = [dict(c) for c in self.candidates]
        return d


def normalize(name: str) -> str:
    """The comparison key of an industry name: no "외 N종", no spaces or punctuation."""
    if "종" in name:  # only then can "외 N종" be there (the search is most of the cost)
        name = EXTRA_INDUSTRIES.sub("", name)
    return NOISE.sub("", name).strip()


def core_words(key: str) -> str:
    """What sets an industry name apart: its normalised key without the words all names share."""
    return GENERIC_WORDS.sub("", key)


@cache
def table(revision: int) -> dict[str, Industry]:
    """All codes of a revision, by code."""
    if revision not in REVISIONS:
        raise ValueError(f"unknown KSIC revision {revision}; known: {REVISIONS}")
    path = resources.files("techvalley.registry") / "data" / "ksic" / f"ksic_rev{revision}.csv"
    with path.open(encoding="utf-8") as f:
        return {
            r["code"]: Industry(r["code"], r["name"], int(r["level"]), r["parent"], revision) for r in csv.DictReader(f)
        }


@cache
def _children(revision: int) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = {}
    for ind in table(revision).values():
        if ind.parent:
            kids.setdefault(ind.parent, []).append(ind.code)
    return kids


def lookup(code: str, revision: int | None = None) -> Industry | None:
    """The industry for a code, in the given revision or the newest one that has it."""
    code = code.strip().upper()
    for rev in (revision,) if revision else REVISIONS:
        found = table(rev).get(code)
        if found:
            return found
    return None


def ancestors(industry: Industry) -> list[Industry]:
    """From the section down to the industry itself."""
    chain = [industry]
    while chain[-1].parent:
        chain.append(table(industry.revision)[chain[-1].parent])
    return chain[::-1]


def children(industry: Industry) -> list[Industry]:
    t = table(industry.revision)
    return [t[c] for c in _children(industry.revision).get(industry.code, [])]


def describe(code: str, revision: int | None = None) -> dict | None:
    """Code → names at every level, parent chain and children, as plain data."""
    ind = lookup(code, revision)
    if ind is None:
        return None
    return {
        "code": ind.code,
        "name": ind.name,
        "revision": ind.revision,
        "level": ind.level,
        "level_name": LEVEL_NAMES[ind.level],
        "path": [{"code": a.code, "name": a.name, "level": a.level} for a in ancestors(ind)],
        "children": [{"code": c.code, "name": c.name} for c in children(ind)],
        "intensity": intensity_of(ind.code),
    }


@cache
def _name_index() -> tuple[dict[str, Industry], list[str]]:
    """Normalised name → industry; the newest revision, then the deepest level, wins."""
    normal: dict[str, Industry] = {}
    for rev in REVISIONS:
        for ind in sorted(table(rev).values(), key=lambda i: -i.level):
            normal.setdefault(normalize(ind.name), ind)
    return normal, list(normal)


def _score(key: str, candidate_key: str, letters: float) -> float:
    """Letter similarity, weighed half by the similarity of the words that set names apart."""
    mine, theirs = core_words(key), core_words(candidate_key)
    if not mine and not theirs:
        return letters
    return (letters + fuzz.ratio(mine, theirs)) / 2


def candidates(name: str, limit: int = CANDIDATES) -> list[tuple[Industry, float, float]]:
    """The closest industries to a name: (industry, score, letter ratio), best first."""
    key = normalize(EXTRA_INDUSTRIES.sub("", (name or "").strip()))
    if not key:
        return []
    normal, keys = _name_index()
    near = process.extract(key, keys, scorer=fuzz.ratio, limit=25, score_cutoff=50)
    scored = [(normal[k], _score(key, k, letters), letters) for k, letters, _ in near]
    scored.sort(key=lambda t: (-t[1], -t[2], t[0].code))
    return scored[:limit]


def _candidate_dicts(found: list[tuple[Industry, float, float]]) -> tuple[dict, ...]:
    return tuple(
        {"code": i.code, "name": i.name, "revision": i.revision, "level": i.level, "score": round(score, 1)}
        for i, score, _ in found
    )


def _same_class(a: Industry, b: Industry) -> bool:
    return a.revision == b.revision and len(a.code) >= 4 and len(b.code) >= 4 and a.code[:4] == b.code[:4]


@lru_cache(maxsize=100_000)
def resolve(name: str) -> Resolution:
    """Resolve one industry name as written in a registry."""
    raw = name or ""
    stripped = raw.strip()
    m = EXTRA_INDUSTRIES.search(stripped)
    extra = int(m.group(1)) if m else 0
    base = EXTRA_INDUSTRIES.sub("", stripped).strip()
    key = normalize(base)
    if not key:
        return Resolution(raw, None, None, None, None, "empty", "review", 0.0, extra)
    normal, keys = _name_index()
    ind = normal.get(key)  # the newest revision that has the name, whatever its spacing
    if ind is not None:
        exact = ind.name == base
        return _found(raw, ind, "exact" if exact else "normalized", 1.0 if exact else 0.97, extra)
    found = candidates(base, limit=max(CANDIDATES, 5))
    shown = _candidate_dicts(found[:CANDIDATES])
    if not found:
        return Resolution(raw, None, None, None, None, "unresolved", "review", 0.0, extra)
    best, score, letters = found[0]
    rivals = [s for other, s, _ in found[1:] if not _same_class(best, other)]
    clear = not rivals or max(rivals) <= score - FUZZY_MARGIN
    if letters >= FUZZY_ACCEPT and score >= FUZZY_ACCEPT - FUZZY_MARGIN and clear:
        return _found(raw, best, "fuzzy", round(letters / 100, 3), extra)
    suggestion = best.code if score >= FUZZY_SUGGEST else None
    return Resolution(
        raw, None, None, None, None, "unresolved", "review", round(score / 100, 3), extra, suggestion, shown
    )


def _found(raw: str, ind: Industry, method: str, confidence: float, extra: int) -> Resolution:
    return Resolution(raw, ind.code, ind.name, ind.revision, ind.level, method, "resolved", confidence, extra)


# --- technology intensity ------------------------------------------------------------------

INTENSITY_SOURCE = (
    "Eurostat/OECD technology-intensity grouping by NACE Rev.2, converted to KSIC divisions by "
    "this project (not an official Korean table)"
)
INTENSITY_SOURCE_KO = (
    "Eurostat/OECD의 기술수준 분류(NACE Rev.2 기준)를 이 사업에서 KSIC 중분류로 옮긴 것 (한국의 공식 분류표가 아님)"
)


def intensity_source(language: str | None = None) -> str:
    """Where the technology levels come from, in Korean unless the page is in English."""
    return INTENSITY_SOURCE if (language or "ko").startswith("en") else INTENSITY_SOURCE_KO


INTENSITY_LABELS = {
    "high": ("첨단기술", "High-tech"),
    "medium_high": ("중고위기술", "Medium-high-tech"),
    "medium_low": ("중저위기술", "Medium-low-tech"),
    "low": ("저위기술", "Low-tech"),
    "knowledge_services": ("지식집약 서비스", "Knowledge-intensive services"),
    "other": ("기타(비제조)", "Other (non-manufacturing)"),
    "unknown": ("미분류", "Unclassified"),
}
#: The broad definition of "high-tech" the complex's plan uses: high and medium-high technology
#: manufacturing plus knowledge-intensive services.
HIGH_TECH = ("high", "medium_high", "knowledge_services")
#: The strict definition: high-technology manufacturing only.
STRICT_HIGH_TECH = ("high",)


@cache
def _intensity_ranges() -> list[tuple[int, int, str]]:
    path = resources.files("techvalley.registry") / "data" / "intensity.csv"
    with path.open(encoding="utf-8") as f:
        return [(int(r["division_from"]), int(r["division_to"]), r["intensity"]) for r in csv.DictReader(f)]


def intensity_of(code: str | None) -> str:
    """Technology-intensity group of a KSIC code (any level at or below the division)."""
    if not code or len(code) < 2 or not code[:2].isdigit():
        return "unknown"
    division = int(code[:2])
    for lo, hi, group in _intensity_ranges():
        if lo <= division <= hi:
            return group
    return "other"
