"""The demo's support centre: the real 신평장림 혁신지원센터 (run by 부산경제진흥원; 5 floors,
2,844 m², 10 office rooms — FACTS.md), with rooms and equipment that are plausible estimates
(marked ``estimated``), some bookings around today and one training course. Deterministic:
fixed names and a fixed pattern of bookings relative to the current week."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from techvalley.core import privacy
from techvalley.core.models import Membership, Organisation
from techvalley.facilities import services
from techvalley.facilities.models import (
    Attendance,
    Booking,
    Centre,
    Course,
    CourseSession,
    Enrolment,
    Resource,
    new_code,
)
from techvalley.facilities.services import fee_for, holiday_name, tier_of

SOURCE = (
    "센터 규모(5개 층, 2,844㎡, 사무실 10실)와 운영기관(부산경제진흥원)은 공개 자료(2018 혁신지원센터 선정 보도). "
    "개별 회의실·장비·요금은 시연용 추정치입니다. / Size and operator from the 2018 selection reports; rooms, "
    "equipment and fees are demonstration estimates."
)

# name, kind, floor, capacity, area, fees (tenant, university, outside), extra fields
RESOURCES = [
    (
        "대회의실 (세미나실)",
        "seminar",
        2,
        60,
        120,
        (20000, 30000, 50000),
        {"approval_required": True, "max_minutes": 480},
    ),
    ("중회의실 A", "meeting", 2, 12, 40, (5000, 8000, 15000), {}),
    ("소회의실 B", "meeting", 3, 6, 20, (0, 5000, 10000), {}),
    (
        "교육실 (전산 24석)",
        "education",
        4,
        24,
        80,
        (15000, 20000, 40000),
        {"approval_required": True, "max_minutes": 480},
    ),
    ("공용 연구실 (R&D 랩)", "lab", 3, 8, 60, (10000, 15000, 30000), {"max_minutes": 480, "max_per_day": 1}),
    (
        "3차원 측정기 (CMM)",
        "equipment",
        1,
        None,
        None,
        (30000, 40000, 80000),
        {
            "qualification_required": True,
            "operator_required": True,
            "min_minutes": 60,
            "slot_minutes": 60,
            "specs": {"측정 범위": "700×1000×600 mm", "정밀도": "1.9+L/300 µm"},
            "consumables": "프로브 팁(실비)",
        },
    ),
    (
        "3D 프린터 (금속 적층)",
        "equipment",
        1,
        None,
        None,
        (50000, 60000, 100000),
        {
            "qualification_required": True,
            "approval_required": True,
            "min_minutes": 120,
            "max_minutes": 480,
            "slot_minutes": 60,
            "specs": {"방식": "SLM", "조형 크기": "250×250×300 mm"},
            "consumables": "금속 분말(실비)",
        },
    ),
    (
        "표면 조도·도금 두께 측정기",
        "equipment",
        1,
        None,
        None,
        (10000, 15000, 30000),
        {"specs": {"방식": "XRF 도금 두께"}, "operator_required": True},
    ),
    ("휴게실·수유실", "convenience", 1, 10, 30, (0, 0, 0), {"max_minutes": 120}),
]


def _workdays(start: dt.date, n: int) -> list[dt.date]:
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5 and not holiday_name(d):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone())


@transaction.atomic
def load_facilities_demo(cx) -> dict:
    # The centre's own staff (부산경제진흥원 runs it) operate it: the demo's "centre" user.
    operator = (
        Organisation.objects.filter(
            complex=cx, kind=Organisation.Kind.SUPPORT_CENTRE, name__contains="혁신지원센터"
        ).first()
        or Organisation.objects.get_or_create(
            complex=cx, name="신평장림 혁신지원센터", defaults={"kind": Organisation.Kind.SUPPORT_CENTRE}
        )[0]
    )
    centre, created = Centre.objects.get_or_create(
        complex=cx,
        name="신평장림 혁신지원센터",
        defaults={
            "operator": operator,
            "floors": 5,
            "area_m2": 2844,
            "office_rooms": 10,
            "address": "부산광역시 사하구 (신평·장림일반산업단지)",
            "description": "2018년 산업단지 혁신지원센터 공모 선정(국·시비 105억원). 입주 예정: 한국로봇융합연구원 "
            "부산본부, 동아대 UPR 사업단. / Selected in 2018 (KRW 10.5 bn national and city funds).",
            "source_note": SOURCE,
            "email": "centre@example.invalid",
            # Near the complex's centre: an estimate (the building's own coordinates are not in FACTS.md).
            "latitude": 35.0795,
            "longitude": 128.9655,
            "location_estimated": True,
        },
    )
    if not created:
        return {"centre": centre.pk, "resources": centre.resources.count(), "bookings": 0}
    resources = []
    for i in range(1, 11):
        resources.append(
            Resource(
                complex=cx,
                centre=centre,
                kind="office",
                name=f"입주 사무실 {i:02d}호",
                floor=4 + (i > 5),
                capacity=6,
                area_m2=45,
                estimated=True,
                active=False,
                description="장기 입주용 사무실 (예약 대상 아님) / tenant office, not bookable by the hour",
            )
        )
    for name, kind, floor, cap, area, fees, extra in RESOURCES:
        resources.append(
            Resource(
                complex=cx,
                centre=centre,
                kind=kind,
                name=name,
                floor=floor,
                capacity=cap,
                area_m2=area,
                fee_tenant=fees[0],
                fee_university=fees[1],
                fee_outside=fees[2],
                estimated=True,
                **extra,
            )
        )
    for r in resources:
        r.save()
    bookable = [r for r in resources if r.active and not r.qualification_required]
    companies = list(Organisation.objects.filter(complex=cx, kind=Organisation.Kind.COMPANY).order_by("id")[:12])
    if not companies:
        companies = [operator]
    users = {
        m.organisation_id: m.user for m in Membership.objects.filter(organisation__in=companies).select_related("user")
    }
    today = timezone.localdate()
    days = _workdays(today - dt.timedelta(days=40), 60)
    bookings = []
    struck: set[int] = set()
    purposes = ["신제품 회의", "바이어 상담", "직원 교육", "공정 개선 워크숍", "정부과제 협의", "품질 회의"]
    for n, day in enumerate(days):
        for k, r in enumerate(bookable):
            if (n + k) % 3:
                continue
            org = companies[(n * 7 + k) % len(companies)]
            hour = 9 + (n + 2 * k) % 6
            start, end = _at(day, hour), _at(day, hour + 1 + (k % 2))
            status = "pending" if r.approval_required and start > timezone.now() and n % 2 else "confirmed"
            tier = tier_of(org, r)
            # A few no-shows, at most one per organisation (three would pause its bookings).
            no_show = start < timezone.now() and (n * k) % 17 == 5 and org.pk not in struck
            if no_show:
                struck.add(org.pk)
            bookings.append(
                Booking(
                    complex=cx,
                    resource=r,
                    organisation=org,
                    booked_by=users.get(org.pk),
                    start=start,
                    end=end,
                    day=day,
                    purpose=purposes[(n + k) % len(purposes)],
                    status=status,
                    tier=tier,
                    fee_krw=fee_for(r, tier, start, end),
                    no_show=no_show,
                )
            )
    Booking.objects.bulk_create(bookings)
    privacy.record_consents_in_bulk(
        bookings,
        purpose_key=services.BOOKING_DATA_KEY,
        purpose=services.BOOKING_PURPOSE,
        items=services.BOOKING_ITEMS,
        retention_days=lambda b: privacy.days_until(b.end + services.BOOKING_KEPT_AFTER),
    )
    cmm = next(r for r in resources if r.name.startswith("3차원"))
    course = Course.objects.create(
        complex=cx,
        centre=centre,
        title="3차원 측정기(CMM) 활용 실무 교육",
        audience="employees",
        capacity=12,
        fee_krw=0,
        instructors="센터 장비 전담 연구원 (추정)",
        partner="동아대학교 UPR 사업단 (추정)",
        qualifies_for=cmm,
        estimated=True,
        description="정밀 측정 원리, 측정 프로그램 작성, 성적서 작성 실습. 수료하면 3차원 측정기를 예약할 수 있습니다.",
    )
    room = next(r for r in resources if r.kind == "education")
    first = _workdays(today - dt.timedelta(days=21), 3)
    sessions = [
        CourseSession.objects.create(course=course, start=_at(d, 14), end=_at(d, 17), topic=t, room=room)
        for d, t in zip(first, ["측정 원리", "측정 프로그램", "성적서 실습"], strict=False)
    ]
    names = ["김민준", "이서연", "박지훈", "최수아", "정도윤", "강하은", "조예준", "윤지우"]
    for i, name in enumerate(names):
        org = companies[i % len(companies)]
        present = [s for j, s in enumerate(sessions) if (i + j) % 5]
        hours = sum(s.hours for s in present)
        done = hours >= course.pass_share * sum(s.hours for s in sessions)
        e = Enrolment.objects.create(
            complex=cx,
            course=course,
            organisation=org,
            trainee_name=name,
            state="completed" if done else "not_completed",
            hours_attended=hours,
            certificate_code=new_code() if done else None,
            completed_on=sessions[-1].start.date() if done else None,
        )
        Attendance.objects.bulk_create([Attendance(enrolment=e, session=s, present=s in present) for s in sessions])
        services.record_training_consent(e, course)
    upcoming = Course.objects.create(
        complex=cx,
        centre=centre,
        title="스마트공장 기초 (MES·데이터 수집)",
        audience="both",
        capacity=20,
        fee_krw=0,
        instructors="부산경제진흥원 (추정)",
        estimated=True,
        description="공정 데이터 수집과 MES 기초.",
    )
    for d, t in zip(_workdays(today + dt.timedelta(days=10), 2), ["MES 개요", "데이터 수집 실습"], strict=False):
        CourseSession.objects.create(course=upcoming, start=_at(d, 10), end=_at(d, 16), topic=t, room=room)
    return {"centre": centre.pk, "resources": len(resources), "bookings": len(bookings), "courses": 2}
