"""The Korean analyser, the BM25 matcher and its quality on the labelled set."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techvalley.collaboration import eligibility
from techvalley.collaboration.evaluation import evaluate, ndcg_at, recall_at
from techvalley.collaboration.matching import Document, Index, Lexicon, default_analyzer
from tests.collaboration.conftest import TODAY


def test_spellings_of_one_thing_become_one_term():
    a = default_analyzer()
    for text in ("6가 크롬", "6가크롬", "육가 크롬", "Cr(VI)", "Cr6+", "크롬6가"):
        assert "6가크롬" in a.terms(text), text
    assert "표면처리" in a.terms("금속 표면 처리")
    assert "스마트공장" in a.terms("스마트 팩토리 구축")
    assert "연구개발" in a.terms("R&D 과제")


def test_nouns_and_stems_kept_particles_and_stopwords_dropped():
    terms = default_analyzer().terms("도금하는 업체에서 폐수 재활용이 필요합니다")
    assert {"도금", "폐수", "재활용"} <= set(terms)
    assert not {"에서", "필요", "업체", "하"} & set(terms)


def test_related_terms_expand_the_query_at_half_weight():
    a = default_analyzer()
    extra, sources = a.expand(a.terms("도금"))
    assert "표면처리" in extra and sources["표면처리"] == "도금"
    index = Index([Document("A", text="표면처리 전문"), Document("B", text="도금 전문"), Document("C", text="식품")])
    hits, _ = index.search("도금 기술")
    assert [h.doc.ref for h in hits] == ["B", "A"]
    assert hits[1].related == {"표면처리": "도금"} and "관련어: 표면처리(← 도금)" in hits[1].why()


def test_every_result_explains_itself(matcher):
    result = matcher.match("도금 폐수 중금속", eligibility.CompanyFacts(ksic="25922", employees=62), today=TODAY)
    assert result["experts"] and result["programmes"]
    for row in result["experts"] + result["programmes"]:
        assert row["why"] and row["why"] != "일치하는 용어 없음"
        assert row["matched"] or "관련어" in row["why"]
    scores = [r["score"] for r in result["experts"]]
    assert scores == sorted(scores, reverse=True)


def test_an_ineligible_programme_is_listed_apart_with_its_reason(matcher):
    facts = eligibility.CompanyFacts(ksic="25922", employees=62, region="부산 사하구", in_complex=True)
    result = matcher.match("도금 공정개선 6가 크롬 저감 설비", facts, today=TODAY)
    refs = [r["ref"] for r in result["programmes"]]
    refused = {r["ref"]: r["why_not"] for r in result["not_eligible"]}
    assert "P-SAHA-ROOT-2026" not in refs
    assert refused["P-SAHA-ROOT-2026"] == "종업원 49명 이하 대상, 귀사 62명"
    small = eligibility.CompanyFacts(ksic="25922", employees=30, region="부산 사하구", in_complex=True)
    assert "P-SAHA-ROOT-2026" in [r["ref"] for r in matcher.match("도금 공정개선", small, today=TODAY)["programmes"]]


def test_cannot_tell_programmes_say_what_is_missing(matcher):
    result = matcher.match("도금 공정개선", eligibility.CompanyFacts(), today=TODAY)
    row = next(r for r in result["programmes"] if r["ref"] == "P-SAHA-ROOT-2026")
    assert row["eligibility"] == "unknown" and "확인 필요" in row["why"]


facts_strategy = st.builds(
    eligibility.CompanyFacts,
    ksic=st.none() | st.sampled_from(["25922", "29199", "58221", "10212", "31114", "28123"]),
    employees=st.none() | st.integers(0, 400),
    founded_year=st.none() | st.integers(1980, 2026),
    revenue_krw=st.none() | st.integers(0, 10**12),
    region=st.none() | st.sampled_from(["부산 사하구", "부산", "서울"]),
    in_complex=st.none() | st.booleans(),
    certifications=st.none() | st.just(frozenset({"벤처"})),
)


@settings(max_examples=60, deadline=None)
@given(
    facts_strategy, st.sampled_from(["도금 폐수", "스마트공장 MES", "인력 채용 교육", "수출 판로", "특허 창업 시제품"])
)
def test_never_recommends_a_programme_the_company_is_not_eligible_for(matcher, facts, text):
    result = matcher.match(text, facts, today=TODAY)
    by_ref = {h.doc.ref: h.doc.payload for h in matcher.programmes.search(text)[0]} | {
        d.ref: d.payload for d in matcher.programmes.docs
    }
    for row in result["programmes"]:
        assert eligibility.check(by_ref[row["ref"]].eligibility, facts, TODAY).status != eligibility.NOT_ELIGIBLE
    for row in result["not_eligible"]:
        assert eligibility.check(by_ref[row["ref"]].eligibility, facts, TODAY).status == eligibility.NOT_ELIGIBLE
        assert row["why_not"]


def test_metrics():
    assert ndcg_at(["a", "b"], {"a": 2, "b": 1}) == 1.0
    assert ndcg_at(["b", "a"], {"a": 2, "b": 1}) < 1.0
    assert ndcg_at(["x"], {}) is None
    assert recall_at(["a", "x", "y", "z", "w", "b"], {"a": 1, "b": 2}, 5) == 0.5


def test_quality_on_the_labelled_set(matcher, labelled):
    report = evaluate(matcher, labelled, TODAY)
    print(json.dumps({k: v for k, v in report.items() if k != "per_need"}, ensure_ascii=False))
    assert report["needs"] >= 30
    assert report["experts"]["ndcg@10"] >= 0.85 and report["experts"]["recall@5"] >= 0.8
    assert report["programmes"]["ndcg@10"] >= 0.85 and report["programmes"]["recall@5"] >= 0.85
    assert report["wrongly_recommended"] == []


def test_the_labelled_set_names_only_known_refs(matcher, labelled):
    experts = {d.ref for d in matcher.experts.docs}
    programmes = {d.ref for d in matcher.programmes.docs}
    for need in labelled:
        assert set(need.get("experts", {})) <= experts, need["id"]
        assert set(need.get("programmes", {})) | set(need.get("not_eligible", [])) <= programmes, need["id"]


def test_lexicon_from_data_has_its_source():
    lex = Lexicon.from_dict({"source": "s", "equivalent": [["가나", "가 나"]], "related": [["가나", "다라"]]})
    assert lex.canon("가나") == "가나" and lex.phrase_map == {"가 나": "가나"}
    assert lex.related["다라"] == ("가나",)
    assert default_analyzer().lexicon.source.startswith("Compiled")


def test_scores_are_bm25s_own_scores():
    index = Index(
        [Document("A", text="도금 폐수 도금"), Document("B", text="열처리 경도"), Document("C", text="도금 열처리")]
    )
    terms = default_analyzer().terms("도금 열처리 도금")
    ours = index.scores(terms, ["경도"])
    theirs = index._bm25.get_scores(terms) + 0.5 * index._bm25.get_scores(["경도"])
    assert ours.tolist() == pytest.approx(theirs.tolist(), rel=1e-5)
