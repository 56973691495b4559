"""Frequencies and cross-tabs against figures computed by hand; themes of Korean answers."""

import pytest

from techvalley.surveys import analysis
from techvalley.surveys import questions as q
from techvalley.surveys.questions import Spec

C = tuple({"value": v, "ko": v} for v in ("a", "b", "c"))
SINGLE = Spec(code="s", type=q.SINGLE, choices=C)
MULTI = Spec(code="m", type=q.MULTIPLE, choices=C)
SCALE = Spec(code="k", type=q.SCALE, config={"min": 1, "max": 3})
NUMBER = Spec(code="n", type=q.NUMBER)
RANK = Spec(code="r", type=q.RANKING, choices=C)
MATRIX = Spec(code="x", type=q.MATRIX, choices=C[:2], rows=({"value": "r1"}, {"value": "r2"}))


def resp(i, seg, **answers):
    return {"id": i, "ref": "", "answers": answers, "segment": seg}


S25 = {"division": "25", "size_class": "small", "tech_intensity": "medium_low", "legal_dong": "장림동"}
S29 = {"division": "29", "size_class": "medium", "tech_intensity": "medium_high", "legal_dong": "신평동"}
RESPONSES = [
    resp(1, S25, s="a", m=["a", "b"], k=3, n=10, r=["a", "b", "c"], x={"r1": "a", "r2": "b"}),
    resp(2, S25, s="a", m=["b"], k=2, n=20, r=["b", "a", "c"]),
    resp(3, S29, s="b", m=["a", "b", "c"], k=3, r=["a", "c", "b"], x={"r1": "b"}),
    resp(4, S29, s="c", n=60),
    resp(5, {}, s="a", m=["c"], k=1),  # no segment: imported without a company
]


def test_frequencies_by_hand():
    f = analysis.frequencies(SINGLE, RESPONSES)
    assert f["answered"] == 5 and f["counts"] == {"a": 3, "b": 1, "c": 1}
    assert f["shares"]["a"] == 0.6
    f = analysis.frequencies(MULTI, RESPONSES)
    # a: 1,3  b: 1,2,3  c: 3,5
    assert f["answered"] == 4 and f["counts"] == {"a": 2, "b": 3, "c": 2}
    f = analysis.frequencies(SCALE, RESPONSES)
    assert f["counts"] == {"1": 1, "2": 1, "3": 2} and f["stats"]["mean"] == pytest.approx(9 / 4)
    f = analysis.frequencies(NUMBER, RESPONSES)
    assert f["answered"] == 3 and f["stats"] == {"mean": 30.0, "median": 20.0, "min": 10.0, "max": 60.0, "sum": 90.0}
    assert "counts" not in f
    f = analysis.frequencies(RANK, RESPONSES)
    # first places: a (1, 3), b (2); mean rank a = (1+2+1)/3, b = (2+1+3)/3, c = (3+3+2)/3
    assert f["counts"] == {"a": 2, "b": 1, "c": 0}
    assert f["mean_rank"] == {"a": round(4 / 3, 3), "b": 2.0, "c": round(8 / 3, 3)}
    f = analysis.frequencies(MATRIX, RESPONSES)
    assert f["answered"] == 2 and f["counts"] == {"r1=a": 1, "r1=b": 1, "r2=a": 0, "r2=b": 1}


def test_crosstab_by_hand():
    t = analysis.crosstab(SINGLE, RESPONSES, "division")
    assert t["rows"] == {
        "25": {"a": 2, "b": 0, "c": 0},
        "29": {"a": 0, "b": 1, "c": 1},
        "unknown": {"a": 1, "b": 0, "c": 0},
    }
    assert t["answered"] == {"25": 2, "29": 2, "unknown": 1}
    t = analysis.crosstab(MULTI, RESPONSES, "legal_dong")
    assert t["rows"]["장림동"] == {"a": 1, "b": 2, "c": 0}
    assert t["rows"]["신평동"] == {"a": 1, "b": 1, "c": 1}
    assert t["answered"] == {"unknown": 1, "신평동": 1, "장림동": 2}
    with pytest.raises(ValueError):
        analysis.crosstab(SINGLE, RESPONSES, "colour")


def test_one_pass_crosstabs_equal_the_single_ones():
    specs = [SINGLE, MULTI, SCALE, NUMBER, RANK, MATRIX]
    every = analysis.crosstabs(specs, RESPONSES)
    assert set(every) == {"s", "m", "k", "r", "x"}  # numbers have no choices to count
    for s in specs:
        for d in analysis.DIMENSIONS:
            if s.code in every:
                assert every[s.code][d] == analysis.crosstab(s, RESPONSES, d)


def test_published_crosstabs_merge_small_cells():
    rows = [resp(i, {"division": "25"}, s="a") for i in range(4)] + [resp(9, {"division": "29"}, s="b")]
    t = analysis.suppress_small(analysis.crosstab(SINGLE, rows, "division"))
    assert t["rows"] == {"25": {"a": 4, "b": 0, "c": 0}}  # one company of division 29 is not shown
    rows += [resp(10, {"division": "30"}, s="b"), resp(11, {"division": "31"}, s="c")]
    t = analysis.suppress_small(analysis.crosstab(SINGLE, rows, "division"))
    assert t["rows"]["other"] == {"a": 0, "b": 2, "c": 1} and t["answered"]["other"] == 3
