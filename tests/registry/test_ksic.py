import csv
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techvalley.registry import ksic
from techvalley.registry.demo import demo_file

SHARED_REGISTRY = (
    Path(__file__).resolve().parents[3] / "shared/data/registry/busan_factory_registry_2025-12-31.cp949.csv"
)


def registry_names() -> list[str]:
    path = SHARED_REGISTRY if SHARED_REGISTRY.exists() else demo_file("saha_factory_registry_2025-12-31.cp949.csv")
    with open(path, encoding="cp949", newline="") as f:
        return [r["업종명"] for r in csv.DictReader(f)]


def test_tables_have_every_level():
    for rev, sub in ((9, 1145), (10, 1196), (11, 1205)):
        levels = Counter(i.level for i in ksic.table(rev).values())
        assert levels[1] == 21 and levels[5] == sub


def test_code_to_names_parents_children():
    d = ksic.describe("25922")
    assert d["name"] == "도금업" and d["revision"] == 11 and d["level"] == 5
    assert [p["code"] for p in d["path"]] == ["C", "25", "259", "2592", "25922"]
    assert {c["code"] for c in ksic.describe("2592")["children"]} >= {"25921", "25922", "25924"}
    assert ksic.describe("99999") is None
    assert ksic.lookup("29120", 9).name == "유압기기 제조업"


@pytest.mark.parametrize(
    ("name", "code", "level", "method", "extra"),
    [
        ("도금업", "25922", 5, "exact", 0),
        ("도금업 외 2종", "25922", 5, "exact", 2),
        ("도금업외1 종", "25922", 5, "exact", 1),
        ("절삭가공 및 유사처리업", "25924", 5, "normalized", 0),  # revision 9 spacing
        ("탭,밸브 및 유사장치 제조업", "29133", 5, "normalized", 0),
        ("금속 단조ㆍ압형 및 분말 야금제품 제조업", "2591", 4, "normalized", 0),
        ("1차 금속 제조업", "24", 2, "exact", 0),  # a division name
        ("유압기기 제조업", "29120", 5, "normalized", 0),  # revision 9 spelling
        ("선박 구성부분품 제조업", "31114", 5, "normalized", 0),
    ],
)
def test_resolver_accepts_registry_spellings(name, code, level, method, extra):
    r = ksic.resolve(name)
    assert (r.code, r.level, r.method, r.status, r.extra_industries) == (code, level, method, "resolved", extra)


def test_resolver_near_miss_and_review():
    typo = ksic.resolve("그 외 기타 분류 안된 금속 가공제품 제조엄")  # one wrong syllable
    assert typo.status == "resolved" and typo.method == "fuzzy" and typo.code == "25999"
    assert 0.9 <= typo.confidence < 1
    vague = ksic.resolve("포장용판지상자및기타종이용기제조업")  # not a KSIC name: a person decides
    assert vague.status == "review" and vague.code is None and vague.suggestion == "1722"
    nonsense = ksic.resolve("우주 정거장 관광업")
    assert nonsense.status == "review" and nonsense.code is None
    empty = ksic.resolve("  ")
    assert empty.method == "empty" and empty.status == "review"


def test_resolver_on_the_real_registry():
    names = registry_names()
    results = [ksic.resolve(n) for n in names]
    resolved = sum(r.status == "resolved" for r in results)
    assert resolved / len(results) > 0.99
    # Every resolved name really is the name of its code, up to spacing and punctuation.
    for r in results:
        if r.method in ("exact", "normalized"):
            assert ksic.normalize(r.input) == ksic.normalize(ksic.lookup(r.code, r.revision).name)
    assert all(r.code is None for r in results if r.status == "review")


@given(
    st.sampled_from(sorted({i.name for i in ksic.table(10).values()})),
    st.integers(0, 30),
    st.sampled_from(["", " ", "  "]),
)
def test_spacing_and_extra_count_never_change_the_code(name, n, pad):
    plain = ksic.resolve(name)
    noisy = ksic.resolve(pad + name.replace(" ", "") + (f" 외 {n}종" if n else "") + pad)
    assert noisy.code == plain.code and noisy.extra_industries == n


def test_intensity_and_source():
    assert ksic.intensity_of("26110") == "high"
    assert ksic.intensity_of("29133") == "medium_high"
    assert ksic.intensity_of("25922") == "medium_low"
    assert ksic.intensity_of("10") == "low"
    assert ksic.intensity_of("62010") == "knowledge_services"
    assert ksic.intensity_of("47") == "other"
    assert ksic.intensity_of("") == "unknown" and ksic.intensity_of("C") == "unknown"
    assert "not an official" in ksic.INTENSITY_SOURCE


def test_lookalike_names_of_other_industries_are_not_suggested():
    # Issue 8: 10219 (aquatic animals) was pre-filled for a meat name, 10892 (tea) suggested for meat.
    land = ksic.resolve("기타육지동물고기가공및저장처리업")
    assert land.status == "review" and land.code is None and land.suggestion != "10219"
    meat = ksic.resolve("육류 가공업")
    assert meat.status == "review" and meat.suggestion == "1012"
    assert [c["code"] for c in meat.candidates][:1] == ["1012"]
    assert {"code", "name", "revision", "level", "score"} <= set(meat.candidates[0])


def test_fuzzy_match_needs_a_clear_winner_or_a_runner_up_of_the_same_class(monkeypatch):
    t = ksic.table(11)
    for runner_up, accepted in (("10220", False), ("1021", True), ("10121", True)):
        rival_score = 90.0 if runner_up != "10121" else 80.0  # 10121: another class, but far behind
        found = [(t["10219"], 93.0, 93.0), (t[runner_up], rival_score, rival_score)]
        monkeypatch.setattr(ksic, "candidates", lambda name, limit=3, found=found: found[:limit])
        r = ksic.resolve.__wrapped__("어느 업종명")
        assert (r.status == "resolved") is accepted, runner_up
        assert (r.code == "10219") is accepted
    typo = ksic.resolve("기타 수산동물 가공 및 저장 처리엄")  # runner-up 1021 is its own class
    assert typo.status == "resolved" and typo.code == "10219" and typo.method == "fuzzy"
