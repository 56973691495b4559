"""Question types, display conditions and answer validation (no database)."""

import pytest

from techvalley.surveys import questions as q
from techvalley.surveys.questions import AnswerError, Spec, clean_answer, clean_answers, visible

C = (
    {"value": "a", "ko": "가", "en": "Alpha"},
    {"value": "b", "ko": "나", "en": "Beta"},
    {"value": "c", "ko": "다", "en": "Gamma"},
)


def spec(type, **kw):
    return Spec(code=kw.pop("code", "q1"), type=type, label_ko="질문", **kw)


def test_single_takes_a_value_or_a_label():
    s = spec(q.SINGLE, choices=C)
    assert clean_answer(s, "a") == "a"
    assert clean_answer(s, "나") == "b"
    assert clean_answer(s, "gamma") == "c"
    assert clean_answer(s, "") is None
    with pytest.raises(AnswerError, match="선택지가 아닙니다"):
        clean_answer(s, "z")
    with pytest.raises(AnswerError):
        clean_answer(s, ["a", "b"])


def test_multiple_sorted_unique_and_bounded():
    s = spec(q.MULTIPLE, choices=C, config={"max_choices": 2})
    assert clean_answer(s, "c;a") == ["a", "c"]
    assert clean_answer(s, ["b"]) == ["b"]
    with pytest.raises(AnswerError, match="2개까지"):
        clean_answer(s, "a;b;c")
    with pytest.raises(AnswerError, match="두 번"):
        clean_answer(s, "a;a")


def test_scale_whole_numbers_within_bounds():
    s = spec(q.SCALE, config={"min": 1, "max": 5})
    assert clean_answer(s, "4") == 4
    for bad in ("0", "6", "3.5", "x", "nan"):
        with pytest.raises(AnswerError):
            clean_answer(s, bad)


def test_number_bounds_and_integers():
    s = spec(q.NUMBER, config={"min": 0, "max": 100})
    assert clean_answer(s, "12.5") == 12.5
    assert clean_answer(spec(q.NUMBER), "1,000") == 1000  # thousands separators as people write them
    assert clean_answer(s, "40") == 40
    for bad in ("-1", "101", "inf", "NaN", "²"):
        with pytest.raises(AnswerError):
            clean_answer(s, bad)
    with pytest.raises(AnswerError, match="정수"):
        clean_answer(spec(q.NUMBER, config={"integer": True}), "2.5")


def test_texts_limited_and_without_control_characters():
    assert clean_answer(spec(q.SHORT_TEXT), "  안녕  ") == "안녕"
    with pytest.raises(AnswerError, match="200자"):
        clean_answer(spec(q.SHORT_TEXT), "가" * 201)
    with pytest.raises(AnswerError, match="제어 문자"):
        clean_answer(spec(q.LONG_TEXT), "a\x00b")
    assert clean_answer(spec(q.LONG_TEXT), "줄\n바꿈") == "줄\n바꿈"


def test_matrix_rows_and_columns():
    rows = ({"value": "r1", "ko": "행1"}, {"value": "r2", "ko": "행2"})
    s = spec(q.MATRIX, choices=C, rows=rows)
    assert clean_answer(s, "r2=b;r1=a") == {"r1": "a", "r2": "b"}
    assert clean_answer(s, {"r1": "다"}) == {"r1": "c"}
    with pytest.raises(AnswerError, match="행이 아닙니다"):
        clean_answer(s, "r9=a")
    with pytest.raises(AnswerError, match="행=선택"):
        clean_answer(s, "a")
    _answers, errors = clean_answers(
        [Spec(code="m", type=q.MATRIX, choices=C, rows=rows, required=True)], {"m": "r1=a"}
    )
    assert "모든 행" in errors["m"]


def test_ranking_is_a_permutation_of_the_asked_length():
    s = spec(q.RANKING, choices=C, config={"rank_count": 2})
    assert clean_answer(s, "c>a") == ["c", "a"]
    with pytest.raises(AnswerError, match="2개"):
        clean_answer(s, "c")
    with pytest.raises(AnswerError, match="두 번"):
        clean_answer(s, "a;a")
    assert clean_answer(spec(q.RANKING, choices=C), ["b", "c", "a"]) == ["b", "c", "a"]


def test_file_type_and_size():
    s = spec(q.FILE)
    assert clean_answer(s, {"name": "계획.pdf", "size": 10})["name"] == "계획.pdf"
    with pytest.raises(AnswerError, match="형식"):
        clean_answer(s, {"name": "x.exe", "size": 10})
    with pytest.raises(AnswerError, match="10 MB"):
        clean_answer(s, {"name": "x.pdf", "size": 11 * 1024 * 1024})
    with pytest.raises(AnswerError):
        clean_answer(s, "x.pdf")


def test_conditions():
    base = spec(q.SINGLE, code="t", choices=C)
    eq = spec(q.SHORT_TEXT, code="x", condition={"question": "t", "op": "equals", "value": "a"})
    assert visible(eq, {"t": "a"}) and not visible(eq, {"t": "b"}) and not visible(eq, {})
    multi = spec(q.SHORT_TEXT, code="y", condition={"question": "m", "op": "contains", "value": "b"})
    assert visible(multi, {"m": ["a", "b"]}) and not visible(multi, {"m": ["a"]})
    gte = spec(q.SHORT_TEXT, code="z", condition={"question": "s", "op": "gte", "value": 4})
    assert visible(gte, {"s": 4}) and not visible(gte, {"s": 3})
    ans = spec(q.SHORT_TEXT, code="w", condition={"question": "s", "op": "answered"})
    assert visible(ans, {"s": 1}) and not visible(ans, {})
    notin = spec(q.SHORT_TEXT, code="v", condition={"question": "t", "op": "not_in", "value": ["a", "b"]})
    assert visible(notin, {"t": "c"}) and not visible(notin, {"t": "a"})
    # Hidden questions are dropped, even when required and answered.
    req = Spec(code="x", type=q.SHORT_TEXT, required=True, condition={"question": "t", "op": "equals", "value": "a"})
    answers, errors = clean_answers([base, req], {"t": "b", "x": "무시"})
    assert answers == {"t": "b"} and errors == {}
    answers, errors = clean_answers([base, req], {"t": "a"})
    assert errors == {"x": "응답이 필요합니다 / an answer is required"}


def test_check_spec_refuses_broken_questions():
    earlier = {"t": spec(q.SINGLE, code="t", choices=C)}
    with pytest.raises(q.SpecError, match="앞선 문항"):
        q.check_spec(spec(q.SHORT_TEXT, code="x", condition={"question": "later"}), earlier)
    with pytest.raises(q.SpecError, match="선택지에 없습니다"):
        q.check_spec(spec(q.SHORT_TEXT, code="x", condition={"question": "t", "value": "zz"}), earlier)
    with pytest.raises(q.SpecError, match="유형"):
        q.check_spec(spec("slider"), {})
    with pytest.raises(q.SpecError, match="중복"):
        q.check_spec(spec(q.SINGLE, choices=(C[0], C[0])), {})
    with pytest.raises(q.SpecError, match="예약"):
        q.check_spec(spec(q.SHORT_TEXT, code="ref"), {})
    with pytest.raises(q.SpecError):
        q.check_spec(spec(q.SHORT_TEXT, code="한글"), {})
    with pytest.raises(q.SpecError, match="행"):
        q.check_spec(spec(q.MATRIX, choices=C), {})


def test_demand_template_questions_are_valid():
    from techvalley.surveys.survey_templates import TEMPLATES

    for template in TEMPLATES.values():
        earlier = {}
        for section in template["sections"]:
            for item in section["questions"]:
                s = Spec(
                    code=item["code"],
                    type=item["type"],
                    label_ko=item["label_ko"],
                    choices=tuple(item.get("choices", ())),
                    rows=tuple(item.get("rows", ())),
                    config=item.get("config", {}),
                    condition=item.get("condition"),
                )
                q.check_spec(s, earlier)
                assert item["label_en"]
                earlier[s.code] = s
