"""The surveys part of the demo: the 2023-06~07 demand survey (혁신계획 수립 수요조사) with
simulated responses from demo companies — marked as simulated everywhere they show — an open
satisfaction survey the demo company can answer, a candidate project and communication records
taken from the plan card's 추진실적 (dates from the card; places and attendance are estimates).

Deterministic (a seeded generator, companies in registry-key order) and safe to re-run.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from techvalley.core import audit
from techvalley.core.models import Complex
from techvalley.registry.models import Company
from techvalley.surveys import services
from techvalley.surveys.models import CommunicationRecord, Invitation, Response, ResponseSource, Survey, SurveyStatus

SEED = 2023
RESPONDENTS = 160

#: Free-text answers of the kind such surveys collect (written for the demo, not real answers).
DIFFICULTY_TEXTS = [
    "전기요금이 계속 올라 에너지 비용 부담이 큽니다",
    "전기 요금 인상으로 원가 부담이 커졌습니다",
    "젊은 인력 채용이 어렵고 숙련 인력이 자꾸 떠납니다",
    "기술 인력 구하기가 너무 힘듭니다",
    "주차장이 부족해서 직원들이 불법 주차를 합니다",
    "공장 주변 주차 공간 확보가 시급합니다",
    "공장 건물이 노후해서 안전 문제가 걱정됩니다",
    "노후 설비 교체 자금이 부족합니다",
    "원자재 가격 상승으로 자금 사정이 어렵습니다",
    "판로 개척과 수출 정보가 부족합니다",
    "도금 폐수 처리 등 환경 규제 대응이 어렵습니다",
    "출퇴근 대중교통이 불편해 인력 채용에 불리합니다",
]
SUPPORT_TEXTS = [
    "스마트공장 구축 비용을 지원해 주세요",
    "스마트 공장 도입 컨설팅을 받고 싶습니다",
    "직원 대상 자동화 교육 프로그램이 있으면 좋겠습니다",
    "인력 양성 교육을 산단 안에서 받을 수 있으면 좋겠습니다",
    "지붕 태양광 설치 지원이 필요합니다",
    "공동 시험 장비를 저렴하게 쓰고 싶습니다",
    "공영 주차장을 산단 안에 만들어 주세요",
    "수출 마케팅 지원과 해외 전시회 참가 지원",
    "에너지 진단과 고효율 설비 교체 지원",
]
ENERGY_TEXTS = [
    "전기요금 부담이 가장 큽니다",
    "압축기 전력 사용이 많아 절감 방법을 알고 싶습니다",
    "태양광 설치를 검토 중인데 지붕 구조가 걱정입니다",
    "에너지 진단을 받아 본 적이 없습니다",
    "폐열 회수 설비에 관심이 있습니다",
]

COMMUNICATION = [
    ("other", "지식산업센터 선진지 견학", "2023-02-14", "센텀시티일반산업단지 외", 18),
    ("briefing", "지식산업센터 활성화를 위한 기업인 간담회 (1차)", "2023-06-20", "신평장림 혁신지원센터", 24),
    ("briefing", "지식산업센터 활성화를 위한 기업인 간담회 (2차)", "2023-08-22", "신평장림 혁신지원센터", 21),
    ("expert", "혁신계획 수립 전문가 컨설팅 (1차)", "2023-08-29", "사하구청 회의실", 6),
    ("expert", "혁신계획 수립 전문가 컨설팅 (2차)", "2023-10-17", "사하구청 회의실", 7),
    ("expert", "혁신계획 수립 전문가 컨설팅 (3차)", "2023-12-05", "사하구청 회의실", 6),
    ("report", "저탄소 그린산단 조성사업 착수보고회", "2023-11-23", "사하구청 대회의실", 35),
    ("press", "신평·장림산단 노후거점산단 선정 보도", "2023-04-12", "", None),
]


def _answers(rng: random.Random, company: Company) -> dict:
    """One simulated answer set (codes of the demand template)."""
    ksic = (company.ksic_code or "")[:2]
    business = {"25": "metal", "24": "metal", "28": "machinery", "29": "machinery", "30": "auto", "31": "auto"}.get(
        ksic, rng.choice(["electric", "food", "other", "machinery"])
    )
    employees = company.employees or rng.randint(5, 120)
    difficulties = rng.sample(
        ["workforce", "energy_cost", "funding", "technology", "sales", "space", "environment", "infrastructure"],
        k=rng.randint(1, 3),
    )
    if ksic in ("24", "25") and "energy_cost" not in difficulties and len(difficulties) < 3 and rng.random() < 0.6:
        difficulties.append("energy_cost")
    support = rng.sample(["smart_factory", "rnd", "training", "energy", "marketing", "finance", "facilities"], k=3)
    answers = {
        "main_business": business,
        "employees": str(employees),
        "revenue_trend": rng.choice(["up", "flat", "flat", "down", "down"]),
        "difficulties": difficulties,
        "infrastructure_rating": {
            "roads": str(rng.randint(2, 4)),
            "parking": str(rng.randint(1, 3)),
            "transit": str(rng.randint(1, 4)),
            "amenities": str(rng.randint(1, 3)),
        },
        "support_priority": support,
        "facilities_wanted": rng.sample(
            ["testing", "meeting", "prototype", "logistics", "childcare", "canteen", "dormitory"], k=rng.randint(1, 3)
        ),
        "training_needed": "yes" if rng.random() < 0.65 else "no",
        "energy_cost_share": str(round(rng.uniform(1, 18), 1)),
        "energy_interest": rng.sample(["solar", "fems", "efficiency", "heat"], k=rng.randint(1, 2)),
        "participation": str(rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 5, 3])[0]),
        "contact_ok": rng.choice(["yes", "yes", "no"]),
    }
    if "smart_factory" in support:
        answers["smart_factory_stage"] = rng.choice(["none", "planning", "basic", "advanced"])
    if answers["training_needed"] == "yes":
        answers["training_topics"] = rng.sample(
            ["automation", "data", "safety", "quality", "energy", "management"], k=2
        )
        answers["training_hours"] = str(rng.choice([4, 8, 12, 16, 24]))
    if int(answers["participation"]) >= 4:
        answers["cost_share"] = rng.choice(["none", "up_to_10", "up_to_10", "up_to_30"])
    if rng.random() < 0.7:
        answers["difficulty_detail"] = rng.choice(DIFFICULTY_TEXTS)
    if rng.random() < 0.6:
        answers["support_detail"] = rng.choice(SUPPORT_TEXTS)
    if rng.random() < 0.4:
        answers["energy_detail"] = rng.choice(ENERGY_TEXTS)
    return answers


def load_surveys_demo(cx: Complex) -> dict:
    if Survey.objects.filter(complex=cx, slug="demand-2023").exists():
        return {"surveys": "already loaded"}
    survey = services.create_survey(
        cx,
        "demand-2023",
        template="demand",
        title_ko="혁신계획 수립을 위한 기업체 수요조사 (2023, 모의 응답)",
        opens_on=dt.date(2023, 6, 1),
        closes_on=dt.date(2023, 7, 31),
        simulated=True,
    )
    companies = list(Company.objects.filter(complex=cx, in_registry=True).order_by("registry_key"))
    # The demo companies (with platform users) are left to answer the open survey themselves.
    others = [c for c in companies if c.organisation_id is None]
    services.invite_companies(survey, Company.objects.filter(pk__in=[c.pk for c in others]))
    rng = random.Random(SEED)
    chosen = sorted(rng.sample(others, k=min(RESPONDENTS, len(others))), key=lambda c: c.registry_key)
    specs = services.specs_of(survey)
    from techvalley.surveys import questions as q

    responses = []
    for i, company in enumerate(chosen, start=1):
        answers, errors = q.clean_answers(specs, _answers(rng, company))
        assert not errors, errors  # the generator writes what the questions accept
        responses.append(
            Response(
                survey=survey,
                complex=cx,
                company=company,
                ref=f"SIM-2023-{i:03d}",
                source=ResponseSource.SIMULATED,
                answers=answers,
                segment=services.segment_of(company),
            )
        )
    Response.objects.bulk_create(responses, batch_size=500)
    audit.record_bulk([audit.entry(r, "create", {"ref": [None, r.ref], "source": [None, r.source]}) for r in responses])
    answered_at = timezone.make_aware(dt.datetime(2023, 7, 15, 10, 0))
    Invitation.objects.filter(survey=survey, company__in=chosen).update(answered_at=answered_at, sent_at=answered_at)
    services.set_status(survey, SurveyStatus.CLOSED)
    services.publish_results(survey)
    energy = [r for r in responses if "energy_cost" in r.answers.get("difficulties", [])]
    services.create_candidate(
        cx,
        "입주기업 에너지 비용 절감 (에너지 진단·고효율 설비·지붕 태양광)",
        survey=survey,
        question_code="difficulties",
        keywords=["전기요금", "에너지", "태양광"],
        description=(
            "수요조사에서 에너지 비용을 어려움으로 꼽은 기업을 대상으로 한 공동 사업 후보 "
            "(모의 응답 기반, 비용은 추정)."
        ),
        response_ids=[r.pk for r in energy],
        estimated_cost_million_krw=1500,
    )
    open_survey = services.create_survey(
        cx, "briefing-2026", template="satisfaction", title_ko="설명회 만족도 조사 (예시)"
    )
    services.set_status(open_survey, SurveyStatus.OPEN)
    services.invite_companies(open_survey)
    for kind, title, day, place, attendees in COMMUNICATION:
        CommunicationRecord.objects.get_or_create(
            complex=cx,
            title=title,
            held_on=dt.date.fromisoformat(day),
            defaults={
                "kind": kind,
                "place": place,
                "attendees": attendees,
                "note": "관리카드 추진실적의 일정에서 옮김. 장소·참석 인원은 추정(예시)입니다.",
                "survey": survey if kind == "briefing" else None,
                "simulated": True,
            },
        )
    return {
        "surveys": {"demand-2023 responses (simulated)": len(responses), "communication records": len(COMMUNICATION)}
    }
