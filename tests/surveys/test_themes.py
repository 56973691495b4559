"""Themes in Korean free-text answers (Kiwi nouns and noun phrases), on answers written for the test."""

from techvalley.surveys import analysis, themes
from techvalley.surveys import questions as q
from techvalley.surveys.questions import Spec

ANSWERS = [
    ("e1", "전기요금이 너무 올라서 에너지 비용 부담이 큽니다"),
    ("e2", "전기 요금 인상으로 원가 부담이 커졌어요"),
    ("e3", "전기요금 절감을 위한 태양광 설치 지원이 필요합니다"),
    ("p1", "주차장이 부족해서 직원들이 불법 주차를 합니다"),
    ("p2", "공영 주차장을 산단 안에 만들어 주세요"),
    ("p3", "주차장 확보가 시급합니다"),
    ("w1", "젊은 인력 채용이 어렵고 기술 인력이 떠납니다"),
    ("w2", "숙련 인력 양성 교육이 필요합니다"),
    ("s1", "스마트공장 구축 비용을 지원해 주세요"),
    ("s2", "스마트 공장 도입 컨설팅을 받고 싶습니다"),
    ("x1", "특별히 없습니다"),
]


def by_label(found):
    return {t.keywords[0]: t for t in found}


def test_nouns_and_noun_phrases():
    sets = themes.analyse_texts(["전기 요금 부담이 큽니다", "스마트공장 구축", "LED 조명 교체"])
    assert {"전기", "요금", "전기요금"} <= sets[0]
    assert "부담" not in sets[0]  # a word of every complaint names no subject
    assert "스마트공장" in sets[1] or "스마트" in sets[1]
    assert "LED" in sets[2] and "조명" in sets[2]
    assert "필요" not in themes.analyse_texts(["지원이 필요합니다"])[0]


def test_themes_group_answers_that_share_a_subject():
    found = themes.extract_themes(ANSWERS)
    groups = by_label(found)
    assert set(groups["전기요금"].responses) == {"e1", "e2", "e3"}
    assert set(groups["주차장"].responses) == {"p1", "p2", "p3"}
    assert set(groups["인력"].responses) == {"w1", "w2"}
    assert set(groups["스마트공장"].responses) == {"s1", "s2"}
    assert "x1" not in {r for t in found for r in t.responses}  # an answer with nothing in common joins no theme
    # largest first, with counts and quotes taken from the theme's own answers
    assert found[0].size == 3
    texts = dict(ANSWERS)
    for t in found:
        assert t.size == len(t.responses)
        assert 1 <= len(t.quotes) <= 3 and all(qt in {texts[r] for r in t.responses} for qt in t.quotes)
        assert t.label.startswith(t.keywords[0])


def test_themes_are_deterministic_and_bounded():
    one = [t.as_dict() for t in themes.extract_themes(ANSWERS)]
    two = [t.as_dict() for t in themes.extract_themes(list(ANSWERS))]
    assert one == two
    assert len(themes.extract_themes(ANSWERS, limit=2)) == 2
    assert themes.extract_themes([]) == []
    assert themes.extract_themes([("a", "주차")]) == []  # a theme needs two answers


def test_analyse_document_shape():
    specs = [
        Spec(code="t", type=q.LONG_TEXT, label_ko="어려움"),
        Spec(code="s", type=q.SINGLE, choices=({"value": "y"},)),
    ]
    rows = [
        {"id": i, "ref": ref, "answers": {"t": text, "s": "y"}, "segment": {}} for i, (ref, text) in enumerate(ANSWERS)
    ]
    rows.append({"id": 99, "ref": "", "answers": {"s": "y"}, "segment": {}})
    doc = analysis.analyse(specs, rows)
    t, s = doc["questions"]
    assert t["code"] == "t" and t["type"] == "long_text" and t["answered"] == len(ANSWERS)
    theme = t["themes"][0]
    assert set(theme) >= {"label", "keywords", "responses", "quotes", "count"}
    assert s["counts"] == {"y": len(ANSWERS) + 1} and "themes" not in s
