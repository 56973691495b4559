"""The tenancy part of the demo: the four knowledge-industry centres of FACTS.md with a sample of
units, tenants and leases, a few leads through the funnel, the 2023 promotion campaign and the
roundtables of the plan card.

Public facts (names, floors, SK V1's address, floor area and developer) come from FACTS.md; every
other figure — location class, floor areas of the other three, units, prices, tenants, leads, and
the centres' map positions (placed by hand inside the complex, ``location_is_estimate``) — is a
deterministic estimate made here (seeded) and marked ``is_estimate`` / "(예시)" wherever shown.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from techvalley.core.models import Complex
from techvalley.tenancy import services
from techvalley.tenancy.models import Campaign, Centre, Lead, Owner, Roundtable, Stage, Tenant, Unit

SEED = 20231125
FACTS = "FACTS.md (부산일보 등 언론 보도)"

CENTRES = [
    {
        "slug": "pentaplex",
        "lat": 35.0862,
        "lon": 128.9648,
        "location_is_estimate": True,
        "name": "펜타플렉스",
        "location": "industrial_facility_zone",
        "gross_floor_area_m2": Decimal("42000"),
        "floors_above": 15,
        "floors_below": 2,
        "completed_year": 2021,
        "description": "신평·장림산단 첫 고층 지식산업센터 (15층, 2021).",
        "source_note": f"층수·준공: {FACTS}. 연면적·구역·호실은 추정치(예시).",
        "daycare_capacity": None,
    },
    {
        "slug": "smart-t-tower",
        "lat": 35.0897,
        "lon": 128.9702,
        "location_is_estimate": True,
        "name": "서부산 스마트T타워",
        "location": "mixed_zone",
        "gross_floor_area_m2": Decimal("58000"),
        "floors_above": 20,
        "floors_below": 2,
        "completed_year": None,
        "description": "지상 20층 지식산업센터.",
        "source_note": f"층수: {FACTS}. 연면적·구역·호실은 추정치(예시).",
        "daycare_capacity": None,
    },
    {
        "slug": "leadone-busan",
        "lat": 35.0788,
        "lon": 128.9587,
        "location_is_estimate": True,
        "name": "리드원부산",
        "location": "outside_capital",
        "industrial_zoning": True,
        "gross_floor_area_m2": Decimal("118000"),
        "floors_above": 28,
        "floors_below": 3,
        "completed_year": None,
        "description": "지상 28층, 10층까지 드라이브인 구조.",
        "source_note": f"층수·드라이브인: {FACTS}. 연면적·구역(산업단지 밖 공업지역으로 가정)·호실은 추정치(예시).",
        "daycare_capacity": None,
    },
    {
        "slug": "sk-v1",
        "lat": 35.0921,
        "lon": 128.9676,
        "location_is_estimate": True,
        "name": "서부산 SK V1",
        "location": "industrial_facility_zone",
        "address": "부산광역시 사하구 신평동 520",
        "gross_floor_area_m2": Decimal("166000"),
        "floors_above": 18,
        "floors_below": 2,
        "completed_year": None,
        "developer": "SK에코플랜트",
        "description": "지하 2층~지상 18층, 연면적 16.6만㎡, 주차 1,390대.",
        "source_note": f"주소·층수·연면적·시행사: {FACTS}. 구역·호실·어린이집은 추정치(예시).",
        "daycare_capacity": 40,
    },
]

#: (KSIC rev. 11, name of the made-up tenant, venture) by use; a few doubtful and illegal uses for the audit.
KNOWLEDGE = [
    ("62010", "소프트웨어", False),
    ("58222", "앱개발", True),
    ("70129", "공학연구소", False),
    ("72129", "엔지니어링", False),
    ("73202", "제품디자인", False),
    ("63991", "데이터", True),
    ("71400", "시장조사", False),
]
FACTORY = [
    ("29171", "냉동기계", False),
    ("26299", "전자부품", False),
    ("25934", "금속가공", False),
    ("27199", "계측기", True),
    ("30399", "자동차부품", False),
    ("31114", "선박부품", False),
]
SUPPORT = [("56221", "카페"), ("56111", "식당"), ("47121", "편의점"), ("71202", "세무사무소"), ("96112", "미용실")]
#: Uses an inspection would look at: (ksic, name, use, unit use).
DOUBTFUL = [
    ("52101", "물류창고", "tenant", "factory"),  # needs the management body's recognition (제36조의4①2가)
    ("68221", "부동산중개", "tenant", "knowledge_ict"),  # not eligible as a tenant business
    ("56211", "유흥주점", "support", "support"),  # excluded support facility (②3마)
]
SUFFIX = ["테크", "산업", "솔루션", "랩", "정밀", "시스템"]
PREFIX = ["한결", "누리", "다온", "새빛", "바른", "하늘", "푸른", "미래", "동해", "낙동"]
LEADS = [
    # company, ksic, venture, use, area range, stage, lost reason, days ago
    ("(예시) 가람로보틱스", "28909", True, "tenant", (150, 300), Stage.MOVED_IN, "", 200),
    ("(예시) 솔빛소프트", "58222", False, "tenant", (60, 120), Stage.CONTRACT, "", 90),
    ("(예시) 한빛정밀", "29229", False, "tenant", (300, 600), Stage.APPLICATION, "", 60),
    ("(예시) 온새미바이오", "70113", True, "tenant", (100, 200), Stage.VISIT, "", 30),
    ("(예시) 다올물류", "52101", False, "tenant", (500, 900), Stage.INQUIRY, "", 12),
    ("(예시) 새봄카페", "56221", False, "support", (40, 80), Stage.INQUIRY, "", 5),
    ("(예시) 보람디자인", "73203", False, "tenant", (50, 90), Stage.LOST, "임대료 예산 초과", 150),
    ("(예시) 청해기계", "29172", False, "tenant", (400, 800), Stage.LOST, "다른 산단(녹산)으로 이전", 120),
    ("(예시) 해솔데이터", "63112", True, "tenant", (80, 160), Stage.MOVED_IN, "", 260),
    ("(예시) 은하전자", "26429", False, "tenant", (200, 400), Stage.VISIT, "", 20),
]


def _units_for(centre: Centre, rng: random.Random, owner: Owner) -> list[Unit]:
    units = []
    floors = centre.floors_above
    drive_in = 10 if centre.slug == "leadone-busan" else 4
    for floor in sorted({1, 2} | set(range(3, floors + 1, max(1, floors // 8)))):
        per_floor = 3
        for i in range(1, per_floor + 1):
            if floor <= 2:
                use, area = "support", rng.choice([45, 60, 85, 120])
            elif floor <= drive_in:
                use, area = "factory", rng.choice([330, 420, 560, 710])
            else:
                use, area = "knowledge_ict", rng.choice([66, 99, 132, 198])
            rent = int(area * rng.choice([14_000, 16_000, 18_000]) // 1000 * 1000)
            units.append(
                Unit(
                    centre=centre,
                    number=f"{floor}{i:02d}",
                    floor=floor,
                    area_m2=Decimal(area),
                    use=use,
                    monthly_rent_won=rent,
                    deposit_won=rent * 10,
                    sale_price_won=int(area * rng.choice([3_300_000, 3_900_000, 4_500_000])),
                    owner=owner,
                    is_estimate=True,
                )
            )
    Unit.objects.bulk_create(units)
    return list(centre.units.order_by("floor", "number"))


def _demo_company(cx: Complex):
    """The company the demo's company manager belongs to (none when the core demo step did not run)."""
    from techvalley.registry.models import Company

    return Company.objects.filter(complex=cx, organisation__memberships__user__username="company-manager").first()


def load_tenancy_demo(cx: Complex, today: dt.date | None = None) -> dict:
    """Centres, units, tenants, leases, leads, a campaign and roundtables (skipped if present)."""
    if Centre.objects.filter(complex=cx).exists():
        return {"centres": Centre.objects.filter(complex=cx).count(), "skipped": True}
    rng = random.Random(SEED)
    today = today or timezone.localdate()
    now = timezone.now()
    officer = get_user_model().objects.filter(username="officer").first()
    centres = []
    names = (
        f"(예시) {PREFIX[i % len(PREFIX)]}{SUFFIX[(i // len(PREFIX)) % len(SUFFIX)]}"
        + (f" {i // (len(PREFIX) * len(SUFFIX)) + 1}" if i >= len(PREFIX) * len(SUFFIX) else "")
        for i in itertools.count()
    )
    for spec in CENTRES:
        centre = Centre.objects.create(complex=cx, is_estimate=True, **spec)
        developer = Owner.objects.create(
            complex=cx, name=spec.get("developer") or f"(예시) {spec['name']} 시행사", kind="developer"
        )
        units = _units_for(centre, rng, developer)
        support_units = [u for u in units if u.use == "support"]
        other = [u for u in units if u.use != "support"]
        # about three in four units occupied, the rest vacant since a (seeded) date
        for unit in other:
            if rng.random() < 0.72:
                code, label, venture = rng.choice(FACTORY if unit.use == "factory" else KNOWLEDGE)
                tenant = Tenant.objects.create(
                    complex=cx, name=f"{next(names)} ({label})", ksic=code, venture=venture, is_estimate=True
                )
                start = today - dt.timedelta(days=rng.randint(60, 1400))
                services.start_lease(unit, tenant, use="tenant", start=start, monthly_rent_won=unit.monthly_rent_won)
            else:
                unit.vacant_since = today - dt.timedelta(days=rng.randint(20, 400))
                unit.save(update_fields=["vacant_since"])
        for unit, (code, label) in zip(support_units, rng.sample(SUPPORT, 3), strict=False):
            tenant = Tenant.objects.create(complex=cx, name=f"{next(names)} ({label})", ksic=code, is_estimate=True)
            services.start_lease(unit, tenant, use="support", start=today - dt.timedelta(days=rng.randint(90, 900)))
        if spec["daycare_capacity"]:
            free = list(centre.units.filter(use="support", status="vacant").order_by("-area_m2", "number")[:1])
            if free:
                daycare = Tenant.objects.create(complex=cx, name="(예시) 직장어린이집", ksic="87210", is_estimate=True)
                services.start_lease(free[0], daycare, use="support", start=today - dt.timedelta(days=500))
        centres.append((centre, units))
    # An occupancy history: a tenant that left, and the unit filled again later.
    centre, units = centres[0]
    unit = next(u for u in units if u.use == "knowledge_ict" and not u.leases.filter(end__isnull=True).exists())
    gone = Tenant.objects.create(complex=cx, name="(예시) 이전한 기업", ksic="62010", is_estimate=True)
    lease = services.start_lease(unit, gone, start=today - dt.timedelta(days=900))
    services.end_lease(lease, end=today - dt.timedelta(days=400), reason="사업장 이전")
    later = Tenant.objects.create(complex=cx, name="(예시) 새로 입주한 기업", ksic="70121", is_estimate=True)
    services.start_lease(unit, later, start=today - dt.timedelta(days=310))
    # The demo's own company (company-manager, company-member) rents a unit, so its members see
    # their lease on their company's pages and nobody else does.
    own = _demo_company(cx)
    if own is not None:
        unit = centres[0][0].units.filter(use="knowledge_ict", status="vacant").order_by("floor", "number").first()
        if unit is not None:
            tenant = Tenant.objects.create(
                complex=cx, name=own.name, company=own, ksic=own.ksic_code or "62010", is_estimate=True
            )
            services.start_lease(
                unit, tenant, start=today - dt.timedelta(days=200), monthly_rent_won=unit.monthly_rent_won
            )
    # Uses an inspection would look at.
    for (code, label, use, unit_use), (_centre, _units) in zip(DOUBTFUL, centres, strict=False):
        unit = _centre.units.filter(use=unit_use, status="vacant").order_by("floor", "number").first()
        if unit is not None:
            tenant = Tenant.objects.create(complex=cx, name=f"(예시) {label}", ksic=code, is_estimate=True)
            services.start_lease(unit, tenant, use=use, start=today - dt.timedelta(days=rng.randint(100, 700)))
    # The plan card's achievements: a benchmarking tour, roundtables, the 2023 promotion campaign.
    tour = Campaign.objects.create(
        complex=cx,
        name="지식산업센터 선진지 견학",
        channel="tour",
        cost_won=3_000_000,
        start=dt.date(2023, 2, 1),
        end=dt.date(2023, 2, 28),
        tracking_code="tour-2023",
        is_estimate=True,
        description="센텀시티일반산업단지, 서울·경기 일원 우수 지식산업센터 및 관리기관 (관리카드 3-1). 비용은 추정치.",
    )
    promo = Campaign.objects.create(
        complex=cx,
        name="기업 유치 홍보 (영상·일간지 광고)",
        channel="press",
        cost_won=45_000_000,
        start=dt.date(2023, 9, 1),
        end=dt.date(2023, 12, 31),
        tracking_code="promo-2023",
        is_estimate=True,
        description="홍보 콘텐츠 제작, 영상 및 일간지 광고 (관리카드 3-1). 비용은 추정치.",
    )
    meeting = Campaign.objects.create(
        complex=cx,
        name="지식산업센터 활성화 기업인 간담회",
        channel="roundtable",
        cost_won=2_000_000,
        start=dt.date(2023, 6, 1),
        end=dt.date(2023, 8, 31),
        tracking_code="roundtable-2023",
        is_estimate=True,
        description="기업인 간담회 2회 (관리카드 3-1). 비용은 추정치.",
    )
    for held, title in ((dt.date(2023, 6, 20), "1차"), (dt.date(2023, 8, 22), "2차")):
        rt = Roundtable.objects.create(
            complex=cx,
            campaign=meeting,
            title=f"지식산업센터 활성화를 위한 기업인 간담회 ({title})",
            held_on=held,
            place="사하구청 (예시)",
            attendees="(예시) 입주기업 대표 8명\n(예시) 산단공 부산지역본부\n(예시) 센터 관리단",
            summary="입주 업종 제한, 주차, 대중교통 접근성에 관한 의견 (예시).",
        )
        services.add_issue(
            rt,
            text="지원시설(식당·편의점) 부족",
            raised_by="(예시) 입주기업 대표",
            follow_up="관리단과 지원시설 유치 협의",
            due=held + dt.timedelta(days=60),
            assignee=officer,
        )
        services.add_issue(
            rt,
            text="신평역까지 셔틀버스 요청",
            raised_by="(예시) 입주기업 대표",
            follow_up="교통과에 셔틀 운행 검토 요청",
            due=held + dt.timedelta(days=30),
            assignee=officer,
        )
    campaigns = [promo, promo, tour, None, promo, None, meeting, promo, None, promo]
    for (name, code, venture, use, (lo, hi), stage, lost, days), campaign in zip(LEADS, campaigns, strict=True):
        created = now - dt.timedelta(days=days)
        lead = services.submit_inquiry(
            cx,
            {
                "company_name": name,
                "contact_name": "(예시) 담당자",
                "phone": "010-0000-0000",
                "ksic": code,
                "venture": venture,
                "use": use,
                "area_min_m2": lo,
                "area_max_m2": hi,
                "budget_monthly_won": hi * 17_000,
                "source": "demo",
            },
            consent=True,
            tracking_code=campaign.tracking_code if campaign else "",
            now=created,
        )
        if officer is not None:
            services.assign_lead(lead, officer)
        path = [Stage.VISIT, Stage.APPLICATION, Stage.CONTRACT, Stage.MOVED_IN]
        target = stage if stage != Stage.LOST else Stage.VISIT
        step = 0
        for s in path[: path.index(target) + 1] if target in path else []:
            step += 1
            unit = None
            if s == Stage.MOVED_IN:
                unit = (
                    Unit.objects.filter(centre__complex=cx, status="vacant", area_m2__gte=lo * Decimal("0.8"))
                    .exclude(use="support")
                    .order_by("area_m2", "centre__name", "number")
                    .first()
                )
            when = created + dt.timedelta(days=step * max(days // 6, 2))
            services.advance_lead(lead, s, by=officer, now=when, unit=unit)
        if stage == Stage.LOST:
            services.advance_lead(
                lead, Stage.LOST, by=officer, lost_reason=lost, now=created + dt.timedelta(days=days // 2)
            )
        # one open lead is left without a next step, for the officers' panel
        if stage in (Stage.INQUIRY, Stage.VISIT, Stage.APPLICATION) and name != "(예시) 다올물류":
            services.add_followup(
                cx, title="방문 일정 확인 전화", lead=lead, due=today + dt.timedelta(days=7), assignee=officer
            )
    return {
        "centres": len(centres),
        "units": Unit.objects.filter(centre__complex=cx).count(),
        "leads": Lead.objects.filter(complex=cx).count(),
    }
