"""The eligibility evaluator against hand-worked cases, clause by clause (no database).

Each figure below is worked by hand from the statute text (data/law/ in the shared folder):
caps of 시행령 제36조의4 ④, the day-care bands of ④1가 1)–3) and the 10 % limit, the 50 %
same-type rule of ③, the exclusions of ②, and the tenant routes of 법 제28조의5 ① with
시행령 제6조 ②③⑤ and 제36조의4 ①⑤.
"""

import math

import pytest

from techvalley.core.validation import BadInput
from techvalley.tenancy.eligibility import check
from techvalley.tenancy.rules import RuleSet, shipped_document, shipped_rules

IFZ = "industrial_facility_zone"


def tenant(code, location=IFZ, revision=11, **extra):
    centre = {"location": location, **extra.pop("centre", {})}
    return check({"ksic": code, "revision": revision, "area_m2": 100, "centre": centre, **extra})


def support(code, area, *, location=IFZ, gfa=10_000, support_area=0, by_ksic=None, daycare=None, **extra):
    centre = {"location": location, "gross_floor_area_m2": gfa}
    if support_area is not None:
        centre["support_area_m2"] = support_area
    if by_ksic is not None:
        centre["support_area_by_ksic"] = by_ksic
    if daycare is not None:
        centre["daycare"] = daycare
    centre.update(extra.pop("centre", {}))
    return check({"ksic": code, "use": "support", "area_m2": area, "centre": centre, **extra})


# --- tenant businesses: 법 제28조의5 ①1 and 시행령 제6조 ②③ -------------------------------------------


def test_manufacturing_inside_a_complex_is_eligible_by_the_act():
    r = tenant("29171")
    assert r["verdict"] == "eligible"
    assert r["clauses"] == ["법 제28조의5 제1항 제1호"]
    assert r["conditions"] == [] and not r["conditional"]
    assert any("제조업" in reason and "“제조업, 지식기반산업" in reason for reason in r["reasons"])


def test_software_is_an_ict_industry():
    r = tenant("62010")
    assert r["verdict"] == "eligible"
    assert r["clauses"] == ["법 제28조의5 제1항 제1호", "시행령 제36조의4 제1항 제1호", "시행령 제6조 제3항 제1호"]
    assert "정보통신산업" in r["reasons"][0]


@pytest.mark.parametrize(
    ("code", "revision", "clause"),
    [
        ("70121", 11, "시행령 제6조 제2항 제1호"),  # 전기ㆍ전자공학 연구개발업
        ("72121", 11, "시행령 제6조 제2항 제4호"),  # 건물 및 토목 엔지니어링
        ("71393", 10, "시행령 제6조 제2항 제5호"),  # 광고물 작성업, revision 10
        ("71392", 11, "시행령 제6조 제2항 제5호"),  # 광고물 작성업, revision 11
        ("59111", 11, "시행령 제6조 제2항 제6호 가목"),
        ("59120", 11, "시행령 제6조 제2항 제6호 나목"),
        ("59130", 10, "시행령 제6조 제2항 제6호 다목"),
        ("59202", 11, "시행령 제6조 제2항 제6호 라목"),
        ("60221", 11, "시행령 제6조 제2항 제6호 마목"),
        ("90110", 11, "시행령 제6조 제2항 제6호 바목"),
        ("90191", 11, "시행령 제6조 제2항 제6호 사목"),
        ("90199", 10, "시행령 제6조 제2항 제6호 아목"),
        ("58113", 11, "시행령 제6조 제2항 제7호"),
        ("73202", 11, "시행령 제6조 제2항 제8호"),
        ("75994", 11, "시행령 제6조 제2항 제9호"),
        ("73902", 11, "시행령 제6조 제2항 제12호"),
        ("75992", 11, "시행령 제6조 제2항 제13호"),
        ("39009", 11, "시행령 제6조 제2항 제14호"),
        ("59201", 11, "시행령 제6조 제2항 제16호"),
        ("71400", 11, "시행령 제6조 제2항 제17호"),
        ("73903", 11, "시행령 제6조 제2항 제18호"),
        ("73904", 10, "시행령 제6조 제2항 제19호"),
        ("76400", 11, "시행령 제6조 제2항 제20호"),
        ("71310", 11, "시행령 제6조 제2항 제21호"),
        ("71391", 10, "시행령 제6조 제2항 제22호"),
        ("74100", 11, "시행령 제6조 제2항 제23호"),
        ("75320", 11, "시행령 제6조 제2항 제24호"),
        ("75991", 11, "시행령 제6조 제2항 제25호"),
        ("71101", 11, "시행령 제6조 제2항 제27호"),
        ("71202", 11, "시행령 제6조 제2항 제28호"),
        ("62090", 11, "시행령 제6조 제3항 제1호"),
        ("58222", 11, "시행령 제6조 제3항 제2호"),
        ("63112", 11, "시행령 제6조 제3항 제3호"),
        ("63910", 11, "시행령 제6조 제3항 제4호 가목"),
        ("63991", 10, "시행령 제6조 제3항 제4호 나목"),
        ("63999", 11, "시행령 제6조 제3항 제4호 다목"),
        ("61220", 11, "시행령 제6조 제3항 제5호"),
        ("60310", 11, "시행령 제6조 제3항 제6호"),
    ],
)
def test_each_knowledge_and_ict_item_admits_its_codes(code, revision, clause):
    r = tenant(code, revision=revision)
    assert r["verdict"] == "eligible", r["reasons"]
    assert clause in r["clauses"]
    assert "시행령 제36조의4 제1항 제1호" in r["clauses"]
    assert not r["conditional"]


def test_software_publishing_is_both_publishing_and_ict():
    r = tenant("58221")
    assert {"시행령 제6조 제2항 제7호", "시행령 제6조 제3항 제2호"} <= set(r["clauses"])


def test_virtual_asset_exchange_is_not_another_information_service():
    """제6조③4 names 가~다목 only; revision 11 put 가상자산 매매 및 중개업 (63992) under 639."""
    inside = tenant("63992")
    assert inside["verdict"] == "not_eligible"
    assert "시행령 제36조의4 제1항 제2호 가목" in inside["clauses"]
    outside = tenant("63992", location="outside_capital")
    assert outside["verdict"] == "needs_approval"
    assert "시행령 제36조의4 제1항 제2호 나목" in outside["clauses"]


def test_same_code_differs_between_revisions():
    # 71392 is 광고물 작성업 in revision 11 but 광고 매체 판매업 in revision 10.
    assert tenant("71392", revision=11)["verdict"] == "eligible"
    assert tenant("71392", revision=10)["verdict"] == "not_eligible"


def test_education_is_conditional_on_who_runs_it():
    r = tenant("85503")
    assert r["verdict"] == "eligible" and r["conditional"]
    assert r["conditions"][0]["id"] == "education-provider" and r["conditions"][0]["status"] == "unknown"
    met = tenant("85503", conditions={"education-provider": True})
    assert met["verdict"] == "eligible" and not met["conditional"]
    assert met["conditions"][0]["status"] == "met"
    refused = tenant("85503", conditions={"education-provider": False})
    assert refused["verdict"] == "not_eligible"
    assert refused["conditions"][0]["status"] == "not_met"


def test_management_consulting_only_for_firms_advising_on_management():
    assert tenant("71531")["conditional"]
    assert tenant("71531", conditions={"management-consulting": False})["verdict"] == "not_eligible"
    assert (
        tenant("71531", location="outside_capital", conditions={"management-consulting": False})["verdict"]
        == "needs_approval"
    )


def test_other_professional_services_need_the_management_bodys_recognition():
    r = tenant("73909")
    assert r["verdict"] == "needs_approval"
    assert "시행령 제6조 제2항 제29호" in r["clauses"]
    assert any("홈페이지" in reason for reason in r["reasons"])
    # 73902/3/4 are named items of their own and need no recognition
    assert tenant("73902")["verdict"] == "eligible"


def test_venture_company_is_eligible_whatever_its_industry():
    r = tenant("47121", venture=True)
    assert r["verdict"] == "eligible"
    assert "법 제28조의5 제1항 제2호" in r["clauses"]
    assert tenant("47121")["verdict"] == "not_eligible"


@pytest.mark.parametrize(
    ("code", "item"),
    [
        ("38210", 1),  # 폐기물 처리
        ("37012", 2),  # 폐수 처리
        ("52101", 3),  # 창고
        ("49301", 4),  # 화물 운송
        ("76390", 5),  # 산업용 기계 임대
        ("68112", 6),  # 부동산 임대
        ("35114", 8),  # 태양력 발전
        ("35300", 11),  # 증기·냉온수
        ("64201", 12),  # 신탁업
        ("95211", 13),  # 자동차 종합 수리
        ("64209", 14),  # 기타 금융 투자업
    ],
)
def test_industries_of_article_2_18_need_recognition_inside_a_complex(code, item):
    r = tenant(code)
    assert r["verdict"] == "needs_approval", r["reasons"]
    assert "시행령 제36조의4 제1항 제2호 가목" in r["clauses"]
    assert f"시행령 제6조 제5항 제{item}호" in r["clauses"]


def test_passenger_transport_is_left_out_of_transport():
    assert tenant("49101")["verdict"] == "not_eligible"  # 철도 여객
    assert tenant("49102")["verdict"] == "needs_approval"  # 철도 화물


def test_outside_a_complex_the_district_head_may_recognise_any_business():
    r = tenant("56111", location="inside_capital")
    assert r["verdict"] == "needs_approval"
    assert r["clauses"] == ["법 제28조의5 제1항 제1호", "시행령 제36조의4 제1항 제2호 나목"]
    assert any("구청장" in reason for reason in r["reasons"])


def test_not_eligible_tenant_is_pointed_to_support_use_when_possible():
    r = tenant("56221")
    assert r["verdict"] == "not_eligible"
    assert any("use: support" in reason for reason in r["reasons"])
    gambling = tenant("91249")
    assert not any("use: support" in reason for reason in gambling["reasons"])


def test_manufacturing_outside_complex_and_industrial_zone_only_as_urban_factory():
    unknown = tenant("25112", location="outside_capital")
    assert unknown["verdict"] == "eligible" and unknown["conditional"]
    assert "시행령 제36조의4 제5항" in unknown["clauses"]
    zoned = tenant("25112", location="outside_capital", centre={"industrial_zoning": True})
    assert zoned["verdict"] == "eligible" and not zoned["conditional"]
    assert "시행령 제36조의4 제5항" not in zoned["clauses"]
    refused = tenant("25112", location="inside_capital", conditions={"urban-factory": False})
    assert refused["verdict"] == "not_eligible"
    assert "시행령 제36조의4 제5항" in refused["clauses"]
    assert tenant("25112", location="inside_capital", conditions={"urban-factory": True})["verdict"] == "eligible"
    # inside a complex the limit does not apply
    assert tenant("25112", location="mixed_zone", conditions={"urban-factory": False})["verdict"] == "eligible"


def test_a_higher_level_code_is_judged_when_all_codes_under_it_agree():
    assert tenant("62")["verdict"] == "eligible"
    assert tenant("C")["verdict"] == "eligible"
    with pytest.raises(BadInput, match="세세분류"):
        tenant("73")


# --- support facilities: exclusions of 제36조의4 ② ---------------------------------------------------


@pytest.mark.parametrize(
    ("code", "clause"),
    [
        ("01110", "시행령 제36조의4 제2항 제1호 가목"),
        ("05100", "시행령 제36조의4 제2항 제1호 나목"),
        ("25112", "시행령 제36조의4 제2항 제1호 다목"),
        ("91241", "시행령 제36조의4 제2항 제2호"),
        ("55102", "시행령 제36조의4 제2항 제3호 라목"),
        ("55103", "시행령 제36조의4 제2항 제3호 라목"),
        ("56211", "시행령 제36조의4 제2항 제3호 마목"),
        ("91291", "시행령 제36조의4 제2항 제3호 마목"),
        ("91242", "시행령 제36조의4 제2항 제3호 마목"),
        ("38210", "시행령 제36조의4 제2항 제3호 사목"),
        ("46791", "시행령 제36조의4 제2항 제3호 사목"),
        ("84403", "시행령 제36조의4 제2항 제3호 아목"),
        ("84320", "시행령 제36조의4 제2항 제3호 자목"),
        ("96922", "시행령 제36조의4 제2항 제3호 차목"),
    ],
)
def test_excluded_support_facilities(code, clause):
    r = support(code, 100)
    assert r["verdict"] == "not_eligible"
    assert clause in r["clauses"]
    assert any("제외" in reason for reason in r["reasons"])


def test_hotel_is_not_excluded_but_an_inn_is():
    assert support("55101", 100, support_area=1000, by_ksic={"56111": 600})["verdict"] == "eligible"
    assert support("55102", 100)["verdict"] == "not_eligible"


@pytest.mark.parametrize(
    ("use", "clause"),
    [
        ("detached_house", "가목"),
        ("apartment", "나목"),
        ("isolation_hospital", "다목"),
        ("lodging", "라목"),
        ("amusement", "마목"),
        ("animal_plant", "바목"),
        ("resource_recycling", "사목"),
        ("correctional", "아목"),
        ("military", "자목"),
        ("cemetery", "차목"),
    ],
)
def test_building_uses_of_item_3(use, clause):
    r = support("86102", 100, building_use=use, support_area=1000)
    assert r["verdict"] == "not_eligible"
    assert f"시행령 제36조의4 제2항 제3호 {clause}" in r["clauses"]


def test_manufacturing_in_a_neighbourhood_facility_is_an_exception():
    excluded = support("10601", 100, support_area=1000)
    assert excluded["verdict"] == "not_eligible"
    assert any(c["id"] == "neighbourhood-manufacturing" for c in excluded["conditions"])
    assert any("use: tenant" in reason for reason in excluded["reasons"])
    allowed = support("10601", 100, support_area=1000, conditions={"neighbourhood-manufacturing": True})
    assert allowed["verdict"] == "eligible"


def test_a_bar_is_excluded_only_if_it_is_a_karaoke_bar():
    unknown = support("56219", 100, support_area=1000)
    assert unknown["verdict"] == "eligible" and unknown["conditional"]
    assert any(c["id"] == "karaoke-bar" and c["status"] == "unknown" for c in unknown["conditions"])
    yes = support("56219", 100, support_area=1000, conditions={"karaoke-bar": True})
    assert yes["verdict"] == "not_eligible" and "시행령 제36조의4 제2항 제3호 마목" in yes["clauses"]


def test_facilities_the_centre_excluded_under_item_4():
    r = support("91223", 100, support_area=1000, centre={"excluded_ksic": ["91223"]})
    assert r["verdict"] == "not_eligible"
    assert "시행령 제36조의4 제2항 제4호" in r["clauses"]


# --- the caps of ④ ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "clause", "cap"),
    [
        (IFZ, "시행령 제36조의4 제4항 제1호 가목", 3000.0),
        ("mixed_zone", "시행령 제36조의4 제4항 제1호 나목", 5000.0),
        ("inside_capital", "시행령 제36조의4 제4항 제2호 가목", 3000.0),
        ("outside_capital", "시행령 제36조의4 제4항 제2호 나목", 5000.0),
    ],
)
def test_support_cap_by_location_at_and_over_the_limit(location, clause, cap):
    existing = cap - 100  # 100 m² of room left; spread over types so the 50 % rule holds
    by_ksic = {"56111": existing / 3, "56221": existing / 3, "47121": existing / 3}
    at = support("96112", 100, location=location, support_area=existing, by_ksic=by_ksic)
    assert at["verdict"] == "eligible", at["reasons"]
    assert at["support_cap_m2"] == cap and at["support_after_m2"] == cap
    assert clause in at["clauses"]
    over = support("96112", 100.5, location=location, support_area=existing, by_ksic=by_ksic)
    assert over["verdict"] == "not_eligible"
    assert over["support_after_m2"] == cap + 0.5
    assert clause in over["clauses"]
    assert any("넘습니다" in reason for reason in over["reasons"])


@pytest.mark.parametrize(
    ("capacity", "area", "allowance", "band"),
    [
        (10, 300, 0.0, None),  # below 11: no allowance
        (11, 300, 600.0, "1)"),  # min(2 × 300, 800)
        (20, 500, 800.0, "1)"),  # min(1,000, 800)
        (21, 500, 1500.0, "2)"),  # min(3 × 500, 2,000)
        (49, 800, 2000.0, "2)"),  # min(2,400, 2,000)
        (50, 500, 2000.0, "3)"),  # min(4 × 500, 3,000)
        (120, 1000, 3000.0, "3)"),  # min(4,000, 3,000)
    ],
)
def test_daycare_bands(capacity, area, allowance, band):
    # GFA 40,000 m²: the 10 % limit (4,000 m²) does not bind here.
    r = support(
        "56111",
        100,
        gfa=40_000,
        support_area=1000,
        by_ksic={"56221": 500},
        daycare={"area_m2": area, "capacity": capacity},
    )
    assert r["daycare_allowance_m2"] == allowance
    assert r["support_cap_m2"] == 12_000 + allowance
    if band:
        assert f"시행령 제36조의4 제4항 제1호 가목 {band}" in r["clauses"]
        assert r["daycare_band"] == f"시행령 제36조의4 제4항 제1호 가목 {band}"
    else:
        assert r["daycare_band"] is None


def test_daycare_allowance_is_at_most_ten_percent_of_the_floor_area():
    # capacity 60 → min(4 × 1,000, 3,000) = 3,000, but 10 % of 10,000 = 1,000
    r = support(
        "56111", 100, gfa=10_000, support_area=1000, by_ksic={"56221": 500}, daycare={"area_m2": 1000, "capacity": 60}
    )
    assert r["daycare_allowance_m2"] == 1000.0
    assert r["support_cap_m2"] == 4000.0
    assert any("10.0%" in reason for reason in r["reasons"])


def test_daycare_allowance_lets_a_facility_in_that_the_plain_cap_would_refuse():
    base = {"gfa": 10_000, "support_area": 2950, "by_ksic": {"56111": 1400, "56221": 1400}}
    plain = support("47121", 100, **base)
    assert plain["verdict"] == "not_eligible" and plain["support_cap_m2"] == 3000.0
    with_daycare = support("47121", 100, daycare={"area_m2": 150, "capacity": 30}, **base)
    assert with_daycare["support_cap_m2"] == 3450.0  # 3,000 + min(3 × 150, 2,000)
    assert with_daycare["verdict"] == "eligible"


def test_public_daycare_and_other_zones_get_no_allowance():
    public = support(
        "56111",
        100,
        support_area=1000,
        by_ksic={"56221": 500},
        daycare={"area_m2": 200, "capacity": 30, "public": True},
    )
    assert public["daycare_allowance_m2"] == 0 and any("국공립" in r for r in public["reasons"])
    mixed = support(
        "56111",
        100,
        location="mixed_zone",
        support_area=1000,
        by_ksic={"56221": 500},
        daycare={"area_m2": 200, "capacity": 30},
    )
    assert mixed["daycare_allowance_m2"] == 0 and mixed["support_cap_m2"] == 5000.0
    assert any("산업시설구역의 센터에만" in r for r in mixed["reasons"])


# --- one business type at most 50 % of the support area (③) ------------------------------------------


def test_same_type_share_at_and_over_half():
    # after admission: same type 400 + 200 = 600 of 1,000 + 200 = 1,200 → exactly 50 %
    at = support("56221", 200, support_area=1000, by_ksic={"56221": 400, "56111": 300})
    assert at["verdict"] == "eligible"
    assert at["same_type_share"] == 0.5 and at["same_type_area_m2"] == 600.0
    assert "시행령 제36조의4 제3항" in at["clauses"]
    # 400 + 201 = 601 of 1,201 → 50.04 %
    over = support("56221", 201, support_area=1000, by_ksic={"56221": 400, "56111": 300})
    assert over["verdict"] == "not_eligible"
    assert math.isclose(over["same_type_share"], 0.5004)
    assert any("50.0%를 넘을 수 없습니다" in reason for reason in over["reasons"])


def test_same_type_is_the_sub_class_not_the_class():
    # 56221 커피 전문점 and 56229 기타 비알코올 음료점업 share the class 5622 but are different types
    r = support("56229", 200, support_area=1000, by_ksic={"56221": 500})
    assert r["same_type_share"] == round(200 / 1200, 4)
    assert r["verdict"] == "eligible"


def test_first_support_facility_of_a_centre_is_all_of_its_type():
    """The statute's ratio read literally: the only support facility is 100 % of its type."""
    r = support("56221", 100, support_area=0)
    assert r["same_type_share"] == 1.0
    assert r["verdict"] == "not_eligible"


def test_support_requires_a_sub_class_code():
    with pytest.raises(BadInput, match="세세분류"):
        support("5622", 100)


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("application", "field"),
    [
        ({"revision": 11, "area_m2": 1, "centre": {"location": IFZ}}, "ksic"),
        ({"ksic": "62010", "revision": 12, "area_m2": 1, "centre": {"location": IFZ}}, "revision"),
        ({"ksic": "71393", "revision": 11, "area_m2": 1, "centre": {"location": IFZ}}, "ksic"),
        ({"ksic": "62010", "use": "shop", "area_m2": 1, "centre": {"location": IFZ}}, "use"),
        ({"ksic": "62010", "area_m2": -5, "centre": {"location": IFZ}}, "area_m2"),
        ({"ksic": "62010", "area_m2": float("nan"), "centre": {"location": IFZ}}, "area_m2"),
        ({"ksic": "62010", "area_m2": True, "centre": {"location": IFZ}}, "area_m2"),
        ({"ksic": "62010", "area_m2": 1, "venture": "yes", "centre": {"location": IFZ}}, "venture"),
        ({"ksic": "62010", "area_m2": 1}, "centre"),
        ({"ksic": "62010", "area_m2": 1, "centre": {"location": "seoul"}}, "centre.location"),
        ({"ksic": "62010", "area_m2": 1, "centre": {"location": IFZ}, "colour": 1}, "colour"),
        ({"ksic": "62010", "area_m2": 1, "centre": {"location": IFZ}, "conditions": {"x": True}}, "conditions.x"),
        (
            {"ksic": "56221", "use": "support", "area_m2": 1, "centre": {"location": IFZ}},
            "centre.gross_floor_area_m2",
        ),
        (
            {
                "ksic": "56221",
                "use": "support",
                "area_m2": 1,
                "centre": {"location": IFZ, "gross_floor_area_m2": 100, "support_area_m2": 200},
            },
            "centre.support_area_m2",
        ),
        (
            {
                "ksic": "56221",
                "use": "support",
                "area_m2": 1,
                "centre": {
                    "location": IFZ,
                    "gross_floor_area_m2": 1000,
                    "support_area_m2": 100,
                    "support_area_by_ksic": {"5622": 50},
                },
            },
            "centre.support_area_by_ksic.5622",
        ),
        (
            {
                "ksic": "56221",
                "use": "support",
                "area_m2": 1,
                "centre": {
                    "location": IFZ,
                    "gross_floor_area_m2": 1000,
                    "support_area_m2": 100,
                    "support_area_by_ksic": {"56221": 80, "56111": 80},
                },
            },
            "centre.support_area_by_ksic",
        ),
        (
            {
                "ksic": "56221",
                "use": "support",
                "area_m2": 1,
                "centre": {"location": IFZ, "gross_floor_area_m2": 1000, "daycare": {"area_m2": 10, "capacity": 1.5}},
            },
            "centre.daycare.capacity",
        ),
    ],
)
def test_bad_applications_name_their_field(application, field):
    with pytest.raises(BadInput) as err:
        check(application)
    assert err.value.field == field
    assert " / " in err.value.message  # Korean, then English


def test_revision_defaults_to_11_and_hints_at_the_other():
    with pytest.raises(BadInput, match="revision 10"):
        check({"ksic": "71393", "area_m2": 1, "centre": {"location": IFZ}})


# --- the rule data itself ------------------------------------------------------------------------------


def test_rule_data_cites_the_statute_version():
    rules = shipped_rules()
    assert rules.statute["as_of"] == "2026-04-28"
    assert "대통령령 제36283호" in rules.statute["decree"]
    r = tenant("62010")
    assert r["rules"]["as_of"] == "2026-04-28" and r["rules"]["version"] == rules.version


def test_every_clause_quotes_text_found_in_the_statute_extract():
    """Clause texts are quoted, not paraphrased: each (without the ellipses of shortened quotes)
    appears in the statute files (whitespace ignored)."""
    from pathlib import Path

    law = Path(__file__).resolve().parents[3] / "shared" / "data" / "law"
    if not law.exists():
        pytest.skip("the shared statute extract is not next to this checkout")
    corpus = "".join("".join(p.read_text(encoding="utf-8").split()) for p in law.glob("*.md"))
    for cid, clause in shipped_rules().clauses.items():
        for part in clause["text"].split("…"):
            squeezed = "".join(part.split()).strip(".")
            if len(squeezed) > 6:
                # item texts that end with a full stop in the statute and without one here, or vice versa
                assert squeezed.rstrip(".") in corpus, f"{cid}: {part[:60]}"


def test_expanded_codes_of_the_ict_item_4():
    rules = shipped_rules()
    codes = set()
    for route in rules.tenant_routes:
        if route.clause.startswith("decree-6-3-4"):
            codes |= set(rules.codes_of(route, 11))
    assert codes == {"63910", "63991", "63999"}


def test_video_on_demand_exists_only_in_revision_11():
    rules = shipped_rules()
    route = next(r for r in rules.tenant_routes if r.clause == "decree-6-3-6")
    assert rules.codes_of(route, 10) == []
    assert rules.codes_of(route, 11) == ["60310", "60320"]


def test_an_edited_rule_set_is_checked():
    doc = shipped_document()
    doc["tenant_routes"][0]["ksic"] = {"11": ["ZZ"]}
    with pytest.raises(BadInput, match="ZZ"):
        RuleSet.from_document(doc)
    doc = shipped_document()
    doc["support_caps"]["mixed_zone"]["clause"] = "nowhere"
    with pytest.raises(BadInput, match="nowhere"):
        RuleSet.from_document(doc)


def test_an_edited_cap_changes_the_verdict():
    doc = shipped_document()
    doc["support_caps"]["mixed_zone"]["ratio"] = "0.40"
    rules = RuleSet.from_document(doc)
    app = {
        "ksic": "56111",
        "use": "support",
        "area_m2": 500,
        "centre": {
            "location": "mixed_zone",
            "gross_floor_area_m2": 10_000,
            "support_area_m2": 3800,
            "support_area_by_ksic": {"56221": 1900},
        },
    }
    assert check(app)["verdict"] == "eligible"
    edited = check(app, rules=rules)
    assert edited["verdict"] == "not_eligible" and edited["support_cap_m2"] == 4000.0


# --- 지식기반산업 through advanced technology (법 제2조제8호, 시행령 제4조의4 제2호) ---------------------


def test_advanced_technology_is_a_knowledge_based_industry():
    hint = tenant("47121")
    assert hint["verdict"] == "not_eligible"
    assert any("advanced-technology" in reason for reason in hint["reasons"])
    r = tenant("47121", conditions={"advanced-technology": True})
    assert r["verdict"] == "eligible"
    assert r["clauses"] == ["법 제28조의5 제1항 제1호", "시행령 제4조의4 제2호"]
    assert tenant("47121", conditions={"advanced-technology": False})["verdict"] == "not_eligible"


def test_support_area_defaults_to_the_areas_by_industry():
    r = support("56111", 100, support_area=None, by_ksic={"56221": 300, "47121": 300})
    assert r["support_after_m2"] == 700.0
    assert r["same_type_share"] == round(100 / 700, 4)


def test_revision_may_be_written_as_a_whole_float():
    assert tenant("62010", revision=11.0)["ksic"]["revision"] == 11


def test_diff_of_an_edited_rule_document():
    from techvalley.tenancy.rules import diff_documents

    old = shipped_document()
    new = shipped_document()
    new["support_caps"]["mixed_zone"]["ratio"] = "0.40"
    new["tenant_routes"][1]["ksic"]["11"].append("71")
    assert diff_documents(old, new) == [
        'support_caps.mixed_zone.ratio: "0.50" → "0.40"',
        'tenant_routes[1].ksic.11[1]: (없음) → "71"',
    ]
    assert diff_documents(old, shipped_document()) == []
