"""The demo's cooperation records: the agreements and joint programmes named on the plan card
(관리번호 3-1), plausible expertise and support-programme notices — every invented detail marked
as an estimate. Deterministic: the same records on every run."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from techvalley.collaboration import services
from techvalley.collaboration.models import Expert, Need, PartnerKind, SupportProgramme
from techvalley.core.models import Complex
from techvalley.registry.models import Company

CARD = "사하구 관리번호 3-1 「낙동강 테크노밸리 조성」 추진실적 (seed card)"
ESTIMATE = "일자·기간·세부 내용은 추정 (카드에는 연월만 기재) / day, term and details estimated"

SAHA = ("부산광역시 사하구", PartnerKind.GOVERNMENT)
BHU = ("부산보건대학교", PartnerKind.UNIVERSITY)
DAU = ("동아대학교", PartnerKind.UNIVERSITY)
KICOX = ("한국산업단지공단 부산지역본부", PartnerKind.AGENCY)
FORU = ("(주)포유산업", PartnerKind.COMPANY)
SKEP = ("SK에코플랜트", PartnerKind.COMPANY)

AGREEMENTS = [
    {
        "title": "사하구-부산보건대학교 협력체계 구축 협약",
        "signed_on": dt.date(2023, 3, 15),
        "parties": [SAHA + ("주관",), BHU + ("협력",)],
        "purpose": "지역사회와 대학의 산·학·관 협력 지원체계 구축, 지역 인재 양성",
        "obligations": (
            "사하구: 행정·재정 지원, 산단 기업 연계\n부산보건대학교: 교육과정·현장실습 운영, 공모사업 공동 대응"
        ),
        "outcomes": "2023-05 「고등직업교육거점지구사업」 공동 선정",
        "follow_ups": [
            ("고등직업교육거점지구사업 공모 공동 신청", "전략사업과 스마트산업담당", dt.date(2023, 4, 30), "done"),
            ("산단 재직자 직무교육 수요 조사", "부산보건대학교 산학협력단", dt.date(2026, 9, 30), "in_progress"),
        ],
    },
    {
        "title": "사하구-동아대학교 SW중심대학 사업 협약",
        "signed_on": dt.date(2023, 11, 20),
        "parties": [SAHA + ("협력",), DAU + ("주관",)],
        "purpose": "「SW중심대학 사업」 지역 협력: SW 인재 양성과 산단 기업의 디지털 전환",
        "obligations": "동아대학교: SW 교육과정, 기업 연계 인턴십·캡스톤\n사하구: 산단 기업 수요 발굴과 홍보",
        "outcomes": "",
        "follow_ups": [
            ("산단 기업 SW 인턴십 수요 조사", "전략사업과 스마트산업담당", dt.date(2026, 12, 31), "open"),
        ],
    },
    {
        "title": "사하구-동아대학교 상생발전을 위한 업무협약",
        "signed_on": dt.date(2023, 12, 18),
        "ends_on": dt.date(2026, 12, 17),
        "parties": [SAHA + ("",), DAU + ("",)],
        "purpose": "지역과 대학의 상생발전, 산학협력 공모사업 공동 발굴",
        "obligations": "양 기관: 공모사업 공동 대응, 시설·인력 교류",
        "outcomes": "",
        "follow_ups": [
            ("산학협력 공모사업 공동 발굴 회의", "전략사업과 스마트산업담당", dt.date(2026, 6, 30), "in_progress"),
            ("협약 갱신 여부 검토", "전략사업과 스마트산업담당", dt.date(2026, 11, 30), "open"),
        ],
    },
    {
        "title": "신평·장림산단 환경개선 및 창업기업 활성화를 위한 업무 협약",
        "signed_on": dt.date(2023, 6, 20),
        "parties": [SAHA + ("",), KICOX + ("",), FORU + ("",), SKEP + ("",)],
        "purpose": "신평·장림산단 환경개선, 지식산업센터 활성화와 창업기업 유치",
        "obligations": "4자: 지식산업센터 입주 홍보, 창업기업 유치, 산단 환경개선 협력",
        "outcomes": "2023-06~08 기업인 간담회 2회, 2023-09~12 기업 유치 홍보(영상·일간지 광고)",
        "follow_ups": [
            ("지식산업센터 활성화 기업인 간담회 (2회)", "전략사업과 스마트산업담당", dt.date(2023, 8, 31), "done"),
            ("기업 유치 홍보 콘텐츠 제작·광고", "전략사업과 스마트산업담당", dt.date(2023, 12, 31), "done"),
        ],
    },
]

PROGRAMMES = [
    {
        "title": "고등직업교육거점지구사업 (HiVE)",
        "funder": "교육부·한국연구재단",
        "starts_on": dt.date(2023, 5, 1),
        "ends_on": dt.date(2027, 12, 31),
        "status": "selected",
        "description": "사하구·부산보건대학교 공동 선정 (2023-05). 지역 산업 맞춤 직무교육과 평생직업교육.",
        "participants": [SAHA, BHU],
        "budget": [
            ("national", 2023, 1_000_000_000),
            ("district", 2023, 100_000_000),
            ("national", 2024, 1_000_000_000),
            ("district", 2024, 100_000_000),
        ],
        "kpis": [("재직자 교육 이수", "명", 300, 210), ("산단 기업 취업 연계", "명", 40, 23)],
        "agreement": "사하구-부산보건대학교 협력체계 구축 협약",
    },
    {
        "title": "SW중심대학 사업 (동아대학교)",
        "funder": "과학기술정보통신부·정보통신기획평가원",
        "starts_on": dt.date(2023, 7, 1),
        "ends_on": dt.date(2028, 12, 31),
        "status": "selected",
        "description": "동아대학교 SW중심대학 사업과 사하구 협력 (2023-11 협약): SW 인재 양성, 산단 기업 인턴십.",
        "participants": [DAU, SAHA],
        "budget": [("national", 2024, 2_000_000_000), ("city", 2024, 200_000_000)],
        "kpis": [("산단 기업 인턴십", "명", 30, 12), ("기업 연계 캡스톤 과제", "건", 10, 6)],
        "agreement": "사하구-동아대학교 SW중심대학 사업 협약",
    },
]


def _json(name: str) -> list[dict]:
    return json.loads((resources.files("techvalley.collaboration") / "data" / name).read_text(encoding="utf-8"))


def load_collaboration_demo(cx: Complex) -> dict:
    agreements = {}
    for a in AGREEMENTS:
        agreement = services.record_agreement(
            cx,
            title=a["title"],
            signed_on=a["signed_on"],
            ends_on=a.get("ends_on"),
            parties=a["parties"],
            purpose=a["purpose"],
            obligations=a["obligations"],
            outcomes=a["outcomes"],
            source=CARD,
            estimated=True,
        )
        agreements[a["title"]] = agreement
        if not agreement.follow_ups.exists():
            for action, owner, due, status in a["follow_ups"]:
                f = services.add_follow_up(agreement, action=action, owner=owner, due_on=due, note=ESTIMATE)
                if status != "open":
                    services.set_follow_up_status(f, status, today=due)
    for p in PROGRAMMES:
        services.record_programme(
            cx,
            title=p["title"],
            funder=p["funder"],
            starts_on=p["starts_on"],
            ends_on=p["ends_on"],
            status=p["status"],
            description=p["description"],
            participants=p["participants"],
            budget=p["budget"],
            kpis=[(n, u, t, r) for n, u, t, r in p["kpis"]],
            agreement=agreements[p["agreement"]],
            source=CARD + " · 예산·성과지표는 추정 / budget and KPIs estimated",
            estimated=True,
        )
    experts = _json("demo_experts.json")
    for i, e in enumerate(experts):
        e.update(estimated=True, public_consent=e["kind"] != "researcher" or i % 3 != 0)
    services.import_experts(cx, experts)
    programmes = [dict(p, estimated=True) for p in _json("demo_programmes.json")]
    services.import_programmes(cx, programmes)
    needs = _demo_needs(cx)
    return {
        "agreements": len(agreements),
        "joint_programmes": len(PROGRAMMES),
        "experts": Expert.objects.filter(complex=cx).count(),
        "support_programmes": SupportProgramme.objects.filter(complex=cx).count(),
        "needs": needs,
    }


NEEDS = [
    (
        "technology",
        "6가 크롬 대체 도금 공정",
        "6가 크롬 도금을 3가 크롬으로 바꾸고 싶은데 내식성과 색상이 걱정됩니다. 시험도 필요합니다.",
    ),
    (
        "people",
        "현장 기능인력 채용",
        "도금·열처리 현장 인력 채용이 어렵습니다. 재직자 교육과 청년 채용 연계를 원합니다.",
    ),
]


def _demo_needs(cx: Complex) -> int:
    """Two needs of the demo companies (the first KSIC-25 companies, as the demo users'), one
    taken up with a lab and at the contacted stage — all marked as examples."""
    companies = list(
        Company.objects.filter(complex=cx, ksic_code__startswith="25", in_registry=True).order_by("registry_key")[:2]
    )
    if not companies:
        return 0
    count = 0
    for company, (kind, title, text) in zip(companies, NEEDS, strict=False):
        if Need.objects.filter(company=company, title=title).exists():
            continue
        need = services.record_need(company, kind=kind, title=f"{title} (예시)", text=text, by_officer=True)
        count += 1
        if kind == "technology":
            lab = Expert.objects.filter(complex=cx, ref="DAU-MSE-SURF").first()
            if lab is not None:
                e = services.start_engagement(
                    company, need=need, expert=lab, on=dt.date(2026, 9, 1), note="예시 / example"
                )
                services.advance_engagement(e, "contacted", dt.date(2026, 9, 15))
    return count
