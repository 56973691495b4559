"""Eligibility: every key, with its reason for and against in Korean; unknown facts never eligible."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techvalley.collaboration import eligibility as el
from techvalley.collaboration.eligibility import CompanyFacts, check, clean

TODAY = dt.date(2026, 11, 25)
PLATER = CompanyFacts(
    ksic="25922",
    employees=62,
    founded=dt.date(2001, 5, 1),
    revenue_krw=8_000_000_000,
    region="부산광역시 사하구 장림로 1",
    in_complex=True,
    certifications=frozenset({"이노비즈"}),
)


def verdict(rules, facts=PLATER):
    return check(clean(rules), facts, TODAY)


# key, rules the plater meets, rules it fails, a phrase of the reason against
CASES = [
    (
        "manufacturing",
        {"manufacturing": True},
        {"manufacturing": False},
        "제조업 이외 업종 대상, 귀사 KSIC 25922(제조업)",
    ),
    (
        "ksic_prefix",
        {"ksic_prefix": ["2592", "29"]},
        {"ksic_prefix": ["30"]},
        "업종 KSIC 30 대상, 귀사 KSIC 25922 해당 없음",
    ),
    ("exclude_ksic_prefix", {"exclude_ksic_prefix": ["30"]}, {"exclude_ksic_prefix": ["C25922"]}, "제외 업종"),
    ("employees_min", {"employees_min": 50}, {"employees_min": 100}, "종업원 100명 이상 대상, 귀사 62명"),
    ("employees_max", {"employees_max": 299}, {"employees_max": 49}, "종업원 49명 이하 대상, 귀사 62명"),
    ("age_min_years", {"age_min_years": 3}, {"age_min_years": 30}, "업력 30년 이상 대상, 귀사 25년"),
    ("age_max_years", {"age_max_years": 30}, {"age_max_years": 7}, "업력 7년 이내 대상, 귀사 25년"),
    ("revenue_max", {"revenue_max": "120억원"}, {"revenue_max": 5_000_000_000}, "매출액 50억원 이하 대상, 귀사 80억원"),
    ("region", {"region": "부산 사하구"}, {"region": "경남 김해시"}, "소재지 경남 김해시 대상, 귀사 부산 사하구"),
    ("in_complex", {"in_complex": True}, {"in_complex": False}, "산업단지 밖 기업 대상, 귀사 입주기업"),
    (
        "certifications_any",
        {"certifications_any": ["벤처", "이노비즈"]},
        {"certifications_any": ["벤처"]},
        "귀사 보유 인증: 이노비즈",
    ),
]


@pytest.mark.parametrize("key,ok,bad,reason", CASES, ids=[c[0] for c in CASES])
def test_every_key_met_unmet_and_unknown(key, ok, bad, reason):
    good = verdict(ok)
    assert good.status == el.ELIGIBLE and len(good.reasons_for) == 1 and not good.reasons_against
    failed = verdict(bad)
    assert failed.status == el.NOT_ELIGIBLE
    assert reason in failed.reasons_against[0], failed.reasons_against
    unknown = verdict(ok, CompanyFacts())
    assert unknown.status == el.CANNOT_TELL and not unknown.eligible
    assert "정보 없음" in unknown.unknowns[0]


def test_needs_partner_is_cannot_tell_unless_the_company_has_one():
    rules = {"needs_partner": "university"}
    assert verdict(rules).status == el.CANNOT_TELL
    with_uni = CompanyFacts(partner_kinds=frozenset({"university"}))
    assert verdict(rules, with_uni).status == el.ELIGIBLE
    assert "대학 협력" in verdict(rules, with_uni).reasons_for[0]
    assert clean({"needs_partner": "대학"}) == {"needs_partner": ["university"]}


def test_the_issue_example_reason():
    v = verdict({"employees_max": 49, "manufacturing": True})
    assert v.reasons_against == ["종업원 49명 이하 대상, 귀사 62명"]
    assert v.reasons_for == ["제조업(KSIC C) 대상, 귀사 KSIC 25922(제조업)"]


def test_one_unmet_criterion_outweighs_unknowns():
    v = check(clean({"employees_max": 49, "revenue_max": 10**9}), CompanyFacts(employees=62), TODAY)
    assert v.status == el.NOT_ELIGIBLE and v.unknowns


def test_age_from_a_date_counts_full_years_and_from_a_year_the_difference():
    facts = CompanyFacts(founded=dt.date(2019, 12, 1))
    assert facts.age_years(TODAY) == 6
    assert CompanyFacts(founded_year=2019).age_years(TODAY) == 7
    assert verdict({"age_max_years": 7}, CompanyFacts(founded_year=2019)).eligible
    assert not verdict({"age_max_years": 6}, CompanyFacts(founded_year=2019)).eligible


def test_region_district_unknown_when_only_the_city_is_known():
    assert verdict({"region": "부산 사하구"}, CompanyFacts(region="부산")).status == el.CANNOT_TELL
    assert verdict({"region": "부산"}, CompanyFacts(region="부산광역시 사하구")).eligible
    assert verdict({"region": ["서울", "부산"]}, CompanyFacts(region="부산 강서구")).eligible
    assert verdict({"region": "부산 사하구"}, CompanyFacts(region="부산 강서구")).status == el.NOT_ELIGIBLE


def test_ksic_section_letters_and_short_codes():
    assert verdict({"ksic_prefix": ["C"]}).eligible
    assert verdict({"ksic_prefix": ["J"]}).status == el.NOT_ELIGIBLE
    # The company's code is only known to the division: "25" cannot say whether it is 2592.
    assert verdict({"ksic_prefix": ["2592"]}, CompanyFacts(ksic="25")).status == el.CANNOT_TELL
    assert verdict({"manufacturing": True}, CompanyFacts(ksic="58221")).status == el.NOT_ELIGIBLE


@pytest.mark.parametrize(
    "raw",
    [
        {"employees_mx": 3},
        {"employees_max": -1},
        {"employees_max": "many"},
        {"manufacturing": "perhaps"},
        {"ksic_prefix": ["25x"]},
        {"needs_partner": "alien"},
        {"employees_min": 50, "employees_max": 10},
        {"revenue_max": "많이"},
        {"ksic_prefix": []},
        ["not", "a", "dict"],
    ],
)
def test_clean_refuses_what_it_cannot_read(raw):
    with pytest.raises(el.EligibilityError):
        clean(raw)


def test_parse_krw():
    assert el.parse_krw("120억원") == 12_000_000_000
    assert el.parse_krw("1,500억") == 150_000_000_000
    assert el.parse_krw("5천만원") == 50_000_000
    assert el.parse_krw(3_000_000_000) == 3_000_000_000
    assert el.won(12_000_000_000) == "120억원"


facts_strategy = st.builds(
    CompanyFacts,
    ksic=st.none() | st.sampled_from(["25922", "29199", "58221", "10212", "25", "C"]),
    employees=st.none() | st.integers(0, 1000),
    founded_year=st.none() | st.integers(1950, 2026),
    revenue_krw=st.none() | st.integers(0, 10**12),
    region=st.none() | st.sampled_from(["부산", "부산 사하구", "서울 강남구", "부산광역시 강서구 1"]),
    in_complex=st.none() | st.booleans(),
)
rules_strategy = st.fixed_dictionaries(
    {},
    optional={
        "manufacturing": st.booleans(),
        "ksic_prefix": st.lists(st.sampled_from(["25", "2592", "29", "C", "J"]), min_size=1, max_size=2),
        "employees_max": st.integers(10, 500),
        "employees_min": st.integers(0, 10),
        "age_max_years": st.integers(0, 40),
        "revenue_max": st.integers(0, 10**11),
        "region": st.sampled_from(["부산", "부산 사하구", "서울"]),
        "in_complex": st.booleans(),
    },
)


@given(facts_strategy, rules_strategy)
def test_unknown_facts_never_make_a_company_eligible(facts, rules):
    v = check(clean(rules), facts, TODAY)
    if v.status == el.ELIGIBLE:
        assert len(v.reasons_for) == len(v.checks)
    for c in v.checks:
        assert c.reason
    # Forgetting a fact can never turn "not eligible" or "cannot tell" into "eligible".
    forgotten = CompanyFacts(ksic=facts.ksic)
    if v.status != el.ELIGIBLE and any(k != "manufacturing" and not k.startswith(("ksic", "exclude")) for k in rules):
        assert check(clean(rules), forgotten, TODAY).status != el.ELIGIBLE
