import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techvalley.projects.card import CardParseError, empty_card, parse_card, render_text
from techvalley.projects.demo import data_file

SEED = data_file("cards/saha-3-1.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed():
    return parse_card(SEED)


def test_seed_header_fields(seed):
    c = seed.card
    assert (c["management_no"], c["title"]) == ("3-1", "신평·장림산업단지 「낙동강 테크노밸리」 조성")
    assert (c["category"], c["owner"], c["completion"]) == ("신규", "시 / 구", "임기 후")
    assert c["period"] == {"start": 2022, "end": 2027}
    assert c["progress"] == {"state": "추진 중", "percent": 40}
    assert c["budget"] == {"text": "비예산", "amount_krw": None}
    assert c["department"] == {"name": "전략사업과", "team": "스마트산업담당", "contact": "최재봉", "phone": "5021"}
    assert c["cooperating"] == [
        {"name": "市 산업입지과", "contact": "박정화", "phone": "888-4932"},
        {"name": "市 지산학협력과", "contact": "김은숙", "phone": "888-6772"},
    ]


def test_seed_plan_sections(seed):
    c = seed.card
    assert c["final_goal"].startswith("스마트 산단 복합지원체계(전진 플랫폼) 구축으로")
    assert c["term_goal"] == "인프라 구축 및 첨단업종 육성 및 이전 추진"
    assert len(c["overview"]) == 3 and len(c["detailed_plans"]) == 3 and len(c["expected_effects"]) == 2
    assert [(p["year"], p["percent"]) for p in c["yearly_plan"]] == [
        (2022, 10),
        (2023, 40),
        (2024, 60),
        (2025, 80),
        (2026, 100),
        (None, None),
    ]
    assert c["yearly_plan"][0]["plan"] == "조례 개정(안) 검토"
    assert c["yearly_plan"][-1]["plan"] == "낙동강 테크노밸리 조성"
    assert c["yearly_plan_task"] == "「낙동강 테크노밸리」 조성"


def test_seed_achievements(seed):
    a = seed.card["achievements"]
    assert len(a) == 22
    assert len({x["heading"] for x in a}) == 3
    assert {x["subheading"] for x in a} - {""} == {
        "저탄소 그린산단 조성사업",
        "노후거점산단 경쟁력강화사업지구·스마트그린산단 선정",
        "신평·장림산업단지 경쟁력강화 전략 수립 용역",
    }
    assert a[1] == {
        "heading": "신평·장림산업단지 친환경 스마트 산단 조성",
        "subheading": "저탄소 그린산단 조성사업",
        "start": "2023-03",
        "end": "2023-08",
        "text": "용역 계약심사, 사업수행능력평가(PQ) 등 행정절차이행",
        "notes": [],
    }
    kic = [x for x in a if x["heading"] == "지식산업센터 활성화"]
    assert kic[0]["notes"] == ["센텀시티일반산업단지, 서울·경기 일원 우수 지식산업센터 및 관리기관 등"]
    assert kic[3]["start"] == "2023-09" and kic[3]["end"] == "2023-12"


def test_seed_future_plans_and_communication(seed):
    f = seed.card["future_plans"]
    assert len(f) == 5 and [x["due"] for x in f] == ["2024-05", "2024-03", None, None, None]
    assert seed.card["communication"] == {
        "설명회·보고회": 0,
        "만족도·설문조사": 0,
        "민간전문가 자문": 0,
        "언론·방송 보도": 0,
        "기타": 1,
    }
    assert seed.unplaced == []


def test_round_trip_of_the_seed(seed):
    again = parse_card(render_text(seed.card))
    assert again.card == seed.card and again.unplaced == []
    json.dumps(seed.as_dict(), ensure_ascii=False)  # plain data


def test_lines_that_do_not_fit_are_reported_not_dropped():
    text = SEED.replace("- 2023. 09. : 용역 착수", "- 구월쯤 : 용역 착수").replace(
        "【기대효과】", "【기대효과】\n기대효과가 아닌 줄"
    )
    result = parse_card(text)
    reasons = {u["text"]: u["reason"] for u in result.unplaced}
    assert "- 구월쯤 : 용역 착수" in reasons and "날짜" in reasons["- 구월쯤 : 용역 착수"]
    assert "기대효과가 아닌 줄" in reasons
    assert all(isinstance(u["line"], int) and u["line"] > 0 for u in result.unplaced)
    assert len(result.card["achievements"]) == 21


def test_not_a_card_gets_a_clear_error():
    with pytest.raises(CardParseError, match="관리카드"):
        parse_card("순번,회사명,공장대표주소\n1,대호,부산\n")


def test_other_spellings():
    text = (
        "관리번호\t5-2\n노후 산단 재생\n사업구분\t계속사업\t사업주체\t구\n소요예산\t1,341억원\t완료시기\t임기내\n"
        "【추진실적】\n□ 재생사업\n○ 기반시설\n- 2023. 11. ~ 2024. 02. : 도로 정비\n▷ 1차분\n"
        "【금후계획】\n- 착공(’25. 3.)\n"
    )
    c = parse_card(text).card
    assert (c["management_no"], c["title"], c["category"], c["completion"]) == (
        "5-2",
        "노후 산단 재생",
        "계속",
        "임기 내",
    )
    assert c["budget"]["amount_krw"] == 134_100_000_000
    a = c["achievements"][0]
    assert (a["subheading"], a["start"], a["end"], a["notes"]) == ("기반시설", "2023-11", "2024-02", ["1차분"])
    assert c["future_plans"][0]["due"] == "2025-03"


# --- property: render → parse gives back the same structure -----------------------------------

words = (
    st.text(alphabet="가나다라마바사아자차카타파하 산업단지조성추진계획ABC123", min_size=1, max_size=30)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and s[0] not in "-·※<○□▷【" and not s.startswith("관리번호"))
)
months = st.tuples(st.integers(2015, 2030), st.integers(1, 12)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}")


@st.composite
def cards(draw):
    c = empty_card()
    c["management_no"] = draw(st.from_regex(r"\A[1-9]-[1-9]\Z"))
    c["title"] = draw(words)
    c["category"] = draw(st.sampled_from(["신규", "계속"]))
    c["owner"] = draw(words)
    start = draw(st.integers(2018, 2026))
    c["period"] = {"start": start, "end": start + draw(st.integers(1, 6))}
    c["progress"] = {"state": draw(st.sampled_from(["추진 중", "완료"])), "percent": draw(st.integers(0, 100))}
    c["budget"] = {"text": "비예산", "amount_krw": None}
    c["completion"] = draw(st.sampled_from(["임기 내", "임기 후"]))
    c["department"] = {"name": draw(words).replace(" ", "") + "과", "team": "", "contact": "홍길동", "phone": "5021"}
    c["final_goal"] = draw(words)
    c["term_goal"] = draw(words)
    c["overview"] = draw(st.lists(words, max_size=3))
    c["detailed_plans"] = draw(st.lists(words, max_size=3))
    years = draw(st.integers(1, 5))
    c["yearly_plan_task"] = draw(words)
    c["yearly_plan"] = [
        {"year": start + k, "percent": draw(st.integers(0, 100)), "plan": draw(words)} for k in range(years)
    ] + [{"year": None, "percent": None, "plan": draw(words)}]
    heads = draw(st.lists(words, min_size=1, max_size=3, unique=True))
    c["achievements"] = []
    for h in heads:
        for _ in range(draw(st.integers(1, 3))):
            s = draw(months)
            c["achievements"].append(
                {
                    "heading": h,
                    "subheading": "",
                    "start": s,
                    "end": draw(st.one_of(st.none(), st.just(s))),
                    "text": draw(words),
                    "notes": draw(st.lists(words, max_size=2)),
                }
            )
    c["future_plans"] = [{"text": t, "due": None} for t in draw(st.lists(words, max_size=3))]
    c["communication"] = {
        "설명회·보고회": draw(st.integers(0, 5)),
        "만족도·설문조사": 0,
        "민간전문가 자문": 0,
        "언론·방송 보도": draw(st.integers(0, 5)),
        "기타": draw(st.integers(0, 3)),
    }
    c["expected_effects"] = draw(st.lists(words, max_size=3))
    return c


@settings(max_examples=60, deadline=None)
@given(cards())
def test_render_then_parse_is_identity(card):
    result = parse_card(render_text(card))
    assert result.unplaced == []
    assert result.card == card
